import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AddFilesButton } from '../../app/AddFilesButton';
import { useKeel } from '../../store/store';
import { EmptyState } from '../EmptyState';
import { views } from '../registry';
import { DocumentFilters, listedTotal } from './DocumentFilters';
import { DocumentRow } from './DocumentRow';
import { useWhenConnected } from '../../app/useWhenConnected';

const ROW = 62;

/** Every document, newest change first, in a virtualised list that pages in as it scrolls. */
export function DocumentList() {
  const { documents, cursor, loaded, error, counts, filter, refresh, loadMore } = useKeel(
    useShallow((s) => ({
      documents: s.documents,
      cursor: s.documentsCursor,
      loaded: s.documentsLoaded,
      error: s.documentsError,
      counts: s.ingestCounts,
      filter: s.documentFilter,
      refresh: s.refreshDocuments,
      loadMore: s.loadMoreDocuments,
    })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const rows = documents.length + (cursor ? 1 : 0);
  const virtual = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;

  useWhenConnected(refresh, [refresh]);
  useEffect(() => {
    if (cursor && lastShown >= documents.length - 1) void loadMore();
  }, [cursor, lastShown, documents.length, loadMore]);

  const empty = loaded && listedTotal(counts) === 0 && !filter.status && !filter.query;
  return (
    <section className="documents" aria-labelledby={empty ? 'documents-title' : 'documents-heading'}>
      <div className="view-head">
        {empty ? <EmptyState view={views.find((v) => v.id === 'documents')!} /> : <h1 id="documents-heading">Documents</h1>}
        <AddFilesButton />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!empty && <DocumentFilters />}
      {loaded && documents.length === 0 && !empty && <p className="meta">No documents match these filters.</p>}
      {documents.length > 0 && (
        <div className="doc-list" ref={scroller} role="list" aria-label="Documents">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const doc = documents[v.index];
              return (
                <div key={doc?.id ?? 'more'} role="listitem" aria-posinset={v.index + 1} className="virtual-row" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                  {doc ? <DocumentRow doc={doc} /> : <p className="meta loading-row">Loading more…</p>}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}

import { useEffect, useRef } from 'react';
import { StatusPill } from '../../components/StatusPill';
import { href } from '../../routes';
import { useKeel } from '../../store/store';
import { formatBytes, formatCount, formatDate, plural } from '../../util/format';
import { ChunkList } from './ChunkList';
import { VersionTable } from './VersionTable';
import { useWhenConnected } from '../../app/useWhenConnected';

/** One document: what it is, its versions, and its text as chunks, opened at a chunk if asked. */
export function DocumentDetailView({ id, chunkId, terms }: { id: string; chunkId: string | null; terms: string[] }) {
  const detail = useKeel((s) => s.docDetail);
  const open = useKeel((s) => s.openDocument);
  const reingest = useKeel((s) => s.reingestDocument);
  const heading = useRef<HTMLHeadingElement>(null);

  useWhenConnected(() => open(id, chunkId), [id, chunkId, open]);
  // A new page: move focus to its heading unless a chunk will take it.
  useEffect(() => {
    if (!chunkId) heading.current?.focus();
  }, [id, chunkId]);

  const shown = detail?.id === id ? detail : null;
  const doc = shown?.document;
  return (
    <section className="doc-detail" aria-labelledby="doc-title">
      <a className="back" href={href('documents')}>
        ← All documents
      </a>
      <header className="doc-head">
        <h1 id="doc-title" ref={heading} tabIndex={-1}>
          {doc ? (doc.title ?? doc.name) : 'Document'}
        </h1>
        {doc && <StatusPill status={doc.status} />}
        {doc && doc.status !== 'deleted' && (
          <button type="button" className="secondary" onClick={() => void reingest(doc.id)}>
            Re-ingest
          </button>
        )}
      </header>
      {shown?.error && (
        <p className="error" role="alert">
          {shown.error}
        </p>
      )}
      {doc?.error && (
        <p className="error" data-testid="doc-error">
          {doc.error.message}
        </p>
      )}
      {doc && (
        <dl className="doc-facts">
          <dt>File</dt>
          <dd>{doc.name}</dd>
          <dt>Source</dt>
          <dd className="mono">{doc.source}</dd>
          <dt>Type · size</dt>
          <dd>
            {doc.type ?? '—'} · {formatBytes(doc.size)}
          </dd>
          <dt>Chunks</dt>
          <dd>
            {formatCount(doc.chunkCount)}
            {doc.unembedded > 0 ? ` (${formatCount(doc.unembedded)} waiting for their embedding)` : ''}
          </dd>
          <dt>Added · changed</dt>
          <dd>
            {formatDate(doc.createdAt)} · {formatDate(doc.updatedAt)}
          </dd>
        </dl>
      )}
      {shown && shown.versions.length > 0 && (
        <details className="doc-versions" open={shown.versions.length <= 3}>
          <summary>{plural(shown.versions.length, 'version')}</summary>
          <VersionTable versions={shown.versions} current={doc?.currentVersion ?? null} />
        </details>
      )}
      {shown?.targetMissing && <p className="note">That passage is no longer in the current version of this document.</p>}
      <h2 className="chunks-title">Text {shown ? `(${plural(shown.chunkTotal, 'chunk')})` : ''}</h2>
      {shown && shown.chunks.length > 0 ? (
        <ChunkList chunks={shown.chunks} total={shown.chunkTotal} target={shown.target} terms={terms} />
      ) : (
        <p className="meta">{shown?.document ? 'No text stored for this document.' : 'Loading…'}</p>
      )}
    </section>
  );
}

import { useState } from 'react';
import type { DocumentSummary } from '../../../../shared/domain/documents';
import { StatusPill } from '../../components/StatusPill';
import { documentHref } from '../../routes';
import { useKeel } from '../../store/store';
import { formatBytes, formatCount } from '../../util/format';

/** One document: what it is, where it is in ingestion, why it failed, and what can be done. */
export function DocumentRow({ doc }: { doc: DocumentSummary }) {
  const reingest = useKeel((s) => s.reingestDocument);
  const remove = useKeel((s) => s.removeDocument);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="doc-row" data-testid="doc-row" data-name={doc.name} data-status={doc.status}>
      <StatusPill status={doc.status} />
      <div className="doc-main">
        <a className="doc-name" href={documentHref(doc.id)} title={doc.source}>
          {doc.name}
        </a>
        {doc.error ? (
          <span className="doc-error error" data-testid="doc-error" title={doc.error.message}>
            {doc.error.message}
          </span>
        ) : (
          doc.title && doc.title !== doc.name && <span className="meta doc-title">{doc.title}</span>
        )}
      </div>
      <span className="doc-type">{doc.type ?? '—'}</span>
      <span className="num">{formatBytes(doc.size)}</span>
      <span className="num" title="Chunks">
        {formatCount(doc.chunkCount)} ch.
      </span>
      <span className="num" title="Versions">
        v{doc.currentVersion ?? '—'}
        {doc.versions > 1 ? ` of ${doc.versions}` : ''}
      </span>
      <div className="row-actions">
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => void remove(doc.id)} aria-label={`Confirm removing ${doc.name}`}>
              Remove
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" className="secondary" onClick={() => void reingest(doc.id)} aria-label={`Re-ingest ${doc.name}`}>
              Re-ingest
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(true)} aria-label={`Remove ${doc.name}`}>
              Remove…
            </button>
          </>
        )}
      </div>
    </div>
  );
}

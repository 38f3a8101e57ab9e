import type { DocumentStatus } from '../../../shared/domain/documents';

const LABEL: Record<DocumentStatus, string> = {
  queued: 'Queued',
  parsing: 'Parsing',
  embedding: 'Embedding',
  indexed: 'Indexed',
  failed: 'Failed',
  deleted: 'Removed',
};

/** A document's place in ingestion, coloured by how it is going. */
export function StatusPill({ status, duplicate = false }: { status: DocumentStatus; duplicate?: boolean }) {
  return (
    <span className={`pill status status-${duplicate ? 'duplicate' : status}`} data-testid="doc-status" data-status={status}>
      {duplicate ? 'Duplicate' : LABEL[status]}
    </span>
  );
}

import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { IngestCounts } from '../../../../shared/domain/documents';
import { useKeel } from '../../store/store';
import type { ListedStatus } from '../../store/documents-slice';
import { formatCount } from '../../util/format';

const STATUSES: ListedStatus[] = ['queued', 'parsing', 'embedding', 'indexed', 'failed'];
const LABEL: Record<ListedStatus, string> = { queued: 'Queued', parsing: 'Parsing', embedding: 'Embedding', indexed: 'Indexed', failed: 'Failed' };
const NAME_DEBOUNCE_MS = 200;

export const listedTotal = (c: IngestCounts | null): number => (c ? STATUSES.reduce((n, s) => n + c[s], 0) : 0);

/** Counts per status that double as the status filter, and the name filter. */
export function DocumentFilters() {
  const { counts, filter, setFilter } = useKeel(useShallow((s) => ({ counts: s.ingestCounts, filter: s.documentFilter, setFilter: s.setDocumentFilter })));
  const [name, setName] = useState(filter.query);

  useEffect(() => {
    if (name === filter.query) return;
    const t = setTimeout(() => setFilter({ query: name }), NAME_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [name, filter.query, setFilter]);

  return (
    <div className="doc-filters">
      <div className="status-chips" role="group" aria-label="Filter by status">
        <button type="button" className="chip" aria-pressed={filter.status === null} onClick={() => setFilter({ status: null })}>
          All <span className="count">{formatCount(listedTotal(counts))}</span>
        </button>
        {STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            className={`chip chip-${s}`}
            aria-pressed={filter.status === s}
            data-testid={`count-${s}`}
            onClick={() => setFilter({ status: filter.status === s ? null : s })}
          >
            {LABEL[s]} <span className="count">{formatCount(counts?.[s] ?? 0)}</span>
          </button>
        ))}
      </div>
      <label className="name-filter">
        <span className="sr-only">Filter by name</span>
        <input type="search" placeholder="Filter by name…" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
    </div>
  );
}

import type { MemoryKind } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import type { SearchOptions } from '../../store/search-slice';
import { KIND_LABEL, KINDS } from './labels';

/** Filters: documents or memories, which kinds of memory, and "as of" a past day. */
export function SearchOptionsBar() {
  const options = useKeel((s) => s.searchOptions);
  const setOptions = useKeel((s) => s.setSearchOptions);
  const toggleKind = (k: MemoryKind) => setOptions({ kinds: options.kinds.includes(k) ? options.kinds.filter((x) => x !== k) : [...options.kinds, k] });
  return (
    <div className="search-options">
      <label>
        Show{' '}
        <select value={options.types} onChange={(e) => setOptions({ types: e.target.value as SearchOptions['types'] })}>
          <option value="all">Documents and memories</option>
          <option value="chunk">Documents only</option>
          <option value="memory">Memories only</option>
        </select>
      </label>
      {options.types !== 'chunk' && (
        <fieldset className="kinds">
          <legend>Memory kinds</legend>
          {KINDS.map((k) => (
            <label key={k}>
              <input type="checkbox" checked={options.kinds.includes(k)} onChange={() => toggleKind(k)} /> {KIND_LABEL[k]}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        As of{' '}
        <input type="date" value={options.asOf} onChange={(e) => setOptions({ asOf: e.target.value })} aria-describedby="asof-help" />
      </label>
      <span id="asof-help" className="sr-only">
        Memories that were true at the end of that day, whatever their status now.
      </span>
      {options.asOf && (
        <button type="button" className="link" onClick={() => setOptions({ asOf: '' })}>
          Now
        </button>
      )}
    </div>
  );
}

import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useKeel } from '../../store/store';
import { plural } from '../../util/format';
import { MemoryNotice } from './MemoryNotice';
import { RecentMemories } from './RecentMemories';
import { RememberForm } from './RememberForm';
import { SearchHitItem } from './SearchHitItem';
import { SearchOptionsBar } from './SearchOptionsBar';

function Results() {
  const { result, searching, error } = useKeel(useShallow((s) => ({ result: s.searchResult, searching: s.searching, error: s.searchError })));
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!result) return <p className="meta">{searching ? 'Searching…' : ''}</p>;
  return (
    <section aria-labelledby="results-title" aria-busy={searching}>
      <h2 id="results-title" className="results-head">
        {plural(result.hits.length, 'hit')}
        <span className="meta" data-testid="search-mode">
          {result.mode === 'hybrid' ? ' · by words and meaning' : ' · by words only'}
          {result.note ? ` (${result.note})` : ''} · {Math.round(result.tookMs)} ms
        </span>
      </h2>
      {result.hits.length === 0 ? (
        <p className="meta">Nothing matches. Try other words, or fewer filters.</p>
      ) : (
        <ol className="hits">
          {result.hits.map((h) => (
            <SearchHitItem key={`${h.type}:${h.id}`} hit={h} terms={result.terms} />
          ))}
        </ol>
      )}
    </section>
  );
}

/** Search as you type over documents and memories; recent memories while the box is empty. */
export function SearchPanel() {
  const query = useKeel((s) => s.searchQuery);
  const setQuery = useKeel((s) => s.setSearchQuery);
  const [remembering, setRemembering] = useState(false);
  return (
    <div className="search-panel">
      <div className="search-bar" role="search">
        <label className="grow">
          <span className="sr-only">Search memory</span>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search documents and memories…" autoComplete="off" />
        </label>
        <button type="button" aria-expanded={remembering} onClick={() => setRemembering(!remembering)}>
          Remember…
        </button>
      </div>
      {remembering && <RememberForm onDone={() => setRemembering(false)} />}
      <MemoryNotice />
      <SearchOptionsBar />
      {query.trim() ? <Results /> : <RecentMemories />}
    </div>
  );
}

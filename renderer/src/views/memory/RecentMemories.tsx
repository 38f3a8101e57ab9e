import { useKeel } from '../../store/store';
import { MemoryItem } from './MemoryItem';

/** What the search box shows while it is empty: the newest memories. */
export function RecentMemories() {
  const memories = useKeel((s) => s.recentMemories);
  const loaded = useKeel((s) => s.recentLoaded);
  const cursor = useKeel((s) => s.recentCursor);
  const loadMore = useKeel((s) => s.loadMoreMemories);
  if (!loaded) return <p className="meta">Loading…</p>;
  if (memories.length === 0) return null;
  return (
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Recent memories</h2>
      <ul className="memory-list">
        {memories.map((m) => (
          <MemoryItem key={m.id} memory={m} />
        ))}
      </ul>
      {cursor && (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </section>
  );
}

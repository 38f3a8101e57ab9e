import { useEffect } from 'react';
import { entitiesHref, href, reviewsHref } from '../routes';
import { useKeel } from '../store/store';
import { EmptyState } from './EmptyState';
import { EntitiesPanel } from './memory/EntitiesPanel';
import { EntityPage } from './memory/EntityPage';
import { MemoryDetailView } from './memory/MemoryDetailView';
import { ReviewQueue } from './memory/ReviewQueue';
import { SearchPanel } from './memory/SearchPanel';
import { views } from './registry';
import { useWhenConnected } from '../app/useWhenConnected';

type Section = 'search' | 'reviews' | 'entities';

function Tabs({ section }: { section: Section }) {
  const open = useKeel((s) => s.reviewsOpen);
  const tabs: [Section, string, string][] = [
    ['search', 'Search & recent', href('memory')],
    ['reviews', 'Review queue', reviewsHref()],
    ['entities', 'Entities', entitiesHref()],
  ];
  return (
    <nav className="tabs" aria-label="Memory sections">
      {tabs.map(([id, label, to]) => (
        <a key={id} href={to} aria-current={section === id ? 'page' : undefined}>
          {label}
          {id === 'reviews' && (
            <span className={open > 0 ? 'badge' : 'badge zero'} data-testid="review-count">
              {open}
              <span className="sr-only"> open</span>
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}

/**
 * `#/memory` search and recent memories, `#/memory/reviews` the review queue,
 * `#/memory/entities[/<id>]` entities, `#/memory/items/<id>` one memory.
 */
export function MemoryView() {
  const [first, id] = useKeel((s) => s.route.path);
  const empty = useKeel((s) => s.recentLoaded && s.recentMemories.length === 0 && s.reviewsOpen === 0 && !s.searchQuery);
  const refreshRecent = useKeel((s) => s.refreshRecentMemories);
  useWhenConnected(refreshRecent, [refreshRecent]);

  const section: Section = first === 'reviews' ? 'reviews' : first === 'entities' ? 'entities' : 'search';
  const showEmpty = empty && section === 'search' && first !== 'items';
  return (
    <section className="memory" aria-labelledby={showEmpty ? 'memory-title' : 'memory-heading'}>
      {showEmpty ? <EmptyState view={views.find((v) => v.id === 'memory')!} /> : <h1 id="memory-heading">Memory</h1>}
      <Tabs section={section} />
      {first === 'items' && id ? (
        <MemoryDetailView id={id} />
      ) : first === 'entities' && id ? (
        <EntityPage id={id} />
      ) : section === 'entities' ? (
        <EntitiesPanel />
      ) : section === 'reviews' ? (
        <ReviewQueue />
      ) : (
        <SearchPanel />
      )}
    </section>
  );
}

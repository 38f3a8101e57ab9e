import type { ViewInfo } from './registry';

export function EmptyState({ view }: { view: ViewInfo }) {
  return (
    <section className="empty-state" aria-labelledby={`${view.id}-title`}>
      <h1 id={`${view.id}-title`}>{view.title}</h1>
      <p className="holds">{view.holds}</p>
      {view.fill && <p className="fill">{view.fill}</p>}
    </section>
  );
}

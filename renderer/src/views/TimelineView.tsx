import { useKeel } from '../store/store';
import { EmptyState } from './EmptyState';
import { views } from './registry';
import { EventDetail, modelCallOf, stepNameOf } from './timeline/EventDetail';

const money = (usd: number) => (usd > 0 ? ` · $${usd.toFixed(4)}` : '');

/** Every recorded action, newest first, from the hash-chained ledger; updated live. */
export function TimelineView() {
  const timeline = useKeel((s) => s.timeline);
  const error = useKeel((s) => s.timelineError);
  if (timeline.length === 0) return <EmptyState view={views.find((v) => v.id === 'timeline')!} />;
  return (
    <section className="timeline" aria-label="Timeline">
      <h1>Timeline</h1>
      {error && <p className="error" role="alert">{error}</p>}
      <ol>
        {timeline.map((e) => {
          const flagged = e.type === 'content.instruction_flagged';
          const step = stepNameOf(e);
          return (
            <li key={e.seq} data-testid="ledger-event" data-type={e.type} className={flagged ? 'flagged' : modelCallOf(e) ? 'model-step' : undefined}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
              <span className="type">
                {flagged && <span aria-hidden="true">⚠ </span>}
                {e.type}
              </span>
              <span className="actor">
                {e.actor.kind}: {e.actor.name}
              </span>
              <span className="meta">
                {e.runId ? `run ${e.runId.slice(0, 8)}` : ''}
                {e.stepNo !== null ? ` · step ${e.stepNo}` : ''}
                {step ? ` ${step}` : ''}
                {e.tokens > 0 ? ` · ${e.tokens} tokens` : ''}
                {money(e.costUsd)}
              </span>
              <EventDetail event={e} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}

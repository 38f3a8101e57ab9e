import { useKeel } from '../store/store';
import { formatCount, formatUsd } from '../util/format';
import { EmptyState } from './EmptyState';
import { views } from './registry';
import { EventDetail, modelCallOf, stepNameOf } from './timeline/EventDetail';

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
          const call = modelCallOf(e);
          return (
            <li key={e.seq} data-testid="ledger-event" data-type={e.type} className={flagged ? 'flagged' : call ? 'model-step' : undefined}>
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
                {/* A model call's tokens and cost are in its detail below. */}
                {!call && e.tokens > 0 ? ` · ${formatCount(e.tokens)} tokens` : ''}
                {!call && e.costUsd > 0 ? ` · ${formatUsd(e.costUsd)}` : ''}
              </span>
              <EventDetail event={e} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}

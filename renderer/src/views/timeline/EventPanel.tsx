import type { LedgerEvent } from '../../../../shared/domain/kernel';
import { formatCount, formatUsd } from '../../util/format';
import { EventDetail, stepNameOf } from './EventDetail';
import { isFailure, messageOf } from './EventRow';

const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const MAX_JSON = 6_000;

/** One event in full: who, when, which run and step, what it cost, and its data. */
export function EventPanel({
  event,
  traceLink,
  onFilter,
  onClose,
}: {
  event: LedgerEvent;
  traceLink: (runId: string) => string;
  onFilter(patch: { agent?: string; run?: string; type?: string }): void;
  onClose(): void;
}) {
  const json = JSON.stringify(event.data, null, 2);
  const message = messageOf(event);
  const step = stepNameOf(event);
  return (
    <aside className="tl-panel event" aria-labelledby="event-heading" data-testid="event-detail" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header className="tl-panel-head">
        <h2 id="event-heading">
          {event.type}
        </h2>
        <button type="button" className="link close" onClick={onClose} aria-label="Close the event">
          Close
        </button>
      </header>
      {message && <p className={isFailure(event) ? 'error-text' : undefined}>{message}</p>}
      <dl className="facts compact">
        <div className="fact">
          <dt>When</dt>
          <dd>
            <time dateTime={event.at}>{full.format(new Date(event.at))}</time>
          </dd>
        </div>
        <div className="fact">
          <dt>Who</dt>
          <dd>
            {event.actor.kind}: {event.actor.name}
          </dd>
        </div>
        {event.runId && (
          <div className="fact">
            <dt>Run</dt>
            <dd>
              <a href={traceLink(event.runId)}>Open the trace of {event.runId.slice(0, 8)}</a>
              {event.stepNo !== null && ` · step ${event.stepNo}${step ? ` (${step})` : ''}`}
            </dd>
          </div>
        )}
        {(event.agent || event.app) && (
          <div className="fact">
            <dt>For</dt>
            <dd>{[event.agent && `agent ${event.agent}`, event.app && `app ${event.app}`].filter(Boolean).join(' · ')}</dd>
          </div>
        )}
        {(event.tokens > 0 || event.costUsd > 0) && (
          <div className="fact">
            <dt>Spent</dt>
            <dd>
              {formatCount(event.tokens)} tokens · {formatUsd(event.costUsd)}
            </dd>
          </div>
        )}
        <div className="fact">
          <dt>Seq</dt>
          <dd className="mono">
            {event.seq} · {event.hash.slice(0, 12)}
          </dd>
        </div>
      </dl>
      <EventDetail event={event} />
      <div className="actions wrap">
        {event.runId && (
          <button type="button" className="secondary small" onClick={() => onFilter({ run: event.runId! })}>
            Only this run
          </button>
        )}
        {event.agent && (
          <button type="button" className="secondary small" onClick={() => onFilter({ agent: event.agent! })}>
            Only {event.agent}
          </button>
        )}
        <button type="button" className="secondary small" onClick={() => onFilter({ type: event.type })}>
          Only {event.type}
        </button>
      </div>
      <pre className="tl-json" aria-label="The event's data">
        {json.length > MAX_JSON ? `${json.slice(0, MAX_JSON)}\n…` : json}
      </pre>
    </aside>
  );
}

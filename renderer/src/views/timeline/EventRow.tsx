import { memo } from 'react';
import type { LedgerEvent } from '../../../../shared/domain/kernel';
import { FAILED_RUN_STATUSES, FAILURE_TYPES } from '../../../../shared/domain/timeline';
import { formatCount, formatUsd } from '../../util/format';
import { isObject } from '../../util/guards';
import { ModelCallDetail, modelCallOf, stepNameOf } from './EventDetail';

/** Whether an event says something went wrong (the same rule as the failedOnly filter). */
export function isFailure(e: LedgerEvent): boolean {
  if ((FAILURE_TYPES as readonly string[]).includes(e.type)) return true;
  const status = isObject(e.data) ? e.data.status : null;
  return (e.type === 'run.finished' || e.type === 'child.finished') && (FAILED_RUN_STATUSES as readonly string[]).includes(String(status));
}

/** The sentence an event carries: an error, a reason, a title. */
export function messageOf(e: LedgerEvent): string | null {
  if (!isObject(e.data)) return null;
  if (e.type === 'content.instruction_flagged' && Array.isArray(e.data.phrases)) {
    return e.data.phrases.filter((p): p is string => typeof p === 'string').map((p) => `“${p}”`).join(', ') || null;
  }
  for (const key of ['message', 'error', 'reason', 'title', 'note']) {
    const v = e.data[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return null;
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Time of day, with the day when it is not today. */
function when(iso: string): string {
  const d = new Date(iso);
  const today = new Date();
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time.format(d) : `${day.format(d)} ${time.format(d)}`;
}

interface Props {
  event: LedgerEvent;
  index: number;
  selected: boolean;
  /** Opens the event's detail. */
  onSelect(event: LedgerEvent): void;
  /** Arrow keys move between rows. */
  onKey(e: React.KeyboardEvent, index: number): void;
  traceLink(runId: string): string;
}

/** One event on one fixed-height line: cheap to render, so 100,000 of them scroll smoothly. */
export const EventRow = memo(function EventRow({ event: e, index, selected, onSelect, onKey, traceLink }: Props) {
  const failed = isFailure(e);
  const flagged = e.type === 'content.instruction_flagged';
  const call = modelCallOf(e);
  const step = stepNameOf(e);
  const message = failed || flagged ? messageOf(e) : null;
  return (
    <div
      className={`tl-row${failed ? ' failed' : ''}${flagged ? ' flagged' : ''}${call ? ' model-step' : ''}${selected ? ' selected' : ''}`}
      data-testid="ledger-event"
      data-type={e.type}
      data-seq={e.seq}
      data-index={index}
    >
      <button type="button" className="tl-open" aria-pressed={selected} onClick={() => onSelect(e)} onKeyDown={(k) => onKey(k, index)}>
        <time dateTime={e.at} title={full.format(new Date(e.at))}>
          {when(e.at)}
        </time>
        <span className="sr-only">
          {' '}
          {e.type}
          {step ? `, ${step}` : ''}: show the event
        </span>
      </button>
      <span className="type" title={e.type}>
        {(failed || flagged) && <span aria-hidden="true">{flagged ? '⚠ ' : '✕ '}</span>}
        {e.type}
      </span>
      <span className="actor" title={`${e.actor.kind}: ${e.actor.name}`}>
        {e.actor.name}
      </span>
      <span className="where">
        {e.runId ? (
          <a href={traceLink(e.runId)} className="run-link" title={`Open the trace of run ${e.runId}`}>
            {e.runId.slice(0, 8)}
          </a>
        ) : (
          <span className="meta">—</span>
        )}
        {e.stepNo !== null && <span className="step"> #{e.stepNo}</span>}
        {step && <span className="step-name"> {step}</span>}
      </span>
      <span className="what">
        {call ? (
          <ModelCallDetail m={call} />
        ) : message ? (
          <span className={failed ? 'error-text' : 'flag'} title={message}>
            {flagged ? `Instructions found in content: ${message}` : message}
          </span>
        ) : (
          <span className="meta">
            {e.tokens > 0 ? `${formatCount(e.tokens)} tokens` : ''}
            {e.tokens > 0 && e.costUsd > 0 ? ' · ' : ''}
            {e.costUsd > 0 ? formatUsd(e.costUsd) : ''}
          </span>
        )}
      </span>
    </div>
  );
});

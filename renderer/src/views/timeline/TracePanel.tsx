import { useEffect, useRef } from 'react';
import type { TraceRun, TraceStep } from '../../../../shared/domain/timeline';
import { useKeel } from '../../store/store';
import { formatCount, formatMs, formatUsd, plural } from '../../util/format';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const at = (iso: string) => clock.format(new Date(iso));
const ms = (iso: string) => new Date(iso).getTime();

/** A run's span: from its creation to its end (or its last step, while it goes on). */
function span(run: TraceRun): [number, number] {
  const start = ms(run.createdAt);
  const ends = run.steps.map((s) => (s.finishedAt ? ms(s.finishedAt) : ms(s.startedAt)));
  const end = Math.max(run.finishedAt ? ms(run.finishedAt) : start, ...ends, start + 1);
  return [start, end];
}

/** Where a step sits in its run's time, as a small bar. */
function DurationBar({ step, range }: { step: TraceStep; range: [number, number] }) {
  const [start, end] = range;
  const width = end - start;
  const from = ms(step.startedAt);
  const to = step.finishedAt ? ms(step.finishedAt) : from;
  const left = Math.max(0, Math.min(100, ((from - start) / width) * 100));
  const size = Math.max(0.8, Math.min(100 - left, ((to - from) / width) * 100));
  return (
    <span className="trace-bar" aria-hidden="true">
      <span className={`trace-bar-fill ${step.status}`} style={{ left: `${left}%`, width: `${size}%` }} />
    </span>
  );
}

function StepLine({ step, range }: { step: TraceStep; range: [number, number] }) {
  const m = step.model;
  return (
    <div className={`trace-step-line ${step.status}`}>
      <span className="trace-no">#{step.no}</span>
      <span className="trace-name" title={step.name}>
        {step.name}
        {step.kind !== 'step' && <span className="kind">{step.kind}</span>}
        {step.compensated && <span className="kind">compensated</span>}
      </span>
      <span className={`trace-status ${step.status}`}>{step.status}</span>
      <DurationBar step={step} range={range} />
      <span className="trace-time" title={`started ${at(step.startedAt)}${step.finishedAt ? `, finished ${at(step.finishedAt)}` : ''}`}>
        {step.durationMs === null ? 'waiting' : formatMs(step.durationMs)}
        {step.attempts > 1 && ` · ${step.attempts} attempts`}
      </span>
      <span className="trace-cost">{step.costUsd > 0 || m ? formatUsd(step.costUsd) : ''}</span>
      {(m || step.tokens > 0 || step.error || step.reason) && (
        <div className="trace-why">
          {m ? (
            <span className="trace-model" data-testid="trace-model">
              {m.provider}/{m.model} · {m.tier} tier{m.arm === 'canary' ? ' (canary)' : ''} · {formatCount(m.inputTokens)} in + {formatCount(m.outputTokens)} out tokens · {formatMs(m.latencyMs)}
            </span>
          ) : (
            step.tokens > 0 && <span className="meta">{formatCount(step.tokens)} tokens</span>
          )}
          {step.error && (
            <span className="error-text" data-testid="trace-error">
              {step.error.kind}: {step.error.message}
            </span>
          )}
          {step.reason && <span className="trace-reason">{step.reason}</span>}
        </div>
      )}
    </div>
  );
}

function RunNode({ run, focus, traceLink }: { run: TraceRun; focus: string; traceLink: (id: string) => string }) {
  const range = span(run);
  const byStep = new Map(run.children.filter((c) => c.parentStepNo !== null).map((c) => [c.parentStepNo!, c]));
  const loose = run.children.filter((c) => c.parentStepNo === null || !run.steps.some((s) => s.no === c.parentStepNo));
  const bad = run.error !== null && run.status !== 'succeeded';
  return (
    <li className={`trace-run${run.id === focus ? ' focus' : ''}`} data-testid="trace-run" data-run-id={run.id} data-status={run.status} aria-current={run.id === focus ? 'true' : undefined}>
      <div className="trace-run-head">
        <span className={`pill status run-${run.status}`}>{run.status.replace(/_/g, ' ')}</span>
        <a className="trace-workflow" href={traceLink(run.id)} title={`Run ${run.id}`}>
          {run.workflow}
        </a>
        <span className="meta">
          {run.agent ?? 'no agent'} · {run.id.slice(0, 8)} · {run.durationMs === null ? 'not finished' : formatMs(run.durationMs)} · {formatCount(run.tokens)} tokens · {formatUsd(run.costUsd)}
        </span>
        {bad && <div className="error-text trace-run-error">{run.error!.message}</div>}
      </div>
      <ol className="trace-steps" aria-label={`Steps of ${run.workflow}`}>
        {run.steps.map((step) => {
          const child = byStep.get(step.no);
          return (
            <li key={step.no} className="trace-step" data-testid="trace-step" data-status={step.status} data-name={step.name}>
              <StepLine step={step} range={range} />
              {child && (
                <ol className="trace-children" aria-label="Child run">
                  <RunNode run={child} focus={focus} traceLink={traceLink} />
                </ol>
              )}
            </li>
          );
        })}
        {run.stepsOmitted > 0 && <li className="meta">… and {plural(run.stepsOmitted, 'more step')} not shown</li>}
      </ol>
      {loose.length > 0 && (
        <ol className="trace-children" aria-label="Child runs">
          {loose.map((c) => (
            <RunNode key={c.id} run={c} focus={focus} traceLink={traceLink} />
          ))}
        </ol>
      )}
    </li>
  );
}

/** A run's causal trace: the tree from its root run, each step with its timing, model, tokens, cost and reason or error. */
export function TracePanel({ runId, closeHref, traceLink }: { runId: string; closeHref: string; traceLink: (id: string) => string }) {
  const trace = useKeel((s) => s.timelineTrace);
  const error = useKeel((s) => s.timelineTraceError);
  const openTrace = useKeel((s) => s.openTrace);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void openTrace(runId);
  }, [runId, openTrace]);
  useEffect(() => () => void openTrace(null), [openTrace]);
  useEffect(() => heading.current?.focus(), [runId]);

  // The slice drops a trace that does not hold the run asked for, so what is here is the right tree.
  const shown = trace;
  return (
    <aside
      className="tl-panel trace"
      aria-labelledby="trace-heading"
      data-testid="trace"
      onKeyDown={(e) => {
        if (e.key === 'Escape') useKeel.getState().go(closeHref);
      }}
    >
      <header className="tl-panel-head">
        <h2 id="trace-heading" ref={heading} tabIndex={-1}>
          Trace
        </h2>
        <a href={closeHref} className="close" aria-label="Close the trace">
          Close
        </a>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!shown && !error && <p className="meta">Loading the trace…</p>}
      {shown && (
        <>
          <p className="meta trace-summary">
            {plural(shown.runs, 'run')}
            {shown.runsOmitted > 0 ? ` (${formatCount(shown.runsOmitted)} more not shown)` : ''} · {formatCount(shown.tokens)} tokens · {formatUsd(shown.costUsd)} · trace {shown.traceId.slice(0, 8)}
          </p>
          <ol className="trace-tree" aria-label="Runs of the trace">
            <RunNode run={shown.root} focus={runId} traceLink={traceLink} />
          </ol>
        </>
      )}
    </aside>
  );
}

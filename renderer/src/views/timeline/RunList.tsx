import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef } from 'react';
import type { TimelineRun } from '../../../../shared/domain/timeline';
import { useKeel } from '../../store/store';
import { formatCount, formatMs, formatUsd, plural } from '../../util/format';

export const RUN_ROW = 46;

const started = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const duration = (r: TimelineRun): number | null => (r.finishedAt ? new Date(r.finishedAt).getTime() - new Date(r.createdAt).getTime() : null);

const RunRow = memo(function RunRow({ run, href, filtered }: { run: TimelineRun; href: string; filtered: boolean }) {
  const bad = run.error !== null && run.status !== 'succeeded';
  return (
    <a className={`tl-run${bad ? ' failed' : ''}`} href={href} data-testid="timeline-run" data-run-id={run.id} data-status={run.status}>
      <span className={`pill status run-${run.status}`}>{run.status.replace(/_/g, ' ')}</span>
      <span className="tl-run-main">
        <span className="workflow">{run.workflow}</span>
        <span className="meta">
          {run.agent ?? 'no agent'}
          {run.app ? ` · ${run.app}` : ''} · {run.id.slice(0, 8)}
          {run.parentRunId ? ` · child of ${run.parentRunId.slice(0, 8)}` : ''}
        </span>
      </span>
      <span className="tl-run-when">
        <time dateTime={run.createdAt}>{started.format(new Date(run.createdAt))}</time>
        <span className="meta">{run.finishedAt ? formatMs(duration(run)) : 'not finished'}</span>
      </span>
      <span className="tl-run-figures">
        <span>{filtered && run.matching !== run.events ? `${formatCount(run.matching)} of ${plural(run.events, 'event')}` : plural(run.events, 'event')}</span>
        <span className="meta">
          {formatCount(run.tokens)} tokens · {formatUsd(run.costUsd)}
        </span>
      </span>
      <span className="tl-run-error error-text" title={run.error?.message}>
        {bad ? run.error?.message : ''}
      </span>
    </a>
  );
});

/** The timeline grouped by run: one row per run with events matching the filters; a row opens its trace. */
export function RunList({ traceLink, filtered }: { traceLink: (runId: string) => string; filtered: boolean }) {
  const runs = useKeel((s) => s.timelineRuns);
  const cursor = useKeel((s) => s.timelineRunsCursor);
  const loading = useKeel((s) => s.timelineRunsLoading);
  const stale = useKeel((s) => s.timelineRunsStale);
  const { loadMoreTimelineRuns, reloadTimelineRuns, setTimelineAtTop } = useKeel.getState();
  const scroller = useRef<HTMLDivElement>(null);
  const rows = runs.length + (cursor ? 1 : 0);
  const virtual = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => RUN_ROW, overscan: 8, getItemKey: (i) => runs[i]?.id ?? 'more' });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (cursor && !loading && lastShown >= runs.length - 1) void loadMoreTimelineRuns();
  }, [cursor, loading, lastShown, runs.length, loadMoreTimelineRuns]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el) setTimelineAtTop(el.scrollTop < RUN_ROW / 2);
  }, [setTimelineAtTop]);

  return (
    <div className="tl-list-wrap">
      {stale && (
        <button
          type="button"
          className="tl-new"
          onClick={() => {
            void reloadTimelineRuns();
            scroller.current?.scrollTo({ top: 0 });
          }}
        >
          ↑ New activity: show the newest runs
        </button>
      )}
      {!loading && runs.length === 0 && !cursor && <p className="meta tl-empty">No runs have events matching these filters (events outside runs are not grouped).</p>}
      <div className="tl-list" ref={scroller} onScroll={onScroll} role="list" aria-label="Runs, newest first" aria-busy={loading} data-testid="run-list">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const run = runs[v.index];
            return (
              <div key={v.key} role="listitem" className="virtual-row" style={{ transform: `translateY(${v.start}px)`, height: RUN_ROW }}>
                {run ? <RunRow run={run} href={traceLink(run.id)} filtered={filtered} /> : <p className="meta loading-row tl-run">{loading ? 'Loading more runs…' : 'Searching older runs…'}</p>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

import { useCallback, useMemo } from 'react';
import { useWhenConnected } from '../app/useWhenConnected';
import { href } from '../routes';
import { useKeel } from '../store/store';
import { formatCount } from '../util/format';
import { EmptyState } from './EmptyState';
import { views } from './registry';
import { EventList } from './timeline/EventList';
import { EventPanel } from './timeline/EventPanel';
import { FilterBar } from './timeline/FilterBar';
import { filterKey, hasFilter, parseTimelineQuery, timelineHref, timelineQuery, traceHref, type TimelineQuery } from './timeline/filters';
import { RunList } from './timeline/RunList';
import { TracePanel } from './timeline/TracePanel';
import './timeline/timeline.css';

/**
 * Every recorded action, newest first, from the hash-chained ledger, updated live:
 * `#/timeline?<filters>` lists events (or runs, grouped), `#/timeline/runs/<id>?<filters>`
 * also opens that run's causal trace beside them.
 */
export function TimelineView() {
  const route = useKeel((s) => s.route);
  const status = useKeel((s) => s.timelineStatus);
  const selected = useKeel((s) => s.timelineSelected);
  const runs = useKeel((s) => s.timelineRuns);
  const runsMore = useKeel((s) => s.timelineRunsCursor !== null);
  const { openTimeline, selectTimelineEvent, syncRoute } = useKeel.getState();

  const query = useMemo(() => timelineQuery(route.query), [route.query]);
  const queryText = JSON.stringify(query);
  const { filter, group, problems } = useMemo(() => parseTimelineQuery(query), [queryText]);
  const key = filterKey(filter);
  const traceId = route.path[0] === 'runs' && route.path[1] ? route.path[1] : null;

  useWhenConnected(() => openTimeline(filter, group, true), [key, group]);

  /** Filters change in place (replaceState): typing a search does not fill the back button's history. */
  const setQuery = useCallback(
    (patch: TimelineQuery) => {
      // The route now (a debounced search commits after other filters may have changed).
      const now = useKeel.getState().route;
      history.replaceState(history.state, '', href('timeline', now.path, { ...timelineQuery(now.query), ...patch }));
      syncRoute();
    },
    [syncRoute],
  );
  const traceLink = useCallback((runId: string) => traceHref(runId, query), [queryText]);
  const closeHref = timelineHref(query);

  const filtered = hasFilter(filter);
  const empty = !filtered && !status.loading && !status.error && status.total === 0 && status.fresh === 0;
  if (empty && !traceId) return <EmptyState view={views.find((v) => v.id === 'timeline')!} />;

  const shown = status.total + status.fresh;
  return (
    <section className="timeline" aria-labelledby="timeline-heading">
      <div className="view-head tl-head">
        <h1 id="timeline-heading">Timeline</h1>
        <p className="meta tl-count" data-testid="timeline-count" aria-live="polite">
          {group
            ? `${formatCount(runs.length)}${runsMore ? '+' : ''} ${runs.length === 1 && !runsMore ? 'run' : 'runs'}`
            : status.loading
              ? 'Loading…'
              : `${status.exact ? '' : 'about '}${formatCount(shown)} ${shown === 1 ? 'event' : 'events'}${filtered ? ' match' : ''}${status.counting ? ' (counting…)' : ''}`}
        </p>
      </div>
      <FilterBar query={query} setQuery={setQuery} problems={problems} />
      {status.error && (
        <p className="error" role="alert">
          {status.error}
        </p>
      )}
      <div className="tl-body">
        <div className="tl-main">
          {group ? <RunList traceLink={traceLink} filtered={filtered} /> : <EventList traceLink={traceLink} />}
          {!group && !status.loading && !status.error && shown === 0 && <p className="meta tl-empty">No events match these filters.</p>}
        </div>
        {traceId ? (
          <TracePanel runId={traceId} closeHref={closeHref} traceLink={traceLink} />
        ) : (
          selected && (
            <EventPanel
              event={selected}
              traceLink={traceLink}
              onClose={() => selectTimelineEvent(null)}
              onFilter={(patch) => setQuery(patch)}
            />
          )
        )}
      </div>
    </section>
  );
}

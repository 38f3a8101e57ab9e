import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import { useKeel } from '../../store/store';
import { formatCount } from '../../util/format';
import { EventRow } from './EventRow';

/** Every row is this tall (CSS .tl-row): fixed, so positions are arithmetic and rows cheap. */
export const EVENT_ROW = 34;

/**
 * The ledger, newest first, virtualised: only the rows in view (and a few around them) exist
 * in the DOM, whatever the total; their data is read by page as they come into view. New
 * events appear on top while the operator is there; further down, they wait behind a button
 * and nothing moves.
 */
export function EventList({ traceLink }: { traceLink: (runId: string) => string }) {
  const version = useKeel((s) => s.timelineVersion);
  const status = useKeel((s) => s.timelineStatus);
  const selected = useKeel((s) => s.timelineSelected);
  const { timelineRow, ensureTimelineRows, setTimelineAtTop, showNewTimelineEvents, selectTimelineEvent } = useKeel.getState();
  const scroller = useRef<HTMLDivElement>(null);
  const count = status.fresh + status.total;

  // Rows are keyed by position (the virtualiser's default): a key read from the data would be a
  // new function each render, and the virtualiser then recomputes the place of all 100,000 rows
  // on every scroll frame (about 25 ms a frame, measured by npm run bench -- ui).
  const virtual = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => EVENT_ROW,
    overscan: 12,
  });
  const items = virtual.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (last >= 0) ensureTimelineRows(first, last);
  }, [first, last, version, ensureTimelineRows]);

  // Rows added on top while the operator is not at the very top (a race with a scroll) must
  // not move what is read: the scroll position moves with them.
  const freshBefore = useRef(status.fresh);
  useLayoutEffect(() => {
    const added = status.fresh - freshBefore.current;
    freshBefore.current = status.fresh;
    const el = scroller.current;
    if (el && added > 0 && el.scrollTop > 0) el.scrollTop += added * EVENT_ROW;
  }, [status.fresh]);

  // A new list (another filter, or too much arrived): from its top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [status.generation]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el) setTimelineAtTop(el.scrollTop < EVENT_ROW / 2);
  }, [setTimelineAtTop]);

  const focusRow = useCallback(
    (index: number) => {
      const target = Math.max(0, Math.min(count - 1, index));
      virtual.scrollToIndex(target, { align: 'auto' });
      requestAnimationFrame(() => scroller.current?.querySelector<HTMLButtonElement>(`[data-index="${target}"] .tl-open`)?.focus());
    },
    [count, virtual],
  );
  const onKey = useCallback(
    (e: React.KeyboardEvent, index: number) => {
      const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? EVENT_ROW * 10) / EVENT_ROW) - 1);
      const to = { ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + page, PageUp: index - page, Home: 0, End: count - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      focusRow(to);
    },
    [count, focusRow],
  );

  const jumpToNew = async () => {
    await showNewTimelineEvents();
    scroller.current?.scrollTo({ top: 0 });
    focusRow(0);
  };

  return (
    <div className="tl-list-wrap">
      {status.pending > 0 && (
        <button type="button" className="tl-new" data-testid="new-events" onClick={() => void jumpToNew()}>
          ↑ {formatCount(status.pending)}
          {status.pendingMore ? '+' : ''} new {status.pending === 1 && !status.pendingMore ? 'event' : 'events'}
        </button>
      )}
      <div className="tl-list" ref={scroller} onScroll={onScroll} role="list" aria-label="Ledger events, newest first" aria-busy={status.loading} data-testid="event-list">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const e = timelineRow(v.index);
            return (
              <div key={v.key} role="listitem" aria-posinset={v.index + 1} aria-setsize={count} className="virtual-row" style={{ transform: `translateY(${v.start}px)`, height: EVENT_ROW }}>
                {e ? (
                  <EventRow event={e} index={v.index} selected={selected?.seq === e.seq} onSelect={selectTimelineEvent} onKey={onKey} traceLink={traceLink} />
                ) : (
                  <div className="tl-row loading" data-index={v.index} aria-label="Loading">
                    <span className="meta">Loading…</span>
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

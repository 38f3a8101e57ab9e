import type { StateCreator } from 'zustand';
import type { LedgerEvent } from '../../../shared/domain/kernel';
import type { RunTrace, TimelineFacets, TimelineFilter, TimelineRun } from '../../../shared/domain/timeline';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import { filterKey, hasFilter } from '../views/timeline/filters';
import type { KeelStore } from './store';

/** Rows per page of random access (also the page size of the API calls). */
export const TIMELINE_PAGE = 100;
/** A filtered list is read on from its top while the operator is this close to what is loaded; farther jumps read by offset. */
const JUMP_ROWS = 300;
/** Pages kept around the rows shown; farther ones are dropped (and read again if scrolled back to). */
const KEEP_PAGES = 60;
/** New events shown on top before the list re-anchors at the newest (keeps memory bounded while the operator watches). */
const MAX_FRESH = 2_000;
const FRESH_READ = 200;
const RUNS_PAGE = 50;
/** Live refreshes: at most one per this long, never two at once. */
const LIVE_MS = 250;
/** An open trace and the filter choices follow the ledger more slowly. */
const TRACE_MS = 1_000;
const FACETS_MS = 5_000;

/**
 * Where the timeline's rows are. Index space, top to bottom: `fresh` (arrived since the list
 * was anchored, newest first), then the anchored list (events with seq ≤ anchor): its first
 * rows read in order into `head` (filtered lists, which cannot compute a position), any others
 * read by position into `pages`. Kept outside React state: rows are read through `timelineRow`
 * and `timelineVersion` says when they changed.
 */
interface Rows {
  key: string;
  filter: TimelineFilter;
  filtered: boolean;
  anchor: number;
  fresh: LedgerEvent[];
  head: LedgerEvent[];
  /** Where the head goes on (beforeSeq); null once it holds every match. */
  headNext: number | null;
  headLoading: boolean;
  pages: Map<number, LedgerEvent[]>;
  loadingPages: Set<number>;
  /** Newest seq looked at for new events (anchor, or the newest fresh or pending one). */
  seen: number;
}

export interface TimelineStatus {
  /** Rows in the anchored list (exact, or an estimate until the list is read to its end). */
  total: number;
  exact: boolean;
  counting: boolean;
  fresh: number;
  /** New matching events not shown because the operator is reading further down. */
  pending: number;
  /** More arrived than were counted in `pending`. */
  pendingMore: boolean;
  loading: boolean;
  error: string | null;
  /** Bumped whenever the list starts again from the newest (a new filter, too much new): the view scrolls to the top. */
  generation: number;
}

export interface TimelineSlice {
  timelineVersion: number;
  timelineStatus: TimelineStatus;
  timelineFacets: TimelineFacets | null;
  /** The event whose detail is open. */
  timelineSelected: LedgerEvent | null;
  timelineRuns: TimelineRun[];
  timelineRunsCursor: string | null;
  timelineRunsLoading: boolean;
  /** Runs changed while the operator was reading further down the grouped list. */
  timelineRunsStale: boolean;
  timelineTrace: RunTrace | null;
  timelineTraceError: string | null;
  /**
   * Shows the events matching `filter`, or the runs when `group`; a no-op when they are shown
   * already, unless `fresh` (the view was opened again: start from the newest).
   */
  openTimeline(filter: TimelineFilter, group: boolean, fresh?: boolean): void;
  /** The row at `index` (undefined while it loads). */
  timelineRow(index: number): LedgerEvent | undefined;
  /** Reads what rows `start..end` need. */
  ensureTimelineRows(start: number, end: number): void;
  /** Whether the list is scrolled to its top: new events then appear at once. */
  setTimelineAtTop(atTop: boolean): void;
  /** Shows the pending new events (the view scrolls to the top). */
  showNewTimelineEvents(): Promise<void>;
  selectTimelineEvent(event: LedgerEvent | null): void;
  loadMoreTimelineRuns(): Promise<void>;
  /** Reloads the grouped runs from the newest (after "new activity"). */
  reloadTimelineRuns(): Promise<void>;
  openTrace(id: string | null): Promise<void>;
  /** Pushed ledger events: new rows, live counts, the open trace. */
  refreshTimeline(): Promise<void>;
}

const idle: TimelineStatus = { total: 0, exact: true, counting: false, fresh: 0, pending: 0, pendingMore: false, loading: false, error: null, generation: 0 };

export const createTimelineSlice: StateCreator<KeelStore, [], [], TimelineSlice> = (set, get) => {
  let rows: Rows | null = null;
  let group = false;
  // Every reset bumps this; answers to older requests are dropped.
  let generation = 0;
  let atTop = true;
  let traceId: string | null = null;
  let traceGeneration = 0;
  let currentKey: string | null = null;
  let currentFilter: TimelineFilter = {};
  let runsGeneration = 0;
  let runsWanted = false;
  let lastVisible = 0;

  const api = () => keelClient();
  const bump = (patch: Partial<TimelineStatus> = {}) =>
    set((s) => ({ timelineVersion: s.timelineVersion + 1, timelineStatus: { ...s.timelineStatus, ...patch } }));
  const fail = (err: unknown) => bump({ error: errorMessage(err), loading: false, counting: false });
  const status = () => get().timelineStatus;

  /** The anchored list's length is known once its head holds every match. */
  function settleHead(r: Rows): void {
    if (r.headNext === null) bump({ total: r.head.length, exact: true, counting: false });
    else if (r.head.length >= status().total) bump({ total: r.head.length + 1, exact: false });
    else bump();
  }

  /**
   * Starts the list again from the newest event. A new filter empties the list and closes the
   * open event; a `soft` restart (too much arrived while the operator watched the top) keeps
   * what is shown until the newest page is there.
   */
  async function reset(filter: TimelineFilter, soft = false): Promise<void> {
    const gen = ++generation;
    const key = filterKey(filter);
    const filtered = hasFilter(filter);
    if (!soft) {
      rows = null;
      set((s) => ({ timelineVersion: s.timelineVersion + 1, timelineStatus: { ...idle, loading: true, counting: filtered, generation: gen }, timelineSelected: null }));
    }
    try {
      const first = await api().call('timeline.query', { ...filter, limit: TIMELINE_PAGE });
      if (gen !== generation) return;
      const r: Rows = {
        key,
        filter,
        filtered,
        anchor: first.headSeq,
        fresh: [],
        head: filtered ? first.events : [],
        headNext: filtered ? first.nextBeforeSeq : null,
        headLoading: false,
        pages: new Map(filtered ? [] : [[0, first.events]]),
        loadingPages: new Set(),
        seen: first.headSeq,
      };
      rows = r;
      const fresh = { fresh: 0, pending: 0, pendingMore: false, generation: gen, loading: false, error: null };
      if (!filtered) {
        // The ledger's seq has no gaps: without filters the list is exactly `anchor` long.
        bump({ ...fresh, total: r.anchor, exact: true, counting: false });
      } else {
        bump({ ...fresh, total: r.head.length + (r.headNext === null ? 0 : 1), exact: r.headNext === null, counting: r.headNext !== null });
        if (r.headNext !== null) void count(r, gen);
      }
    } catch (err) {
      if (gen === generation) fail(err);
    }
  }

  async function count(r: Rows, gen: number): Promise<void> {
    try {
      const c = await api().call('timeline.count', { ...r.filter, atSeq: r.anchor });
      if (gen !== generation) return;
      if (r.headNext === null) return settleHead(r);
      // Never smaller than what has been read already.
      const known = Math.max(r.head.length + 1, ...[...r.pages].map(([p, list]) => p * TIMELINE_PAGE + list.length));
      bump({ total: Math.max(c.total, known), exact: c.exact && c.total >= known, counting: false });
    } catch (err) {
      if (gen === generation) fail(err);
    }
  }

  async function extendHead(r: Rows, gen: number): Promise<void> {
    if (r.headLoading || r.headNext === null) return;
    r.headLoading = true;
    try {
      const page = await api().call('timeline.query', { ...r.filter, beforeSeq: r.headNext, limit: TIMELINE_PAGE * 2 });
      if (gen !== generation) return;
      r.head.push(...page.events);
      r.headNext = page.nextBeforeSeq;
      settleHead(r);
    } catch (err) {
      if (gen === generation) fail(err);
    } finally {
      r.headLoading = false;
    }
  }

  async function loadPage(r: Rows, p: number, gen: number): Promise<void> {
    r.loadingPages.add(p);
    try {
      const page = await api().call('timeline.query', { ...r.filter, beforeSeq: r.anchor + 1, offset: p * TIMELINE_PAGE, limit: TIMELINE_PAGE });
      if (gen !== generation) return;
      r.pages.set(p, page.events);
      const end = p * TIMELINE_PAGE + page.events.length;
      if (page.nextBeforeSeq === null && end < status().total) bump({ total: end, exact: true });
      else if (page.nextBeforeSeq !== null && end >= status().total) bump({ total: end + 1, exact: false });
      else bump();
      evict(r);
    } catch (err) {
      if (gen === generation) fail(err);
    } finally {
      r.loadingPages.delete(p);
    }
  }

  function evict(r: Rows): void {
    if (r.pages.size <= KEEP_PAGES) return;
    const here = Math.floor(lastVisible / TIMELINE_PAGE);
    const far = [...r.pages.keys()].sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
    for (const p of far.slice(0, r.pages.size - KEEP_PAGES)) r.pages.delete(p);
  }

  /** New matching events since the newest seen: on top when the operator is there, else counted. */
  async function readNew(r: Rows, gen: number, show: boolean): Promise<void> {
    const since = r.fresh[0]?.seq ?? r.anchor;
    const page = await api().call('timeline.query', { ...r.filter, afterSeq: Math.max(since, show ? since : r.seen), limit: FRESH_READ });
    if (gen !== generation) return;
    if (!show) {
      if (page.events.length === 0) return;
      r.seen = Math.max(r.seen, page.events[0]!.seq);
      bump({ pending: status().pending + page.events.length, pendingMore: status().pendingMore || page.nextBeforeSeq !== null });
      return;
    }
    if (page.nextBeforeSeq !== null || r.fresh.length + page.events.length > MAX_FRESH) {
      // Too much arrived to keep on top of the old anchor: start again from the newest.
      await reset(r.filter, true);
      return;
    }
    if (page.events.length === 0) {
      if (status().pending) bump({ pending: 0, pendingMore: false });
      return;
    }
    r.fresh = [...page.events, ...r.fresh];
    r.seen = Math.max(r.seen, r.fresh[0]!.seq);
    bump({ fresh: r.fresh.length, pending: 0, pendingMore: false });
  }

  async function loadRuns(more: boolean): Promise<void> {
    const s = get();
    if (s.timelineRunsLoading || (more && !s.timelineRunsCursor)) return;
    const gen = runsGeneration;
    const filter = currentFilter;
    set({ timelineRunsLoading: true });
    try {
      const page = await api().call('timeline.runs', { ...filter, limit: RUNS_PAGE, ...(more ? { cursor: s.timelineRunsCursor! } : {}) });
      if (gen !== runsGeneration) return;
      set((st) => ({
        timelineRuns: more ? [...st.timelineRuns, ...page.runs] : page.runs,
        timelineRunsCursor: page.nextCursor,
        timelineRunsStale: more ? st.timelineRunsStale : false,
      }));
    } catch (err) {
      if (gen === runsGeneration) fail(err);
    } finally {
      if (gen === runsGeneration) set({ timelineRunsLoading: false });
    }
  }

  async function loadTrace(id: string): Promise<void> {
    const gen = ++traceGeneration;
    try {
      const trace = await api().call('runs.trace', { id });
      if (gen === traceGeneration && traceId === id) set({ timelineTrace: trace, timelineTraceError: null });
    } catch (err) {
      if (gen === traceGeneration && traceId === id) set({ timelineTrace: null, timelineTraceError: errorMessage(err) });
    }
  }

  let facetsLoading = false;
  async function loadFacets(): Promise<void> {
    if (facetsLoading) return;
    facetsLoading = true;
    try {
      set({ timelineFacets: await api().call('timeline.facets', {}) });
    } catch {
      // The filter bar still works with typed values.
    } finally {
      facetsLoading = false;
    }
  }

  // Live refreshes are serialised and spaced: a burst of appended events becomes a few reads.
  let liveRunning = false;
  let liveAgain = false;
  let liveTimer: ReturnType<typeof setTimeout> | null = null;
  let lastLive = 0;
  let lastTrace = 0;
  let lastFacets = 0;
  async function live(): Promise<void> {
    if (get().view !== 'timeline') return;
    const r = rows;
    const gen = generation;
    const work: Promise<unknown>[] = [];
    const now = Date.now();
    if (traceId && now - lastTrace >= TRACE_MS) {
      lastTrace = now;
      work.push(loadTrace(traceId));
    } else if (traceId) liveAgain = true;
    if (group) {
      if (atTop) work.push(loadRuns(false));
      else set({ timelineRunsStale: true });
    } else if (r) {
      work.push(readNew(r, gen, atTop && status().pending === 0).catch((err) => gen === generation && fail(err)));
    }
    if (now - lastFacets >= FACETS_MS) {
      lastFacets = now;
      work.push(loadFacets());
    }
    lastLive = now;
    await Promise.all(work);
  }
  function scheduleLive(): void {
    if (liveRunning) {
      liveAgain = true;
      return;
    }
    liveTimer ??= setTimeout(
      () => {
        liveTimer = null;
        liveRunning = true;
        void live().finally(() => {
          liveRunning = false;
          if (liveAgain) {
            liveAgain = false;
            scheduleLive();
          }
        });
      },
      Math.max(0, LIVE_MS - (Date.now() - lastLive)),
    );
  }

  return {
    timelineVersion: 0,
    // Loading until the view asks: an empty ledger's empty state only once that is known.
    timelineStatus: { ...idle, loading: true },
    timelineFacets: null,
    timelineSelected: null,
    timelineRuns: [],
    timelineRunsCursor: null,
    timelineRunsLoading: false,
    timelineRunsStale: false,
    timelineTrace: null,
    timelineTraceError: null,

    openTimeline(filter, wantGroup, fresh = false) {
      const key = filterKey(filter);
      if (!get().timelineFacets || fresh) void loadFacets();
      const changed = fresh || key !== currentKey;
      currentKey = key;
      currentFilter = filter;
      group = wantGroup;
      if (changed) {
        atTop = true;
        void reset(filter);
      }
      if (wantGroup && (changed || !runsWanted)) {
        runsGeneration++;
        set({ timelineRuns: [], timelineRunsCursor: null, timelineRunsStale: false, timelineRunsLoading: false });
        void loadRuns(false);
      }
      runsWanted = wantGroup;
    },

    timelineRow(index) {
      const r = rows;
      if (!r) return undefined;
      if (index < r.fresh.length) return r.fresh[index];
      const j = index - r.fresh.length;
      if (j < r.head.length) return r.head[j];
      return r.pages.get(Math.floor(j / TIMELINE_PAGE))?.[j % TIMELINE_PAGE];
    },

    ensureTimelineRows(start, end) {
      const r = rows;
      if (!r) return;
      const gen = generation;
      const last = status().total - 1;
      const j0 = Math.max(0, start - r.fresh.length);
      const j1 = Math.min(end - r.fresh.length, last);
      lastVisible = j0;
      if (r.filtered) {
        if (r.headNext === null) return;
        // A filtered list finds its end (and so its exact length) by reading on: its head is
        // read a page ahead of what is shown; a jump far past it is read by offset instead.
        const far = j0 - r.head.length > JUMP_ROWS && r.filter.text === undefined;
        if (!far) {
          if (Math.min(j1 + TIMELINE_PAGE, last) >= r.head.length) void extendHead(r, gen);
          return;
        }
      }
      if (j1 < j0) return;
      for (let p = Math.floor(j0 / TIMELINE_PAGE); p <= Math.floor(j1 / TIMELINE_PAGE); p++) {
        if (r.pages.has(p) || r.loadingPages.has(p)) continue;
        if (r.filtered && (p + 1) * TIMELINE_PAGE <= r.head.length) continue;
        void loadPage(r, p, gen);
      }
    },

    setTimelineAtTop(value) {
      const was = atTop;
      atTop = value;
      // Back at the top: what arrived meanwhile just appears.
      if (value && !was) {
        if (group ? get().timelineRunsStale : status().pending > 0) void get()[group ? 'reloadTimelineRuns' : 'showNewTimelineEvents']();
      }
    },

    async showNewTimelineEvents() {
      const r = rows;
      if (!r) return;
      const gen = generation;
      atTop = true;
      try {
        if (status().pendingMore) await reset(r.filter, true);
        else await readNew(r, gen, true);
      } catch (err) {
        if (gen === generation) fail(err);
      }
    },

    selectTimelineEvent(event) {
      set({ timelineSelected: event });
    },

    loadMoreTimelineRuns: () => loadRuns(true),
    reloadTimelineRuns: () => loadRuns(false),

    async openTrace(id) {
      traceId = id;
      if (!id) {
        traceGeneration++;
        set({ timelineTrace: null, timelineTraceError: null });
        return;
      }
      if (get().timelineTrace?.root && !containsRun(get().timelineTrace!, id)) set({ timelineTrace: null });
      set({ timelineTraceError: null });
      await loadTrace(id);
    },

    async refreshTimeline() {
      scheduleLive();
    },
  };
};

function containsRun(trace: RunTrace, id: string): boolean {
  const walk = (r: RunTrace['root']): boolean => r.id === id || r.children.some(walk);
  return walk(trace.root);
}

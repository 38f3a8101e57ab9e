import type { StateCreator } from 'zustand';
import type { LedgerEvent } from '../../../shared/domain/kernel';
import { keelClient } from '../api/client';
import type { KeelStore } from './store';

const PAGE = 100;
const KEEP = 500;

export interface TimelineSlice {
  timeline: LedgerEvent[];
  timelineError: string | null;
  /** Loads the newest events, or (when some are shown) the ones after the newest shown. */
  refreshTimeline(): Promise<void>;
}

/** The ledger, newest first; pushed `ledger.appended` events pull in what is new. */
export const createTimelineSlice: StateCreator<KeelStore, [], [], TimelineSlice> = (set, get) => ({
  timeline: [],
  timelineError: null,
  async refreshTimeline() {
    try {
      // A burst (an ingestion, an agent's run) can append more than a page: read on until caught up.
      for (let page = 0; page < KEEP / PAGE; page++) {
        const newest = get().timeline[0]?.seq;
        const { events } = await keelClient().call(
          'ledger.list',
          newest === undefined ? { order: 'desc', limit: PAGE } : { order: 'asc', afterSeq: newest, limit: PAGE },
        );
        const fresh = newest === undefined ? events : [...events].reverse();
        const seen = new Set(get().timeline.map((e) => e.seq));
        set({ timeline: [...fresh.filter((e) => !seen.has(e.seq)), ...get().timeline].slice(0, KEEP), timelineError: null });
        if (newest === undefined || events.length < PAGE) break;
      }
    } catch (err) {
      set({ timelineError: err instanceof Error ? err.message : String(err) });
    }
  },
});

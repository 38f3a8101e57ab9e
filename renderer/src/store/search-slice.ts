import type { StateCreator } from 'zustand';
import type { MemoryKind, SearchFilters, SearchResult } from '../../../shared/domain/memory';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

/** Typing pauses shorter than this are one query. */
const DEBOUNCE_MS = 150;
const LIMIT = 30;

export interface SearchOptions {
  types: 'all' | 'chunk' | 'memory';
  kinds: MemoryKind[];
  /** A day (yyyy-mm-dd): what was true at its end. Empty: now. */
  asOf: string;
}

export interface SearchSlice {
  searchQuery: string;
  searchOptions: SearchOptions;
  searchResult: SearchResult | null;
  searching: boolean;
  searchError: string | null;
  setSearchQuery(query: string): void;
  setSearchOptions(patch: Partial<SearchOptions>): void;
  /** Runs the current query again (memories or documents changed under it). */
  refreshSearch(): void;
}

function filtersOf(o: SearchOptions): SearchFilters | undefined {
  const f: SearchFilters = {};
  if (o.types !== 'all') f.types = [o.types];
  if (o.kinds.length && o.types !== 'chunk') f.kinds = o.kinds;
  if (o.asOf) {
    const end = new Date(`${o.asOf}T23:59:59.999`);
    if (!Number.isNaN(end.getTime())) f.asOf = end.toISOString();
  }
  return Object.keys(f).length ? f : undefined;
}

/** Search as you type: debounced, and an answer to an older query never replaces a newer one. */
export const createSearchSlice: StateCreator<KeelStore, [], [], SearchSlice> = (set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  const run = async () => {
    const seq = ++latest;
    const query = get().searchQuery.trim();
    if (!query) return set({ searchResult: null, searching: false, searchError: null });
    set({ searching: true });
    try {
      const filters = filtersOf(get().searchOptions);
      const result = await keelClient().call('memory.search', { query, limit: LIMIT, ...(filters ? { filters } : {}) });
      if (seq === latest) set({ searchResult: result, searching: false, searchError: null });
    } catch (err) {
      if (seq === latest) set({ searching: false, searchError: errorMessage(err) });
    }
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    // Bump now, so an answer already on its way for the previous text is dropped.
    latest++;
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, DEBOUNCE_MS);
  };

  return {
    searchQuery: '',
    searchOptions: { types: 'all', kinds: [], asOf: '' },
    searchResult: null,
    searching: false,
    searchError: null,
    setSearchQuery(searchQuery) {
      set({ searchQuery });
      schedule();
    },
    setSearchOptions(patch) {
      set({ searchOptions: { ...get().searchOptions, ...patch } });
      schedule();
    },
    refreshSearch() {
      if (get().searchQuery.trim()) schedule();
    },
  };
};

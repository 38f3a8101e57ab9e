import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../shared/api/contract';
import type { Memory } from '../../../shared/domain/memory';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

const RECENT = 50;

export type MemoryCommand = CallInput<'memory.setStatus'>['action'];
export type RememberInput = CallInput<'memory.remember'>;

export interface MemoryDetail {
  id: string;
  data: CallOutput<'memory.get'> | null;
  error: string | null;
  /** Set when the memory was forgotten from this page: its change can still be undone. */
  forgottenBy: string | null;
}

export interface MemoriesSlice {
  recentMemories: Memory[];
  recentCursor: string | null;
  recentLoaded: boolean;
  memoriesError: string | null;
  memoryDetail: MemoryDetail | null;
  /** The last change made from the UI, for its Undo button. */
  lastMemoryChange: { changeId: string; label: string } | null;
  refreshRecentMemories(): Promise<void>;
  loadMoreMemories(): Promise<void>;
  openMemory(id: string): Promise<void>;
  memoryCommand(id: string, action: MemoryCommand): Promise<void>;
  editMemory(id: string, text: string): Promise<boolean>;
  undoMemoryChange(changeId: string): Promise<void>;
  remember(input: RememberInput): Promise<Memory | null>;
}

const LABELS: Record<MemoryCommand, string> = {
  pin: 'Pinned',
  unpin: 'Unpinned',
  archive: 'Archived',
  mark_stale: 'Marked stale',
  confirm: 'Confirmed',
  forget: 'Forgotten',
  activate: 'Reactivated',
};

/** Recent memories, one memory's page with its history, and the operator's edits to them. */
export const createMemoriesSlice: StateCreator<KeelStore, [], [], MemoriesSlice> = (set, get) => {
  let recentGen = 0;
  let detailGen = 0;

  /** Runs a change; failures are shown, not thrown; the pushed memory.changed reloads the rest. */
  const change = async (label: string, fn: () => Promise<{ changeId: string }>): Promise<string | null> => {
    try {
      const { changeId } = await fn();
      set({ lastMemoryChange: { changeId, label }, memoriesError: null });
      return changeId;
    } catch (err) {
      set({ memoriesError: errorMessage(err) });
      return null;
    }
  };

  return {
    recentMemories: [],
    recentCursor: null,
    recentLoaded: false,
    memoriesError: null,
    memoryDetail: null,
    lastMemoryChange: null,

    async refreshRecentMemories() {
      const gen = ++recentGen;
      try {
        const limit = Math.min(500, Math.max(RECENT, get().recentMemories.length));
        const out = await keelClient().call('memory.list', { statuses: ['active', 'pending_review', 'stale'], limit });
        if (gen === recentGen) set({ recentMemories: out.memories, recentCursor: out.nextCursor, recentLoaded: true });
      } catch (err) {
        if (gen === recentGen) set({ memoriesError: errorMessage(err) });
      }
    },
    async loadMoreMemories() {
      const cursor = get().recentCursor;
      if (!cursor) return;
      const gen = recentGen;
      try {
        const out = await keelClient().call('memory.list', { statuses: ['active', 'pending_review', 'stale'], limit: RECENT, cursor });
        if (gen !== recentGen) return;
        const seen = new Set(get().recentMemories.map((m) => m.id));
        set({ recentMemories: [...get().recentMemories, ...out.memories.filter((m) => !seen.has(m.id))], recentCursor: out.nextCursor });
      } catch (err) {
        set({ memoriesError: errorMessage(err) });
      }
    },

    async openMemory(id) {
      const gen = ++detailGen;
      const shown = get().memoryDetail;
      if (shown?.id !== id) set({ memoryDetail: { id, data: null, error: null, forgottenBy: null } });
      try {
        const data = await keelClient().call('memory.get', { id });
        if (gen === detailGen) set({ memoryDetail: { id, data, error: null, forgottenBy: null } });
      } catch (err) {
        if (gen !== detailGen) return;
        const now = get().memoryDetail;
        set({ memoryDetail: { id, data: null, error: errorMessage(err), forgottenBy: now?.id === id ? now.forgottenBy : null } });
      }
    },

    async memoryCommand(id, action) {
      const changeId = await change(LABELS[action], () => keelClient().call('memory.setStatus', { id, action }));
      const d = get().memoryDetail;
      if (changeId && action === 'forget' && d?.id === id) set({ memoryDetail: { ...d, forgottenBy: changeId } });
    },
    async editMemory(id, text) {
      return (await change('Edited', () => keelClient().call('memory.update', { id, text }))) !== null;
    },
    async undoMemoryChange(changeId) {
      const undone = await change('Undone', () => keelClient().call('memory.undo', { changeId }));
      // Undoing what was just done leaves nothing to undo from the bar.
      if (undone) set({ lastMemoryChange: null });
    },
    async remember(input) {
      try {
        const { memory, changeId } = await keelClient().call('memory.remember', input);
        set({ lastMemoryChange: { changeId, label: 'Remembered' }, memoriesError: null });
        void get().refreshRecentMemories();
        return memory;
      } catch (err) {
        set({ memoriesError: errorMessage(err) });
        return null;
      }
    },
  };
};

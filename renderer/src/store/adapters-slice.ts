import type { StateCreator } from 'zustand';
import type { AdapterInfo } from '../../../shared/domain/kernel';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export interface AdaptersSlice {
  adapters: AdapterInfo[];
  adaptersLoaded: boolean;
  adaptersError: string | null;
  /** How many mounted views show the connections: pushed events reload them only while shown. */
  adaptersWatchers: number;
  refreshAdapters(): Promise<void>;
  /** Called by a view showing the connections; returns its release. */
  watchAdapters(): () => void;
}

/** Keel's adapters (its connections to the outside world): versions, actions with their risk, health. */
export const createAdaptersSlice: StateCreator<KeelStore, [], [], AdaptersSlice> = (set) => ({
  adapters: [],
  adaptersLoaded: false,
  adaptersError: null,
  adaptersWatchers: 0,

  async refreshAdapters() {
    try {
      const { adapters } = await keelClient().call('adapters.list');
      set({ adapters, adaptersLoaded: true, adaptersError: null });
    } catch (err) {
      set({ adaptersError: errorMessage(err) });
    }
  },
  watchAdapters() {
    set((s) => ({ adaptersWatchers: s.adaptersWatchers + 1 }));
    return () => set((s) => ({ adaptersWatchers: s.adaptersWatchers - 1 }));
  },
});

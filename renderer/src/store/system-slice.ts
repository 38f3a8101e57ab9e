import type { StateCreator } from 'zustand';
import type { SystemStatus } from '../../../shared/domain/system';
import { keelClient } from '../api/client';
import type { KeelStore } from './store';

export interface SystemSlice {
  status: SystemStatus | null;
  statusError: string | null;
  setStatus(status: SystemStatus): void;
  refreshStatus(): Promise<void>;
}

export const createSystemSlice: StateCreator<KeelStore, [], [], SystemSlice> = (set) => ({
  status: null,
  statusError: null,
  setStatus: (status) => set({ status, statusError: null }),
  async refreshStatus() {
    try {
      set({ status: await keelClient().call('system.status'), statusError: null });
    } catch (err) {
      set({ statusError: err instanceof Error ? err.message : String(err) });
    }
  },
});

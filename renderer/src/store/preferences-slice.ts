import type { StateCreator } from 'zustand';
import type { CallInput } from '../../../shared/api/contract';
import type { Preferences } from '../../../shared/domain/inbox';
import type { Budget, Risk } from '../../../shared/domain/kernel';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export interface KernelLimits {
  riskThreshold: Risk;
  concurrency: number;
}

export interface PreferencesSlice {
  preferences: Preferences | null;
  kernelLimits: KernelLimits | null;
  budgets: Budget[];
  deskError: string | null;
  deskNotice: string | null;
  refreshPreferences(): Promise<void>;
  setPreferences(p: Preferences): void;
  /** Saves and says so; the previous value comes back if the core refuses (optimistic). */
  savePreferences(patch: CallInput<'preferences.set'>, notice: string): Promise<boolean>;
  refreshDesk(): Promise<void>;
  saveRiskThreshold(risk: Risk): Promise<boolean>;
  saveConcurrency(global: number): Promise<boolean>;
  saveBudget(b: CallInput<'budgets.set'>): Promise<boolean>;
}

/** The operator's preferences (theme, notifications, undo window) and the kernel's limits and budgets. */
export const createPreferencesSlice: StateCreator<KeelStore, [], [], PreferencesSlice> = (set, get) => {
  const attempt = async (fn: () => Promise<unknown>, notice: string, rollback?: () => void): Promise<boolean> => {
    try {
      await fn();
      set({ deskError: null, deskNotice: notice });
      return true;
    } catch (err) {
      rollback?.();
      set({ deskError: errorMessage(err), deskNotice: null });
      return false;
    }
  };
  return {
    preferences: null,
    kernelLimits: null,
    budgets: [],
    deskError: null,
    deskNotice: null,
    async refreshPreferences() {
      try {
        set({ preferences: await keelClient().call('preferences.get', {}) });
      } catch (err) {
        set({ deskError: errorMessage(err) });
      }
    },
    setPreferences: (preferences) => set({ preferences }),
    savePreferences(patch, notice) {
      const before = get().preferences;
      if (before) set({ preferences: { ...before, ...patch, notifications: { ...before.notifications, ...patch.notifications } } });
      return attempt(async () => set({ preferences: await keelClient().call('preferences.set', patch) }), notice, () => set({ preferences: before }));
    },
    async refreshDesk() {
      try {
        const [status, budgets] = await Promise.all([keelClient().call('kernel.status', {}), keelClient().call('budgets.get', {})]);
        set({ kernelLimits: { riskThreshold: status.riskThreshold, concurrency: status.concurrency }, budgets: budgets.budgets });
      } catch (err) {
        set({ deskError: errorMessage(err) });
      }
    },
    saveRiskThreshold: (risk) => attempt(() => keelClient().call('kernel.setRiskThreshold', { risk }).then(() => get().refreshDesk()), `Approvals are now needed from ${risk} risk up.`),
    saveConcurrency: (global) => attempt(() => keelClient().call('kernel.setConcurrency', { global }).then(() => get().refreshDesk()), `At most ${global} runs at once.`),
    saveBudget: (b) =>
      attempt(
        () => keelClient().call('budgets.set', b).then(() => get().refreshDesk()),
        `The ${b.period === 'day' ? 'daily' : 'monthly'} cap of ${b.name} is ${b.maxUsd === null && b.maxTokens === null ? 'removed' : 'saved'}.`,
      ),
  };
};

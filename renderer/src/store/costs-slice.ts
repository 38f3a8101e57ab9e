import type { StateCreator } from 'zustand';
import type { CostReport } from '../../../shared/domain/insights';
import { ApiError } from '../../../shared/api/errors';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import { rangeStart, type CostRange } from '../views/costs/range';
import type { KeelStore } from './store';

/** The zone the operator's days are counted in (the core counts them the same way). */
const timeZone = (): string | undefined => Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;

/** The figures in the operator's zone; a zone the core's database does not know falls back to UTC days. */
async function report(range: CostRange): Promise<CostReport> {
  const from = rangeStart(range);
  try {
    return await keelClient().call('insights.costs', { from, timeZone: timeZone() });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'invalid_input' && /timeZone/.test(err.message)) return keelClient().call('insights.costs', { from });
    throw err;
  }
}

export interface CostsSlice {
  costs: CostReport | null;
  /** The range `costs` answers; it differs from `costsRange` while another range loads. */
  costsFor: CostRange | null;
  /** The range last asked for (a refresh pushed by the ledger asks for it again). */
  costsRange: CostRange;
  costsLoading: boolean;
  costsError: string | null;
  refreshCosts(range?: CostRange): Promise<void>;
}

/** What the agents cost and did, summed by the core from the ledger (`insights.costs`). */
export const createCostsSlice: StateCreator<KeelStore, [], [], CostsSlice> = (set, get) => {
  // Only the latest answer is shown: a slow 90-day answer must not replace a later 7-day one.
  let latest = 0;
  return {
    costs: null,
    costsFor: null,
    costsRange: 30,
    costsLoading: false,
    costsError: null,
    async refreshCosts(range = get().costsRange) {
      const ticket = ++latest;
      set({ costsRange: range, costsLoading: true });
      try {
        const costs = await report(range);
        if (ticket === latest) set({ costs, costsFor: range, costsLoading: false, costsError: null });
      } catch (err) {
        if (ticket === latest) set({ costsLoading: false, costsError: errorMessage(err) });
      }
    },
  };
};

import type { StateCreator } from 'zustand';
import type { CallInput } from '../../../shared/api/contract';
import type { CanaryComparison, ModelRef, ModelTier, ModelUsage, Price, ProviderCheck, ProviderConfig, TierSetting } from '../../../shared/domain/models';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type ProviderDraft = CallInput<'models.saveProvider'>['provider'];
/** undefined keeps the stored key, null removes it, a string replaces it. */
export type KeyChange = string | null | undefined;

export type UsagePeriod = 'today' | 'week' | 'month' | 'all';

/** Where a usage period starts (local time), as an ISO timestamp; null for all time. */
export function periodStart(period: UsagePeriod, now = new Date()): string | null {
  if (period === 'all') return null;
  const d = new Date(now.getFullYear(), now.getMonth(), period === 'month' ? 1 : now.getDate());
  if (period === 'week') d.setDate(d.getDate() - 6);
  return d.toISOString();
}

export interface ProviderTest {
  model: string;
  state: 'running' | 'done';
  result: ProviderCheck | null;
}

export interface ModelsSlice {
  providers: ProviderConfig[];
  tiers: TierSetting[];
  prices: Price[];
  comparisons: Partial<Record<ModelTier, CanaryComparison>>;
  usage: ModelUsage | null;
  usagePeriod: UsagePeriod;
  /** The last "Test" of each provider, by provider id. */
  providerTests: Record<string, ProviderTest>;
  modelsLoaded: boolean;
  modelsError: string | null;
  /** The price table failed to load (the rest of the settings still work). */
  pricesError: string | null;
  modelsNotice: string | null;
  refreshModels(): Promise<void>;
  refreshUsage(period?: UsagePeriod): Promise<void>;
  saveProvider(provider: ProviderDraft, apiKey: KeyChange): Promise<ProviderConfig | null>;
  removeProvider(id: string): Promise<void>;
  testProvider(provider: string, model: string): Promise<void>;
  setTier(tier: ModelTier, model: ModelRef): Promise<void>;
  stageCanary(tier: ModelTier, model: ModelRef, share: number): Promise<void>;
  promoteCanary(tier: ModelTier): Promise<void>;
  rollbackCanary(tier: ModelTier): Promise<void>;
  compareTier(tier: ModelTier): Promise<void>;
  /** The side-by-side figures of every tier with a canary. */
  refreshComparisons(): Promise<void>;
  setPrice(price: Price): Promise<boolean>;
}

/** Language models: providers, tiers and their canaries, prices and what was spent. */
export const createModelsSlice: StateCreator<KeelStore, [], [], ModelsSlice> = (set, get) => {
  const fail = (err: unknown) => set({ modelsError: errorMessage(err), modelsNotice: null });
  /** Runs a change; the pushed models.changed reloads the lists. */
  const change = async (fn: () => Promise<unknown>, notice: string): Promise<boolean> => {
    try {
      await fn();
      set({ modelsError: null, modelsNotice: notice });
      return true;
    } catch (err) {
      fail(err);
      return false;
    }
  };
  return {
    providers: [],
    tiers: [],
    prices: [],
    comparisons: {},
    usage: null,
    usagePeriod: 'month',
    providerTests: {},
    modelsLoaded: false,
    modelsError: null,
    pricesError: null,
    modelsNotice: null,

    async refreshModels() {
      const client = keelClient();
      const pricesRead = client.call('models.prices').then(
        ({ prices }) => set({ prices, pricesError: null }),
        (err: unknown) => set({ pricesError: errorMessage(err) }),
      );
      try {
        const [{ providers }, { tiers }] = await Promise.all([client.call('models.providers'), client.call('models.tiers')]);
        set({ providers, tiers, modelsLoaded: true });
        await Promise.all([pricesRead, get().refreshComparisons()]);
      } catch (err) {
        fail(err);
      }
    },
    async refreshUsage(period = get().usagePeriod) {
      set({ usagePeriod: period });
      try {
        const since = periodStart(period);
        const usage = await keelClient().call('models.usage', since ? { since } : {});
        if (get().usagePeriod === period) set({ usage });
      } catch (err) {
        fail(err);
      }
    },
    async saveProvider(provider, apiKey) {
      try {
        const saved = await keelClient().call('models.saveProvider', { provider, ...(apiKey !== undefined ? { apiKey } : {}) });
        // The pushed models.changed reloads the lists.
        set({ modelsError: null, modelsNotice: `Provider “${saved.label}” saved${apiKey === null ? '; its key was removed' : apiKey ? '; its key is stored encrypted' : ''}.` });
        return saved;
      } catch (err) {
        fail(err);
        return null;
      }
    },
    removeProvider: (id) => change(() => keelClient().call('models.removeProvider', { id }), `Provider “${id}” removed.`).then(() => undefined),
    async testProvider(provider, model) {
      const at = (t: ProviderTest) => set((s) => ({ providerTests: { ...s.providerTests, [provider]: t } }));
      at({ model, state: 'running', result: null });
      try {
        at({ model, state: 'done', result: await keelClient().call('models.testProvider', { provider, model }) });
      } catch (err) {
        at({ model, state: 'done', result: { ok: false, latencyMs: 0, kind: 'error', message: errorMessage(err) } });
      }
    },
    setTier: (tier, model) => change(() => keelClient().call('models.setTier', { tier, model }), `The ${tier} tier now uses ${model.model} on ${model.provider}.`).then(() => undefined),
    stageCanary: (tier, model, share) =>
      change(() => keelClient().call('models.stageCanary', { tier, model, share }), `${model.model} staged on ${Math.round(share * 100)}% of the ${tier} tier's runs.`).then(() => undefined),
    promoteCanary: (tier) => change(() => keelClient().call('models.promoteCanary', { tier }), `The canary is now the ${tier} tier's model.`).then(() => undefined),
    rollbackCanary: (tier) => change(() => keelClient().call('models.rollbackCanary', { tier }), `The ${tier} tier's canary was rolled back.`).then(() => undefined),
    async refreshComparisons() {
      await Promise.all(get().tiers.filter((t) => t.canary).map((t) => get().compareTier(t.tier)));
    },
    async compareTier(tier) {
      try {
        const comparison = await keelClient().call('models.compare', { tier });
        set((s) => ({ comparisons: { ...s.comparisons, [tier]: comparison } }));
      } catch (err) {
        fail(err);
      }
    },
    setPrice: (price) => change(() => keelClient().call('models.setPrice', price), `Price of ${price.model} (${price.provider === '*' ? 'any provider' : price.provider}) saved.`),
  };
};

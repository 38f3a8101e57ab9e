import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { ModelRef, Price, ProviderConfig, TierSetting, type CanaryComparison, type ModelTier, type ModelUsage, type ProviderCheck } from '../../../shared/domain/models';
import { ApiError } from '../../../shared/api/errors';
import type { Kernel } from '../kernel/kernel';
import { BuiltinProvider } from './builtin/builtin-provider';
import { costOf, DEFAULT_PRICES } from './prices';
import { compareArms, modelUsage } from './ledger-figures';
import { ProviderError, type ModelProvider } from './provider';
import { OpenAiCompatibleProvider } from './providers/openai-compatible';
import { LocalGgufProvider } from './providers/local-gguf';

/** Where API keys live (encrypted at rest); the model layer only ever reads them. */
export interface KeyStore {
  get(id: string): Promise<string | null | undefined>;
  set(id: string, value: string): Promise<void>;
  delete(id: string): Promise<unknown>;
}

export const BUILTIN: ProviderConfig = { id: 'builtin', kind: 'builtin', label: 'Built-in (no model)', hasKey: false, structuredOutput: 'none', timeoutMs: 60_000 };
const DEFAULT_TIER = (tier: ModelTier): TierSetting => ({ tier, model: { provider: 'builtin', model: 'builtin' }, canary: null });
const keyId = (provider: string) => `model-provider:${provider}`;

/**
 * Language-model settings and providers (DESIGN.md §5): providers (endpoint, key, structured
 * output mode), tiers mapped to a provider and model, canaries staged on a share of a tier's
 * runs, and the price table. Every change is a ledger event (never with a key in it).
 */
export class ModelService {
  readonly builtin = new BuiltinProvider();
  private readonly instances = new Map<string, ModelProvider>();

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; keys: KeyStore; notify?: (event: string, payload: unknown) => void }) {}

  /**
   * Settings as last read: every model call resolves a tier and prices its tokens, and this
   * service is the only writer, so a change (changed()) is what drops them.
   */
  private cached: { providers?: Promise<ProviderConfig[]>; tiers?: Promise<TierSetting[]>; prices?: Promise<Price[]> } = {};

  private memo<K extends keyof ModelService['cached']>(key: K, read: () => NonNullable<ModelService['cached'][K]>): NonNullable<ModelService['cached'][K]> {
    const cached = this.cached[key];
    if (cached) return cached as NonNullable<ModelService['cached'][K]>;
    const p = read();
    this.cached[key] = p;
    // A failed read is not kept: the next call reads again.
    p.catch(() => this.cached[key] === p && delete this.cached[key]);
    return p;
  }

  providers(): Promise<ProviderConfig[]> {
    return this.memo('providers', () => this.readProviders());
  }

  private async readProviders(): Promise<ProviderConfig[]> {
    const { rows } = await this.deps.db.query<{ config: unknown }>('SELECT config FROM model_providers ORDER BY id');
    return [BUILTIN, ...rows.map((r) => ProviderConfig.parse(r.config))];
  }

  async providerConfig(id: string): Promise<ProviderConfig> {
    const found = (await this.providers()).find((p) => p.id === id);
    if (!found) throw new ApiError({ code: 'not_found', message: `There is no model provider "${id}".` });
    return found;
  }

  /** Adds or changes a provider; `apiKey` undefined keeps the stored key, null removes it. */
  async saveProvider(input: ProviderConfig, apiKey?: string | null): Promise<ProviderConfig> {
    if (input.id === 'builtin') throw new ApiError({ code: 'invalid_input', message: 'The builtin provider cannot be changed.' });
    if (input.kind === 'openai-compatible' && !input.baseUrl) throw new ApiError({ code: 'invalid_input', message: 'An OpenAI-compatible provider needs a base URL (for example http://127.0.0.1:11434/v1 for Ollama).' });
    if (input.kind === 'local-gguf' && !input.modelPath) throw new ApiError({ code: 'invalid_input', message: 'A local GGUF provider needs a model file.' });
    if (apiKey) await this.deps.keys.set(keyId(input.id), apiKey);
    else if (apiKey === null) await this.deps.keys.delete(keyId(input.id));
    const hasKey = apiKey === undefined ? Boolean(await this.deps.keys.get(keyId(input.id))) : Boolean(apiKey);
    const config = ProviderConfig.parse({ ...input, hasKey });
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO model_providers (id, kind, config, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, config = EXCLUDED.config, updated_at = now()`,
        [config.id, config.kind, JSON.stringify(config)],
      );
      log({ type: 'models.provider_saved', actor: { kind: 'operator', name: 'operator' }, data: { id: config.id, kind: config.kind, baseUrl: config.baseUrl ?? null, hasKey, keyChanged: apiKey !== undefined } });
    });
    await this.drop(config.id);
    this.changed();
    return config;
  }

  async removeProvider(id: string): Promise<void> {
    const users = (await this.tiers()).filter((t) => t.model.provider === id || t.canary?.model.provider === id);
    if (users.length) throw new ApiError({ code: 'conflict', message: `Provider "${id}" is used by the ${users.map((t) => t.tier).join(' and ')} tier; assign another model first.` });
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query('DELETE FROM model_providers WHERE id = $1', [id]);
      log({ type: 'models.provider_removed', actor: { kind: 'operator', name: 'operator' }, data: { id } });
    });
    await this.deps.keys.delete(keyId(id));
    await this.drop(id);
    this.changed();
  }

  tiers(): Promise<TierSetting[]> {
    return this.memo('tiers', () => this.readTiers());
  }

  private async readTiers(): Promise<TierSetting[]> {
    const { rows } = await this.deps.db.query<{ tier: ModelTier; provider: string; model: string; canary: unknown }>('SELECT * FROM model_tiers');
    return (['fast', 'strong'] as const).map((tier) => {
      const r = rows.find((x) => x.tier === tier);
      return r ? TierSetting.parse({ tier, model: { provider: r.provider, model: r.model }, canary: r.canary ?? null }) : DEFAULT_TIER(tier);
    });
  }

  async tier(tier: ModelTier): Promise<TierSetting> {
    return (await this.tiers()).find((t) => t.tier === tier)!;
  }

  async setTier(tier: ModelTier, model: ModelRef): Promise<TierSetting> {
    await this.providerConfig(model.provider);
    return this.writeTier({ ...(await this.tier(tier)), model }, 'models.tier_set', { model });
  }

  /** Stages `model` on `share` of the tier's runs; the rest keep the tier's model. */
  async stageCanary(tier: ModelTier, model: ModelRef, share: number): Promise<TierSetting> {
    await this.providerConfig(model.provider);
    if (!(share > 0 && share < 1)) throw new ApiError({ code: 'invalid_input', message: 'A canary share is between 0 and 1 (for example 0.1 for 10% of runs).' });
    const canary = { model, share, startedAt: new Date(this.deps.kernel.clock.now()).toISOString() };
    return this.writeTier({ ...(await this.tier(tier)), canary }, 'models.canary_staged', { canary });
  }

  /** The canary becomes the tier's model. */
  async promoteCanary(tier: ModelTier): Promise<TierSetting> {
    const t = await this.tier(tier);
    if (!t.canary) throw new ApiError({ code: 'conflict', message: `The ${tier} tier has no canary to promote.` });
    return this.writeTier({ tier, model: t.canary.model, canary: null }, 'models.canary_promoted', { from: t.model, to: t.canary.model });
  }

  async rollbackCanary(tier: ModelTier): Promise<TierSetting> {
    const t = await this.tier(tier);
    if (!t.canary) throw new ApiError({ code: 'conflict', message: `The ${tier} tier has no canary to roll back.` });
    return this.writeTier({ ...t, canary: null }, 'models.canary_rolled_back', { canary: t.canary.model });
  }

  private async writeTier(t: TierSetting, type: string, data: unknown): Promise<TierSetting> {
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO model_tiers (tier, provider, model, canary, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (tier) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model, canary = EXCLUDED.canary, updated_at = now()`,
        [t.tier, t.model.provider, t.model.model, t.canary ? JSON.stringify(t.canary) : null],
      );
      log({ type, actor: { kind: 'operator', name: 'operator' }, data: { tier: t.tier, ...(data as object) } });
    });
    this.changed();
    return t;
  }

  /**
   * The model a run's call on `tier` uses. A run stays in one arm for all its calls (its id
   * decides), so a canary's outcomes (approvals, edits) belong to that arm alone.
   */
  async resolve(tier: ModelTier, runId: string): Promise<{ ref: ModelRef; arm: 'main' | 'canary' }> {
    const t = await this.tier(tier);
    if (t.canary && armDraw(runId, tier) < t.canary.share) return { ref: t.canary.model, arm: 'canary' };
    return { ref: t.model, arm: 'main' };
  }

  prices(): Promise<Price[]> {
    return this.memo('prices', () => this.readPrices());
  }

  private async readPrices(): Promise<Price[]> {
    const { rows } = await this.deps.db.query<{ provider: string; model: string; input_per_mtok: number; output_per_mtok: number }>('SELECT * FROM model_prices ORDER BY provider, model');
    const stored = rows.map((r) => ({ provider: r.provider, model: r.model, inputPerMTok: r.input_per_mtok, outputPerMTok: r.output_per_mtok }));
    const defaults = DEFAULT_PRICES.map((p) => ({ provider: '*', ...p })).filter((d) => !stored.some((s) => s.provider === '*' && s.model === d.model));
    return [...stored, ...defaults];
  }

  async setPrice(price: Price): Promise<Price> {
    const p = Price.parse(price);
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO model_prices (provider, model, input_per_mtok, output_per_mtok) VALUES ($1, $2, $3, $4)
         ON CONFLICT (provider, model) DO UPDATE SET input_per_mtok = EXCLUDED.input_per_mtok, output_per_mtok = EXCLUDED.output_per_mtok`,
        [p.provider, p.model, p.inputPerMTok, p.outputPerMTok],
      );
      log({ type: 'models.price_set', actor: { kind: 'operator', name: 'operator' }, data: p });
    });
    this.changed();
    return p;
  }

  /** Money for a call: the provider's own price for the model, else the '*' row for the model name; local models cost 0. */
  async cost(ref: ModelRef, usage: { inputTokens: number; outputTokens: number }): Promise<number> {
    const config = await this.providerConfig(ref.provider);
    if (config.kind !== 'openai-compatible') return 0;
    const prices = await this.prices();
    const price = prices.find((p) => p.provider === ref.provider && p.model === ref.model) ?? prices.find((p) => p.provider === '*' && p.model === ref.model);
    return costOf(price, usage);
  }

  /** A tier's model and canary side by side, from the ledger. */
  async compare(tier: ModelTier): Promise<CanaryComparison> {
    return compareArms(this.deps.db, await this.tier(tier));
  }

  usage(since: string | null): Promise<ModelUsage> {
    return modelUsage(this.deps.db, since);
  }

  /** Tries a provider's model with a one-line prompt (Settings' "Test" button); errors are the answer, not thrown. */
  async check(ref: ModelRef): Promise<ProviderCheck> {
    const started = performance.now();
    try {
      const p = await this.provider(ref.provider);
      const r = await p.generate({ model: ref.model, messages: [{ role: 'user', content: 'Reply with the single word: ready' }], maxTokens: 8, temperature: 0, task: 'check', input: {}, signal: AbortSignal.timeout(60_000) });
      return { ok: true, latencyMs: r.latencyMs, reply: r.text.trim().slice(0, 200), inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
    } catch (err) {
      const kind = err instanceof ProviderError ? err.kind : err instanceof ApiError ? err.code : 'error';
      return { ok: false, latencyMs: performance.now() - started, kind, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The provider behind an id, created once and reused (connections, loaded weights). */
  async provider(id: string): Promise<ModelProvider> {
    if (id === 'builtin') return this.builtin;
    const cached = this.instances.get(id);
    if (cached) return cached;
    const config = await this.providerConfig(id);
    const made = await this.make(config);
    this.instances.set(id, made);
    return made;
  }

  private async make(config: ProviderConfig): Promise<ModelProvider> {
    if (config.kind === 'openai-compatible') {
      const apiKey = (await this.deps.keys.get(keyId(config.id))) ?? undefined;
      return new OpenAiCompatibleProvider({ baseUrl: config.baseUrl!, apiKey, structuredOutput: config.structuredOutput, timeoutMs: config.timeoutMs });
    }
    if (config.kind === 'local-gguf') return new LocalGgufProvider({ modelPath: config.modelPath! });
    return this.builtin;
  }

  private async drop(id: string): Promise<void> {
    const old = this.instances.get(id);
    this.instances.delete(id);
    await old?.close?.();
  }

  private changed(): void {
    this.cached = {};
    this.deps.notify?.('models.changed', {});
  }

  async close(): Promise<void> {
    for (const id of [...this.instances.keys()]) await this.drop(id);
  }
}

/** A run's fixed draw in [0, 1) for a tier: the same on every replay and every restart. */
export function armDraw(runId: string, tier: ModelTier): number {
  return createHash('sha256').update(`${runId}\u0000${tier}`).digest().readUInt32BE(0) / 2 ** 32;
}

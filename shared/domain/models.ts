import { z } from 'zod';

/** Language-model domain types (DESIGN.md §5), declared once; core and API derive from them. */

export const ModelTier = z.enum(['fast', 'strong']);
export type ModelTier = z.infer<typeof ModelTier>;

export const ProviderKind = z.enum(['builtin', 'openai-compatible', 'local-gguf']);
export type ProviderKind = z.infer<typeof ProviderKind>;

/**
 * How an OpenAI-compatible endpoint is asked for structured output. Local servers differ:
 * `auto` tries `json_schema`, then `json_object`, then plain instructions, and remembers
 * what the endpoint accepted.
 */
export const StructuredMode = z.enum(['auto', 'json_schema', 'json_object', 'none']);
export type StructuredMode = z.infer<typeof StructuredMode>;

const ProviderId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, dot, dash or underscore');

export const ProviderConfig = z.object({
  id: ProviderId,
  kind: ProviderKind,
  label: z.string().min(1).max(100),
  /** openai-compatible: e.g. http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:1234/v1 (LM Studio). */
  baseUrl: z.string().url().optional(),
  /** Whether an API key is stored for it (the key itself never leaves the core). */
  hasKey: z.boolean().default(false),
  structuredOutput: StructuredMode.default('auto'),
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  /** local-gguf: the model file. */
  modelPath: z.string().optional(),
});
export type ProviderConfig = z.infer<typeof ProviderConfig>;

/** A model as a tier uses it: which provider, which model name there. */
export const ModelRef = z.object({ provider: ProviderId, model: z.string().min(1).max(200) });
export type ModelRef = z.infer<typeof ModelRef>;

/** A model staged on a share of a tier's runs, compared with the tier's model before promotion. */
export const Canary = z.object({
  model: ModelRef,
  share: z.number().min(0).max(1),
  startedAt: z.string(),
});
export type Canary = z.infer<typeof Canary>;

export const TierSetting = z.object({
  tier: ModelTier,
  model: ModelRef,
  canary: Canary.nullable().default(null),
});
export type TierSetting = z.infer<typeof TierSetting>;

/** US dollars per million tokens; local models cost 0. */
export const Price = z.object({
  /** A provider's id, or '*' for the model on any provider. */
  provider: z.union([ProviderId, z.literal('*')]),
  model: z.string(),
  inputPerMTok: z.number().min(0),
  outputPerMTok: z.number().min(0),
});
export type Price = z.infer<typeof Price>;

export const Usage = z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) });
export type Usage = z.infer<typeof Usage>;

/** What every model call leaves in the ledger (on its step's event). */
export const ModelCallRecord = z.object({
  provider: z.string(),
  model: z.string(),
  tier: ModelTier,
  arm: z.enum(['main', 'canary']),
  task: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
  latencyMs: z.number(),
  promptHash: z.string(),
  escalatedFrom: z.string().nullable(),
  repaired: z.boolean(),
  /** Whether the answer matched its schema (after the repair attempt, when there was one). */
  valid: z.boolean(),
});
export type ModelCallRecord = z.infer<typeof ModelCallRecord>;

/** Side-by-side outcomes of a tier's main model and its canary, summed from the ledger. */
export const ArmFigures = z.object({
  model: ModelRef,
  calls: z.number().int(),
  runs: z.number().int(),
  validationFailures: z.number().int(),
  approvals: z.number().int(),
  approved: z.number().int(),
  editsRequested: z.number().int(),
  costUsd: z.number(),
  meanLatencyMs: z.number().nullable(),
});
export type ArmFigures = z.infer<typeof ArmFigures>;

export const CanaryComparison = z.object({ tier: ModelTier, main: ArmFigures, canary: ArmFigures.nullable(), share: z.number().nullable() });
export type CanaryComparison = z.infer<typeof CanaryComparison>;

/** Model spending as the ledger records it, since a moment, by agent and by model. */
export const ModelUsage = z.object({
  since: z.string().nullable(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
  byAgent: z.array(z.object({ agent: z.string(), calls: z.number().int(), tokens: z.number().int(), costUsd: z.number() })),
  byModel: z.array(z.object({ provider: z.string(), model: z.string(), calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), costUsd: z.number(), meanLatencyMs: z.number() })),
});
export type ModelUsage = z.infer<typeof ModelUsage>;

/** A provider tried with a one-line prompt from Settings. */
export const ProviderCheck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), latencyMs: z.number(), reply: z.string(), inputTokens: z.number().int(), outputTokens: z.number().int() }),
  z.object({ ok: z.literal(false), latencyMs: z.number(), kind: z.string(), message: z.string() }),
]);
export type ProviderCheck = z.infer<typeof ProviderCheck>;

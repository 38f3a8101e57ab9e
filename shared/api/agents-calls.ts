import { z } from 'zod';
import { Agent, AgentName, AgentUpdate, AgentVersion } from '../domain/agents';
import { ConnectionCheck, EmailSettingsInput, EmailSettingsView, UncertainSend } from '../domain/email';
import { CanaryComparison, ModelRef, ModelTier, ModelUsage, Price, ProviderCheck, ProviderConfig, TierSetting } from '../domain/models';

/** The calls and events of agents, models and e-mail, merged into contract.ts. */

const Ok = z.object({ ok: z.literal(true) });
const Iso = z.string().datetime({ offset: true });
const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

export const agentsCalls = {
  'agents.list': call('The agents with their role, instructions, tier, permissions, approvals, budget and concurrency.', z.strictObject({}), z.object({ agents: z.array(Agent) })),
  'agents.get': call('One agent and the history of its instructions.', z.strictObject({ name: AgentName }), z.object({ agent: Agent, versions: z.array(AgentVersion) })),
  'agents.update': call('Changes an agent; new instructions become a new version.', AgentUpdate.strict(), Agent),
  'agents.revert': call('Restores an earlier version of an agent\'s instructions (as a new version).', z.strictObject({ name: AgentName, version: z.number().int().min(1) }), Agent),
  'agents.runExample': call(
    'The consultant example: a sample client (with a preferred tone and an e-mail address) and meeting notes about it, ingested so triage, extractor and drafter run on them.',
    z.strictObject({}),
    z.object({ entityId: z.string(), documentId: z.string(), path: z.string() }),
  ),

  'models.providers': call('Model providers (builtin first); keys are never returned, only whether one is stored.', z.strictObject({}), z.object({ providers: z.array(ProviderConfig) })),
  'models.saveProvider': call(
    'Adds or changes a provider. apiKey: a new key; null removes the stored one; left out keeps it.',
    z.strictObject({ provider: ProviderConfig.omit({ hasKey: true }), apiKey: z.string().min(1).max(4000).nullable().optional() }),
    ProviderConfig,
  ),
  'models.removeProvider': call('Removes a provider (refused while a tier or canary uses it).', z.strictObject({ id: z.string().min(1).max(63) }), Ok),
  'models.testProvider': call('Sends a one-line prompt to a provider\'s model and reports the answer or the error.', z.strictObject({ provider: z.string().min(1).max(63), model: z.string().min(1).max(200) }), ProviderCheck),
  'models.tiers': call('Which provider and model each tier uses, and its canary if one is staged.', z.strictObject({}), z.object({ tiers: z.array(TierSetting) })),
  'models.setTier': call('Points a tier at a provider and model.', z.strictObject({ tier: ModelTier, model: ModelRef }), TierSetting),
  'models.stageCanary': call('Stages a model on a share (0–1) of a tier\'s runs.', z.strictObject({ tier: ModelTier, model: ModelRef, share: z.number().gt(0).max(1) }), TierSetting),
  'models.promoteCanary': call('Makes the tier\'s canary its model.', z.strictObject({ tier: ModelTier }), TierSetting),
  'models.rollbackCanary': call('Stops the tier\'s canary; the tier keeps its model.', z.strictObject({ tier: ModelTier }), TierSetting),
  'models.compare': call('A tier\'s model and its canary side by side, summed from the ledger since the canary was staged.', z.strictObject({ tier: ModelTier }), CanaryComparison),
  'models.prices': call('The price table (US dollars per million tokens).', z.strictObject({}), z.object({ prices: z.array(Price) })),
  'models.setPrice': call('Sets a model\'s price (provider "*" for the model on any provider).', Price.strict(), Price),
  'models.usage': call('Model calls, tokens and cost from the ledger, by agent and by model.', z.strictObject({ since: Iso.optional() }), ModelUsage),

  'email.settings': call('The SMTP settings, the password masked; null before e-mail is set up.', z.strictObject({}), z.object({ settings: EmailSettingsView.nullable() })),
  'email.saveSettings': call('Saves the SMTP settings; the password only when given.', EmailSettingsInput, EmailSettingsView),
  'email.test': call('Connects and logs in without sending: the given settings, or the stored ones.', z.strictObject({ settings: EmailSettingsInput.optional() }), ConnectionCheck),
  'email.uncertain': call('Sends interrupted while the server was answering: check, then confirm or allow a resend.', z.strictObject({}), z.object({ sends: z.array(UncertainSend) })),
  'email.confirmSent': call('The message did arrive: record it as sent (the paused run then finishes without sending).', z.strictObject({ idempotencyKey: z.string().min(1).max(500) }), Ok),
  'email.allowResend': call('The message did not arrive: the paused run may send it again.', z.strictObject({ idempotencyKey: z.string().min(1).max(500) }), Ok),
} as const;

export const agentsEvents = {
  'agents.changed': event('An agent changed (instructions, tier, permissions, budget, ...).', z.object({ name: z.string() })),
  'models.changed': event('Model providers, tiers, canaries or prices changed.', z.object({})),
  'email.changed': event('The e-mail settings or the outbox changed.', z.object({})),
} as const;

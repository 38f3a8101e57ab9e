import { z } from 'zod';
import { Budget, RunStatus } from './kernel';

/**
 * "What did my agents cost, and what did they do?" (DESIGN.md §1, full visibility): the
 * figures of the Costs view, summed in the core from the ledger over a window of time.
 */

const IsoDate = z.iso.date();
const IsoDateTime = z.iso.datetime({ offset: true });

/** A calendar date (a whole day in the query's time zone) or an exact moment with its offset. */
export const WindowBound = z
  .string()
  .max(40)
  .refine((s) => IsoDate.safeParse(s).success || IsoDateTime.safeParse(s).success, {
    message: 'must be an ISO date (2025-01-31) or an ISO date-time with an offset (2025-01-31T09:00:00Z)',
  });

/** An IANA time zone name ("Europe/Berlin"); whether the database knows it is checked in the core. */
export const TimeZoneName = z.string().regex(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'must be a time zone name such as UTC or Europe/Berlin');

/**
 * The window: `from` inclusive, `to` exclusive; a date as `from` is the start of that day, a
 * date as `to` the end of it (both in `timeZone`). Defaults: `to` now, `from` the start of the
 * 30th day back (today included), days in UTC.
 */
export const CostsQuery = z.strictObject({
  from: WindowBound.optional(),
  to: WindowBound.optional(),
  /** Days are counted in this zone (the operator's own, so "today" is their today). */
  timeZone: TimeZoneName.optional(),
});
export type CostsQuery = z.infer<typeof CostsQuery>;

/** The longest window one answer covers (about three years of daily figures). */
export const MAX_WINDOW_DAYS = 1100;

/** Run outcomes whose spending counts as wasted, and a rejected proposal. */
export const WasteReason = z.enum(['failed', 'compensated', 'compensation_failed', 'cancelled', 'dead_lettered', 'rejected']);
export type WasteReason = z.infer<typeof WasteReason>;

const Money = { costUsd: z.number(), tokens: z.number().int() };
const Spend = z.object({ ...Money, modelCalls: z.number().int(), runs: z.number().int() });

export const CostWindow = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  /** The first and last calendar day the window touches, in `timeZone`. */
  firstDay: z.string(),
  lastDay: z.string(),
});
export type CostWindow = z.infer<typeof CostWindow>;

export const CostTotals = z.object({
  ...Money,
  /** Model calls that used tokens or money (the built-in rules use neither). */
  modelCalls: z.number().int(),
  /** Runs started in the window. */
  runs: z.number().int(),
  /** Runs that spent in the window (some may have started before it). */
  spendingRuns: z.number().int(),
});
export type CostTotals = z.infer<typeof CostTotals>;

/** One calendar day, every day of the window present (zero when nothing was spent). */
export const CostDay = z.object({
  day: z.string(),
  ...Money,
  modelCalls: z.number().int(),
  byAgent: z.array(z.object({ agent: z.string().nullable(), costUsd: z.number() })),
});
export type CostDay = z.infer<typeof CostDay>;

export const AgentSpend = Spend.extend({ agent: z.string().nullable() });
export type AgentSpend = z.infer<typeof AgentSpend>;
export const AppSpend = Spend.extend({ app: z.string().nullable() });
export type AppSpend = z.infer<typeof AppSpend>;

export const ModelSpend = z.object({
  provider: z.string(),
  model: z.string(),
  calls: z.number().int(),
  ...Money,
});
export type ModelSpend = z.infer<typeof ModelSpend>;

/** A run with what it spent in the window. */
export const RunSpend = z.object({
  id: z.string(),
  workflow: z.string(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  status: RunStatus,
  ...Money,
  modelCalls: z.number().int(),
  startedAt: z.string(),
});
export type RunSpend = z.infer<typeof RunSpend>;

export const WastedRun = RunSpend.extend({ reason: WasteReason });
export type WastedRun = z.infer<typeof WastedRun>;

/** Spending of runs that came to nothing: failed, undone, cancelled, parked, or proposals rejected. */
export const WastedWork = z.object({
  ...Money,
  runs: z.number().int(),
  byReason: z.array(z.object({ reason: WasteReason, runs: z.number().int(), ...Money })),
  /** The costliest of them (at most 50). */
  list: z.array(WastedRun),
});
export type WastedWork = z.infer<typeof WastedWork>;

/** How the runs started in the window stand now. */
export const RunOutcome = z.object({ status: RunStatus, runs: z.number().int(), costUsd: z.number() });
export type RunOutcome = z.infer<typeof RunOutcome>;

/** An agent's approvals: requested and decided in the window, how they were decided, how fast. */
export const AgentApprovals = z.object({
  agent: z.string().nullable(),
  requested: z.number().int(),
  /** Requested in the window and still waiting. */
  pending: z.number().int(),
  decided: z.number().int(),
  approved: z.number().int(),
  rejected: z.number().int(),
  /** Edited by the operator, or changes requested. */
  edited: z.number().int(),
  /** approved / decided (approve and approve_partial count as approved); null without decisions. */
  approvalRate: z.number().nullable(),
  medianDecisionMs: z.number().nullable(),
});
export type AgentApprovals = z.infer<typeof AgentApprovals>;

export const CostReport = z.object({
  window: CostWindow,
  totals: CostTotals,
  days: z.array(CostDay),
  agents: z.array(AgentSpend),
  apps: z.array(AppSpend),
  models: z.array(ModelSpend),
  topRuns: z.array(RunSpend),
  wasted: WastedWork,
  outcomes: z.array(RunOutcome),
  approvals: z.array(AgentApprovals),
  /** Caps with what was spent in their current day or month (not the window). */
  budgets: z.array(Budget),
});
export type CostReport = z.infer<typeof CostReport>;

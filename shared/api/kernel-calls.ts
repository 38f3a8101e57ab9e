import { z } from 'zod';
import {
  AdapterInfo,
  Approval,
  ApprovalDecision,
  Budget,
  BudgetPeriod,
  BudgetScope,
  DeadLetter,
  Escalation,
  LedgerEvent,
  LedgerVerification,
  Risk,
  RunDetail,
  RunStatus,
  RunSummary,
  Schedule,
  StepRecord,
  Trigger,
} from '../domain/kernel';

/** The kernel's calls and events, merged into the contract in contract.ts. */

const Id = z.string().min(1).max(100);
const Name = z.string().min(1).max(200);
const Limit = z.number().int().min(1).max(500).default(50);
const Ok = z.object({ ok: z.literal(true) });
/** A workflow input or a skipped step's output: any JSON, bounded. */
const JsonValue = z.unknown().refine((v) => v === undefined || JSON.stringify(v).length <= 1_000_000, 'must be JSON of at most 1 MB');

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

const ScheduleFields = {
  name: Name,
  workflow: Name,
  input: JsonValue,
  trigger: Trigger,
  priority: z.number().int().min(-1000).max(1000).optional(),
  agent: Name.optional(),
  app: Name.optional(),
  paused: z.boolean().optional(),
};

export const kernelCalls = {
  'runs.list': call(
    'Runs, newest first, filtered by status, workflow, agent or app; page with the returned cursor.',
    z.strictObject({
      status: z.array(RunStatus).max(20).optional(),
      workflow: Name.optional(),
      agent: Name.optional(),
      app: Name.optional(),
      limit: Limit,
      cursor: z.string().max(500).optional(),
    }),
    z.object({ runs: z.array(RunSummary), nextCursor: z.string().nullable() }),
  ),
  'runs.get': call('One run with its steps and ledger events.', z.strictObject({ id: Id }), z.object({ run: RunDetail, steps: z.array(StepRecord), events: z.array(LedgerEvent) })),
  'runs.start': call(
    'Starts a workflow; with an idempotency key, starting twice returns the first run.',
    z.strictObject({
      workflow: Name,
      input: JsonValue,
      priority: z.number().int().min(-1000).max(1000).optional(),
      idempotencyKey: z.string().min(1).max(200).optional(),
      agent: Name.optional(),
      app: Name.optional(),
    }),
    z.object({ id: z.string(), created: z.boolean() }),
  ),
  'runs.cancel': call('Cancels a run at its next step boundary, optionally undoing its effects.', z.strictObject({ id: Id, compensate: z.boolean().optional() }), Ok),
  'runs.retry': call('Retries a failed, dead-lettered or paused run from its failed step.', z.strictObject({ id: Id }), Ok),
  'runs.resume': call('Resumes a paused run (its escalations are resolved as retried).', z.strictObject({ id: Id }), Ok),

  'escalations.list': call('Escalations waiting for the operator (or resolved ones).', z.strictObject({ status: z.enum(['open', 'resolved']).optional(), limit: Limit }), z.object({ escalations: z.array(Escalation) })),
  'escalations.resolve': call(
    'Retry the step (optionally with an edited run input), skip it with an output, or abort the run (optionally compensating).',
    z.strictObject({
      id: Id,
      action: z.enum(['retry', 'skip', 'abort']),
      output: JsonValue.optional(),
      input: JsonValue.optional(),
      compensate: z.boolean().optional(),
      note: z.string().max(10_000).optional(),
    }),
    Ok,
  ),

  'deadLetters.list': call('Parked runs with their machine-readable reason.', z.strictObject({ status: z.enum(['open', 'retried', 'discarded']).optional(), limit: Limit }), z.object({ deadLetters: z.array(DeadLetter) })),
  'deadLetters.retry': call('Retries a dead-lettered run from its failed step.', z.strictObject({ id: Id }), Ok),
  'deadLetters.editAndRetry': call('Replaces the run input and retries from the failed step.', z.strictObject({ id: Id, input: JsonValue }), Ok),
  'deadLetters.discard': call('Gives up on a dead-lettered run.', z.strictObject({ id: Id, note: z.string().max(10_000).optional() }), Ok),

  'approvals.list': call('Approvals, pending first by default.', z.strictObject({ status: z.enum(['pending', 'decided', 'withdrawn']).optional(), limit: Limit }), z.object({ approvals: z.array(Approval) })),
  'approvals.get': call('One approval with its proposal.', z.strictObject({ id: Id }), z.object({ approval: Approval })),
  'approvals.decide': call('Approve, reject, approve some parts, or approve an edited proposal.', z.strictObject({ id: Id, ...ApprovalDecision.shape }), Ok),

  'schedules.list': call('All schedules (cron, interval and event triggers).', z.strictObject({}), z.object({ schedules: z.array(Schedule) })),
  'schedules.create': call('Creates a schedule.', z.strictObject(ScheduleFields), z.object({ id: z.string() })),
  'schedules.update': call(
    'Changes a schedule.',
    z.strictObject({ id: Id, ...Object.fromEntries(Object.entries(ScheduleFields).map(([k, v]) => [k, (v as z.ZodType).optional()])) }),
    Ok,
  ),
  'schedules.delete': call('Deletes a schedule.', z.strictObject({ id: Id }), Ok),
  'schedules.pause': call('Pauses or resumes a schedule.', z.strictObject({ id: Id, paused: z.boolean() }), Ok),

  'budgets.get': call('Caps with what was spent in the current day or month.', z.strictObject({ scope: BudgetScope.optional(), name: Name.optional() }), z.object({ budgets: z.array(Budget) })),
  'budgets.set': call(
    'Sets (or, with both caps null, removes) a cap for an agent or app per day or month.',
    z.strictObject({ scope: BudgetScope, name: Name, period: BudgetPeriod, maxUsd: z.number().nonnegative().max(1e9).nullable(), maxTokens: z.number().int().nonnegative().max(1e15).nullable() }),
    Ok,
  ),

  'kernel.status': call(
    'Whether agents are paused, the approval threshold, what runs now and which workflows are installed.',
    z.strictObject({}),
    z.object({ paused: z.boolean(), riskThreshold: Risk, concurrency: z.number().int(), running: z.number().int(), workflows: z.array(z.object({ name: z.string(), version: z.number().int() })) }),
  ),
  'adapters.list': call('Every adapter with its version, actions (risk, flags for the operator) and health: last success, last error, login expired.', z.strictObject({}), z.object({ adapters: z.array(AdapterInfo) })),
  'kernel.pause': call('Pauses all agents: running runs stop at their next step, nothing new starts.', z.strictObject({}), Ok),
  'kernel.resume': call('Resumes all agents.', z.strictObject({}), Ok),
  'kernel.setRiskThreshold': call('Effects at or above this risk always need an approval.', z.strictObject({ risk: Risk }), Ok),
  'kernel.setConcurrency': call('How many runs execute at once, all agents together.', z.strictObject({ global: z.number().int().min(1).max(64) }), Ok),

  'kernel.emitEvent': call(
    'Raises a named event; event schedules listening to it start their runs.',
    z.strictObject({ name: z.string().min(1).max(200).regex(/^[a-z][a-z0-9_.-]*$/i, 'letters, digits, dots, dashes and underscores'), payload: JsonValue.optional() }),
    z.object({ started: z.number().int() }),
  ),
  'ledger.list': call(
    'Ledger events oldest first (page with afterSeq) or newest first (order desc, page with beforeSeq); filter by run, type or agent.',
    z.strictObject({
      order: z.enum(['asc', 'desc']).default('asc'),
      afterSeq: z.number().int().nonnegative().optional(),
      beforeSeq: z.number().int().positive().optional(),
      runId: Id.optional(),
      type: Name.optional(),
      agent: Name.optional(),
      limit: Limit,
    }),
    z.object({ events: z.array(LedgerEvent), nextAfterSeq: z.number().int().nullable(), nextBeforeSeq: z.number().int().nullable() }),
  ),
  'ledger.verify': call('Walks the hash chain and reports the first broken link.', z.strictObject({}), LedgerVerification),
} as const;

const Change = z.object({ id: z.string(), runId: z.string().optional(), status: z.string().optional() }).loose();

export const kernelEvents = {
  'runs.changed': event('A run changed status.', Change),
  'approvals.changed': event('An approval was requested, decided or withdrawn.', Change),
  'escalations.changed': event('An escalation was opened or resolved.', Change),
  'deadLetters.changed': event('A run was parked in, or taken out of, the dead-letter queue.', Change),
  'schedules.changed': event('A schedule was created, changed or deleted.', z.object({ id: z.string() })),
  'budgets.changed': event('A budget cap changed.', z.object({ scope: z.string(), name: z.string() })),
  'kernel.changed': event('Agents paused or resumed, or the approval threshold changed.', z.object({ paused: z.boolean(), riskThreshold: Risk })),
  'ledger.appended': event('An event was appended to the ledger.', z.object({ seq: z.number().int(), type: z.string(), runId: z.string().nullable(), at: z.string() })),
} as const;

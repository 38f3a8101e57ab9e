import { z } from 'zod';

/** Kernel domain types, declared once; the API contract and the core derive from them. */

export const ErrorKind = z.enum(['transient', 'permanent', 'policy', 'budget', 'validation', 'determinism', 'cancelled']);
export type ErrorKind = z.infer<typeof ErrorKind>;

/** A structured failure: what kind, where, and a sentence a person can act on. */
export const KernelErrorBody = z.object({
  kind: ErrorKind,
  message: z.string(),
  step: z.object({ no: z.number().int(), name: z.string() }).optional(),
  attempts: z.number().int().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type KernelErrorBody = z.infer<typeof KernelErrorBody>;

export const RunStatus = z.enum([
  'pending',
  'running',
  'sleeping',
  'waiting_approval',
  'waiting_child',
  'paused', // escalated: waits for the operator
  'compensating',
  'succeeded',
  'failed',
  'compensated',
  'compensation_failed',
  'dead_lettered',
  'cancelled',
]);
export type RunStatus = z.infer<typeof RunStatus>;

export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'compensated', 'cancelled'];

export const Risk = z.enum(['low', 'medium', 'high', 'critical']);
export type Risk = z.infer<typeof Risk>;
export const RISK_ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const OnExhausted = z.enum(['escalate', 'compensate', 'dead_letter', 'fail']);
export type OnExhausted = z.infer<typeof OnExhausted>;

const Id = z.string().min(1).max(100);
const Name = z.string().min(1).max(200);
const Json = z.unknown();

export const RunSummary = z.object({
  id: Id,
  workflow: z.string(),
  workflowVersion: z.number().int(),
  status: RunStatus,
  priority: z.number().int(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  parentRunId: z.string().nullable(),
  traceId: z.string(),
  dueAt: z.string().nullable(),
  error: KernelErrorBody.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({ input: Json, output: Json, idempotencyKey: z.string().nullable() });
export type RunDetail = z.infer<typeof RunDetail>;

export const StepKind = z.enum(['step', 'effect', 'gate', 'sleep', 'approval', 'child', 'now', 'uuid']);
export const StepRecord = z.object({
  no: z.number().int(),
  name: z.string(),
  kind: StepKind,
  status: z.enum(['completed', 'failed', 'waiting']),
  output: Json,
  error: KernelErrorBody.nullable(),
  attempts: z.number().int(),
  costUsd: z.number(),
  tokens: z.number().int(),
  compensated: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const Actor = z.object({ kind: z.enum(['agent', 'operator', 'system']), name: z.string() });
export type Actor = z.infer<typeof Actor>;

export const LedgerEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  type: z.string(),
  actor: Actor,
  runId: z.string().nullable(),
  stepNo: z.number().int().nullable(),
  traceId: z.string().nullable(),
  spanId: z.string().nullable(),
  parentSpan: z.string().nullable(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  costUsd: z.number(),
  tokens: z.number().int(),
  data: Json,
  hash: z.string(),
});
export type LedgerEvent = z.infer<typeof LedgerEvent>;

export const ApprovalDecisionKind = z.enum(['approve', 'reject', 'approve_partial', 'edit']);
export const ApprovalDecision = z.object({
  decision: ApprovalDecisionKind,
  /** With approve_partial: the ids (or indexes) of the accepted parts. */
  acceptedParts: z.array(z.union([z.string().max(200), z.number().int()])).max(10_000).optional(),
  /** With edit: the proposal as the operator changed it. */
  editedProposal: Json.optional(),
  note: z.string().max(10_000).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const Approval = z.object({
  id: Id,
  runId: z.string(),
  stepNo: z.number().int(),
  title: z.string(),
  kind: z.string(),
  risk: Risk,
  proposal: Json,
  rationale: z.string().nullable(),
  /** `withdrawn`: the run was cancelled before anyone decided. */
  status: z.enum(['pending', 'decided', 'withdrawn']),
  decision: ApprovalDecision.extend({ decidedBy: z.string() }).nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type Approval = z.infer<typeof Approval>;

export const Escalation = z.object({
  id: Id,
  runId: z.string(),
  stepNo: z.number().int().nullable(),
  kind: z.enum(['step_failed', 'budget', 'compensation_failed']),
  reason: KernelErrorBody,
  status: z.enum(['open', 'resolved']),
  resolution: Json,
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type Escalation = z.infer<typeof Escalation>;

export const DeadLetter = z.object({
  id: Id,
  runId: z.string(),
  workflow: z.string(),
  stepNo: z.number().int().nullable(),
  reason: KernelErrorBody,
  input: Json,
  status: z.enum(['open', 'retried', 'discarded']),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export const Trigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cron'), expr: z.string().min(1).max(200), timezone: z.string().max(100).optional() }),
  z.object({ kind: z.literal('interval'), everyMs: z.number().int().min(1000).max(366 * 86_400_000) }),
  z.object({
    kind: z.literal('event'),
    event: z.string().min(1).max(200),
    /** Only events whose payload has these values (a subscription to `run.finished` of one workflow); null: the field is absent or null. */
    where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
]);
export type Trigger = z.infer<typeof Trigger>;

export const Schedule = z.object({
  id: Id,
  name: Name,
  workflow: Name,
  input: Json,
  trigger: Trigger,
  priority: z.number().int(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  paused: z.boolean(),
  nextFireAt: z.string().nullable(),
  lastFiredAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Schedule = z.infer<typeof Schedule>;

export const BudgetScope = z.enum(['agent', 'app']);
export const BudgetPeriod = z.enum(['day', 'month']);
export const Budget = z.object({
  scope: BudgetScope,
  name: Name,
  period: BudgetPeriod,
  maxUsd: z.number().nonnegative().nullable(),
  maxTokens: z.number().int().nonnegative().nullable(),
  spentUsd: z.number(),
  spentTokens: z.number().int(),
});
export type Budget = z.infer<typeof Budget>;

export const LedgerVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  brokenAt: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type LedgerVerification = z.infer<typeof LedgerVerification>;

/** An adapter's health as the Agents view shows it: its last success and error, and whether its login expired. */
export const AdapterHealth = z.object({
  lastSuccessAt: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  lastError: z.object({ message: z.string(), code: z.string().nullable() }).nullable(),
  authExpired: z.boolean(),
  calls: z.number().int(),
  failures: z.number().int(),
});
export type AdapterHealth = z.infer<typeof AdapterHealth>;

export const AdapterInfo = z.object({
  name: z.string(),
  version: z.string(),
  actions: z.array(z.object({ name: z.string(), risk: Risk, summary: z.string(), flags: z.array(z.string()) })),
  health: AdapterHealth,
});
export type AdapterInfo = z.infer<typeof AdapterInfo>;

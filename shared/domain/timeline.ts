import { z } from 'zod';
import { KernelErrorBody, LedgerEvent, RunStatus, StepKind } from './kernel';
import { ModelCallRecord } from './models';

/**
 * The timeline: every ledger event newest first, narrowed by filters, grouped by run, and a
 * run's causal trace (its steps and child runs with timings, model, tokens, cost, reason).
 */

const Name = z.string().min(1).max(200);
const Iso = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time with a zone, e.g. 2026-01-31T09:00:00Z' });

/** An event type (`step.failed`) or a family of them (`step.*`). */
export const EventTypePattern = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$/i, 'an event type such as step.failed, or a family such as step.*');

/** Ledger events that say something went wrong (failedOnly). */
export const FAILURE_TYPES = ['step.failed', 'run.escalated', 'run.dead_lettered', 'run.compensating', 'budget.paused', 'document.failed'] as const;
/** `run.finished` / `child.finished` with one of these statuses are failures too. */
export const FAILED_RUN_STATUSES = ['failed', 'compensated', 'compensation_failed', 'dead_lettered'] as const;

/** What the timeline is narrowed to; every field is optional and they combine with AND. */
export const TimelineFilterFields = {
  agent: Name.optional(),
  app: Name.optional(),
  runId: z.string().min(1).max(100).optional(),
  /** Exact types or families (`run.*`); an event matches any of them. */
  types: z.array(EventTypePattern).max(50).optional(),
  /** Events at or after this time. */
  from: Iso.optional(),
  /** Events at or before this time. */
  to: Iso.optional(),
  /** Events that cost more than this many US dollars. */
  costAbove: z.number({ message: 'costAbove must be a number of US dollars' }).min(0, 'costAbove must be 0 or more (US dollars)').max(1e9).optional(),
  /** Only failures: failed steps, escalations, dead letters, compensations, runs that ended badly. */
  failedOnly: z.boolean().optional(),
  /** Words to find in the type, the actor, the step name, an error message or anywhere in the event's data (case-insensitive). */
  text: z.string().trim().min(1, 'text must not be blank').max(200).optional(),
};
export const TimelineFilter = z.object(TimelineFilterFields);
export type TimelineFilter = z.infer<typeof TimelineFilter>;

/** `from` after `to` is a mistake worth saying, not an empty answer. */
export function checkTimeRange(f: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (f.from && f.to && Date.parse(f.from) > Date.parse(f.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the time range ends (${f.to}) before it starts (${f.from})` });
  }
}

export const TimelinePage = z.object({
  /** Newest first. */
  events: z.array(LedgerEvent),
  /**
   * Ask again with this as `beforeSeq` (and the same filters, `afterSeq`) for older matches;
   * null when the window holds no more. A bounded search can stop before `limit` matches.
   */
  nextBeforeSeq: z.number().int().nullable(),
  /** The newest event's seq in the whole ledger when this page was read. */
  headSeq: z.number().int(),
});
export type TimelinePage = z.infer<typeof TimelinePage>;

export const TimelineCount = z.object({
  total: z.number().int(),
  /** False when counting was cut short and `total` is extrapolated from the newest part of the ledger. */
  exact: z.boolean(),
  headSeq: z.number().int(),
});
export type TimelineCount = z.infer<typeof TimelineCount>;

export const TimelineFacets = z.object({
  agents: z.array(z.string()),
  apps: z.array(z.string()),
  types: z.array(z.object({ type: z.string(), count: z.number().int() })),
  headSeq: z.number().int(),
});
export type TimelineFacets = z.infer<typeof TimelineFacets>;

/** A run as a group of the timeline: its events matching the filters, summed. */
export const TimelineRun = z.object({
  id: z.string(),
  workflow: z.string(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  status: RunStatus,
  parentRunId: z.string().nullable(),
  traceId: z.string(),
  error: KernelErrorBody.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** All of the run's events, and how many of them match the filters. */
  events: z.number().int(),
  matching: z.number().int(),
  costUsd: z.number(),
  tokens: z.number().int(),
  lastEventAt: z.string().nullable(),
});
export type TimelineRun = z.infer<typeof TimelineRun>;

export const TraceStep = z.object({
  no: z.number().int(),
  name: z.string(),
  kind: StepKind,
  status: z.enum(['completed', 'failed', 'waiting']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  attempts: z.number().int(),
  costUsd: z.number(),
  tokens: z.number().int(),
  /** The model call this step made, when it made one. */
  model: ModelCallRecord.nullable(),
  error: KernelErrorBody.nullable(),
  /** Why: an approval's decision and note, a model's or the workflow's stated reason. */
  reason: z.string().nullable(),
  /** A `child` step's run (also nested in `children`). */
  childRunId: z.string().nullable(),
  compensated: z.boolean(),
});
export type TraceStep = z.infer<typeof TraceStep>;

export interface TraceRun {
  id: string;
  workflow: string;
  agent: string | null;
  app: string | null;
  status: RunStatus;
  parentRunId: string | null;
  parentStepNo: number | null;
  error: KernelErrorBody | null;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  costUsd: number;
  tokens: number;
  steps: TraceStep[];
  /** Steps left out of a very long run (the first ones are kept). */
  stepsOmitted: number;
  children: TraceRun[];
}
export const TraceRun: z.ZodType<TraceRun> = z.object({
  id: z.string(),
  workflow: z.string(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  status: RunStatus,
  parentRunId: z.string().nullable(),
  parentStepNo: z.number().int().nullable(),
  error: KernelErrorBody.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  costUsd: z.number(),
  tokens: z.number().int(),
  steps: z.array(TraceStep),
  stepsOmitted: z.number().int(),
  get children() {
    return z.array(TraceRun);
  },
});

export const RunTrace = z.object({
  traceId: z.string(),
  /** The run that was asked about (the tree starts at its root). */
  focus: z.string(),
  root: TraceRun,
  runs: z.number().int(),
  /** Runs of the trace left out (a trace larger than the answer allows). */
  runsOmitted: z.number().int(),
  costUsd: z.number(),
  tokens: z.number().int(),
});
export type RunTrace = z.infer<typeof RunTrace>;

import type { Approval, DeadLetter, Escalation, KernelErrorBody, RunDetail, RunStatus, RunSummary, Schedule, StepRecord, Trigger } from '../../../shared/domain/kernel';
import { ApiError } from '../../../shared/api/errors';
import type { Queryable } from './ledger';
import type { RunTrigger } from './workflow';

const TABLES = { run: 'kernel_runs', approval: 'kernel_approvals', escalation: 'kernel_escalations', 'dead letter': 'kernel_dead_letters', schedule: 'kernel_schedules' } as const;

/** One row by id, or the API's `not_found` error naming what was asked for. */
export async function findOne<T>(db: Queryable, what: keyof typeof TABLES, id: string): Promise<T> {
  const { rows } = await db.query<T>(`SELECT * FROM ${TABLES[what]} WHERE id = $1`, [id]);
  if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no ${what} ${id}.` });
  return rows[0];
}

/** Rows as PGlite returns them, and their mapping to the shared domain types. */
export interface RunRow {
  id: string;
  workflow: string;
  workflow_version: number;
  input: unknown;
  output: unknown;
  error: KernelErrorBody | null;
  status: RunStatus;
  priority: number;
  due_at: Date | null;
  agent: string | null;
  app: string | null;
  parent_run_id: string | null;
  parent_step_no: number | null;
  trace_id: string;
  idempotency_key: string | null;
  schedule_id: string | null;
  trigger: RunTrigger | null;
  /** The adapter versions current when the run started (kept while it is in flight). */
  adapter_versions: Record<string, string> | null;
  lease_owner: string | null;
  cancel_requested: boolean;
  cancel_compensate: boolean;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface StepRow {
  run_id: string;
  step_no: number;
  name: string;
  kind: StepRecord['kind'];
  status: StepRecord['status'];
  output: unknown;
  error: KernelErrorBody | null;
  attempts: number;
  cost_usd: number;
  tokens: number;
  compensation: { adapter: string; action: string; args: unknown } | null;
  compensated: boolean;
  started_at: Date;
  finished_at: Date | null;
}

/** A timestamp as PGlite returns it (Date) or as stored in JSON (string), as ISO text. */
export const iso = (d: Date | string | null): string | null => (d === null ? null : d instanceof Date ? d.toISOString() : d);

export function toRunSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    workflow: r.workflow,
    workflowVersion: r.workflow_version,
    status: r.status,
    priority: r.priority,
    agent: r.agent,
    app: r.app,
    parentRunId: r.parent_run_id,
    traceId: r.trace_id,
    dueAt: iso(r.due_at),
    error: r.error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    finishedAt: iso(r.finished_at),
  };
}

export function toRunDetail(r: RunRow): RunDetail {
  return { ...toRunSummary(r), input: r.input, output: r.output ?? null, idempotencyKey: r.idempotency_key };
}

export function toStep(s: StepRow): StepRecord {
  return {
    no: s.step_no,
    name: s.name,
    kind: s.kind,
    status: s.status,
    output: s.output ?? null,
    error: s.error,
    attempts: s.attempts,
    costUsd: Number(s.cost_usd),
    tokens: Number(s.tokens),
    compensated: s.compensated,
    startedAt: iso(s.started_at)!,
    finishedAt: iso(s.finished_at),
  };
}

export function toApproval(a: Record<string, unknown>): Approval {
  return {
    id: a.id as string,
    runId: a.run_id as string,
    stepNo: a.step_no as number,
    title: a.title as string,
    kind: a.kind as string,
    risk: a.risk as Approval['risk'],
    proposal: a.proposal ?? null,
    rationale: (a.rationale as string | null) ?? null,
    status: a.status as Approval['status'],
    decision: (a.decision as Approval['decision']) ?? null,
    createdAt: iso(a.created_at as Date)!,
    decidedAt: iso(a.decided_at as Date | null),
  };
}

export function toEscalation(e: Record<string, unknown>): Escalation {
  return {
    id: e.id as string,
    runId: e.run_id as string,
    stepNo: (e.step_no as number | null) ?? null,
    kind: e.kind as Escalation['kind'],
    reason: e.reason as KernelErrorBody,
    status: e.status as Escalation['status'],
    resolution: e.resolution ?? null,
    createdAt: iso(e.created_at as Date)!,
    resolvedAt: iso(e.resolved_at as Date | null),
  };
}

export function toDeadLetter(d: Record<string, unknown>): DeadLetter {
  return {
    id: d.id as string,
    runId: d.run_id as string,
    workflow: d.workflow as string,
    stepNo: (d.step_no as number | null) ?? null,
    reason: d.reason as KernelErrorBody,
    input: d.input ?? null,
    status: d.status as DeadLetter['status'],
    createdAt: iso(d.created_at as Date)!,
    resolvedAt: iso(d.resolved_at as Date | null),
  };
}

export function toSchedule(s: Record<string, unknown>): Schedule {
  return {
    id: s.id as string,
    name: s.name as string,
    workflow: s.workflow as string,
    input: s.input ?? null,
    trigger: s.trigger as Trigger,
    priority: s.priority as number,
    agent: (s.agent as string | null) ?? null,
    app: (s.app as string | null) ?? null,
    paused: s.paused as boolean,
    nextFireAt: iso(s.next_fire_at as Date | null),
    lastFiredAt: iso(s.last_fired_at as Date | null),
    createdAt: iso(s.created_at as Date)!,
  };
}

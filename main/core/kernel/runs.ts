import type { Transaction } from '@electric-sql/pglite';
import type { RunStatus } from '../../../shared/domain/kernel';
import type { Queryable } from './ledger';
import { newId } from './ids';
import { isoAt, jsonSafe, type Log } from './internals';
import type { RunTrigger } from './workflow';

export interface NewRun {
  workflow: string;
  version: number;
  input: unknown;
  priority?: number;
  agent?: string | null;
  app?: string | null;
  /** Starting twice with the same key returns the first run. */
  idempotencyKey?: string | null;
  scheduleId?: string | null;
  trigger?: RunTrigger | null;
  dueAt: number;
  actor: Parameters<Log>[0]['actor'];
}

/** A new run keeps the adapter versions current when it starts (see adapters/registry.ts). */
export const PINNED_ADAPTERS = '(SELECT jsonb_object_agg(name, version) FROM kernel_adapter_current)';

/** Inserts a pending run (or finds the one with the same idempotency key). */
export async function insertRun(tx: Transaction, log: Log, run: NewRun): Promise<{ id: string; created: boolean }> {
  const id = newId();
  const at = isoAt(run.dueAt);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO kernel_runs (id, workflow, workflow_version, input, status, priority, due_at, agent, app, trace_id, idempotency_key, schedule_id, trigger, created_at, updated_at, adapter_versions)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $1, $9, $10, $11, $6, $6, ${PINNED_ADAPTERS})
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [id, run.workflow, run.version, JSON.stringify(jsonSafe(run.input)), run.priority ?? 0, at, run.agent ?? null, run.app ?? null, run.idempotencyKey ?? null, run.scheduleId ?? null, run.trigger ? JSON.stringify(run.trigger) : null],
  );
  if (!rows[0]) {
    const existing = await tx.query<{ id: string }>('SELECT id FROM kernel_runs WHERE idempotency_key = $1', [run.idempotencyKey]);
    return { id: existing.rows[0]!.id, created: false };
  }
  log({ type: 'run.started', actor: run.actor, runId: id, traceId: id, spanId: id, agent: run.agent ?? null, app: run.app ?? null, data: { workflow: run.workflow, version: run.version, priority: run.priority ?? 0, trigger: run.trigger ?? null } });
  return { id, created: true };
}

/** Gives up this process's lease on a run and leaves it in `status` (waiting, sleeping, pending...). */
export async function parkRun(q: Queryable, runId: string, status: RunStatus, at: number, dueAt?: number): Promise<void> {
  await q.query(`UPDATE kernel_runs SET status = $2, lease_owner = NULL, updated_at = $3, due_at = COALESCE($4, due_at) WHERE id = $1`, [
    runId,
    status,
    isoAt(at),
    dueAt === undefined ? null : isoAt(dueAt),
  ]);
}

/** Records a step that waits for someone else (an approval, a child run); its output says what for. */
export async function insertWaitingStep(tx: Transaction, runId: string, no: number, name: string, kind: string, output: unknown, at: number): Promise<void> {
  await tx.query(
    `INSERT INTO kernel_steps (run_id, step_no, name, kind, status, output, started_at) VALUES ($1, $2, $3, $4, 'waiting', $5, $6)
     ON CONFLICT (run_id, step_no) DO UPDATE SET status = 'waiting', output = EXCLUDED.output, error = NULL`,
    [runId, no, name, kind, JSON.stringify(output), isoAt(at)],
  );
}

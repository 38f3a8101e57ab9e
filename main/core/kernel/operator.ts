import type { Transaction } from '@electric-sql/pglite';
import { ApiError } from '../../../shared/api/errors';
import type { ApprovalDecision, Budget, RunStatus, Trigger } from '../../../shared/domain/kernel';
import { spent } from './budgets';
import { newId } from './ids';
import { isoAt, jsonSafe, nulProblem, runEventBase, type Log } from './internals';
import type { Kernel } from './kernel';
import { insertRun } from './runs';
import { compensate, finish } from './runner';
import { findOne, toSchedule, type RunRow } from './store';
import { cronProblem, fireEventTriggers, nextFire } from './triggers';

/** Operator actions: every one is a recorded, validated state change with its ledger event. */

const conflict = (message: string) => new ApiError({ code: 'conflict', message });
const operator = (name: string) => ({ kind: 'operator' as const, name });

const getRunRow = (k: Kernel, id: string) => findOne<RunRow>(k.db, 'run', id);

export interface StartRunInput {
  workflow: string;
  input: unknown;
  priority?: number;
  idempotencyKey?: string;
  agent?: string;
  app?: string;
}

export async function startRun(k: Kernel, req: StartRunInput, actor = 'operator'): Promise<{ id: string; created: boolean }> {
  const def = k.workflows.get(req.workflow);
  if (!def) throw new ApiError({ code: 'not_found', message: `There is no workflow named ${req.workflow}.` });
  const parsed = def.input.safeParse(req.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError({ code: 'invalid_input', message: `Input for ${req.workflow} is invalid: ${issue?.path.join('.') || '(input)'}: ${issue?.message}` });
  }
  const unstorable = nulProblem(parsed.data, `Input for ${req.workflow}`);
  if (unstorable) throw new ApiError({ code: 'invalid_input', message: unstorable });
  const result = await k.commit((tx, log) =>
    insertRun(tx, log, {
      workflow: def.name,
      version: def.version,
      input: parsed.data,
      priority: req.priority,
      agent: req.agent ?? def.agent ?? null,
      app: req.app ?? def.app ?? null,
      idempotencyKey: req.idempotencyKey ?? null,
      dueAt: k.clock.now(),
      actor: actor === 'operator' ? operator(actor) : { kind: 'system', name: actor },
    }),
  );
  if (result.created) k.notify('runs.changed', { id: result.id, status: 'pending' });
  k.kick();
  return result;
}

const WAITING: RunStatus[] = ['pending', 'sleeping', 'waiting_approval', 'waiting_child', 'paused', 'dead_lettered'];

/** Cooperative: a running run stops at its next step boundary; a waiting one right away. */
export async function cancelRun(k: Kernel, id: string, opts: { compensate?: boolean }, actor = 'operator'): Promise<void> {
  const run = await getRunRow(k, id);
  if (!WAITING.includes(run.status) && run.status !== 'running') throw conflict(`Run ${id} is ${run.status}; it cannot be cancelled.`);
  const now = isoAt(k.clock.now());
  await k.commit(async (tx, log) => {
    await tx.query(
      `UPDATE kernel_runs SET cancel_requested = true, cancel_compensate = $2, updated_at = $3,
         status = CASE WHEN status = 'running' THEN status ELSE 'pending' END, due_at = $3 WHERE id = $1`,
      [id, opts.compensate ?? false, now],
    );
    await tx.query(`UPDATE kernel_approvals SET status = 'withdrawn' WHERE run_id = $1 AND status = 'pending'`, [id]);
    await tx.query(`UPDATE kernel_escalations SET status = 'resolved', resolution = $2, resolved_at = $3 WHERE run_id = $1 AND status = 'open'`, [id, JSON.stringify({ action: 'cancelled' }), now]);
    await tx.query(`UPDATE kernel_dead_letters SET status = 'discarded', resolved_at = $2 WHERE run_id = $1 AND status = 'open'`, [id, now]);
    log({ ...runEventBase(run), actor: operator(actor), type: 'run.cancel_requested', data: { compensate: opts.compensate ?? false } });
  });
  k.requestCancel(id);
  k.kick();
}

/** An input the operator edited, checked against the workflow's schema like a new run's. */
function editedInput(k: Kernel, workflow: string, input: unknown): unknown {
  const parsed = k.workflows.get(workflow)?.input.safeParse(input);
  if (!parsed?.success) throw new ApiError({ code: 'invalid_input', message: `The edited input does not fit ${workflow}: ${parsed?.error.issues[0]?.message ?? 'unknown workflow'}` });
  const unstorable = nulProblem(parsed.data, `Input for ${workflow}`);
  if (unstorable) throw new ApiError({ code: 'invalid_input', message: unstorable });
  return parsed.data;
}

/** A failed or dead-lettered run starts again from its failed step; completed steps are kept. */
export async function retryRun(k: Kernel, id: string, actor = 'operator', newInput?: unknown): Promise<void> {
  const run = await getRunRow(k, id);
  if (!['failed', 'dead_lettered', 'paused', 'compensation_failed'].includes(run.status)) throw conflict(`Run ${id} is ${run.status}; only failed, dead-lettered or paused runs can be retried.`);
  if (newInput !== undefined) newInput = editedInput(k, run.workflow, newInput);
  const now = isoAt(k.clock.now());
  const status = run.status === 'compensation_failed' ? 'compensating' : 'pending';
  await k.commit(async (tx, log) => {
    await tx.query(
      `UPDATE kernel_runs SET status = $2, error = NULL, finished_at = NULL, due_at = $3, updated_at = $3, input = COALESCE($4, input) WHERE id = $1`,
      [id, status, now, newInput === undefined ? null : JSON.stringify(jsonSafe(newInput))],
    );
    await tx.query(`UPDATE kernel_dead_letters SET status = 'retried', resolved_at = $2 WHERE run_id = $1 AND status = 'open'`, [id, now]);
    await tx.query(`UPDATE kernel_escalations SET status = 'resolved', resolution = $2, resolved_at = $3 WHERE run_id = $1 AND status = 'open'`, [id, JSON.stringify({ action: 'retry' }), now]);
    log({ ...runEventBase(run), actor: operator(actor), type: newInput === undefined ? 'run.retried' : 'run.edited_and_retried', data: newInput === undefined ? {} : { input: newInput } });
  });
  k.notify('runs.changed', { id, status });
  k.kick();
}

export async function decideApproval(k: Kernel, id: string, decision: ApprovalDecision, actor = 'operator'): Promise<void> {
  const approval = await findOne<Record<string, unknown>>(k.db, 'approval', id);
  if (approval.status !== 'pending') throw conflict(`Approval ${id} is already ${approval.status}.`);
  if (decision.decision === 'approve_partial' && !decision.acceptedParts) throw new ApiError({ code: 'invalid_input', message: 'approve_partial needs acceptedParts.' });
  if (decision.decision === 'edit' && decision.editedProposal === undefined) throw new ApiError({ code: 'invalid_input', message: 'edit needs editedProposal.' });
  const run = await getRunRow(k, approval.run_id as string);
  const recorded = { ...jsonSafe(decision) as object, decidedBy: actor };
  const now = isoAt(k.clock.now());
  await k.commit(async (tx, log) => {
    await tx.query(`UPDATE kernel_approvals SET status = 'decided', decision = $2, decided_at = $3 WHERE id = $1`, [id, JSON.stringify(recorded), now]);
    await tx.query(`UPDATE kernel_steps SET status = 'completed', output = $3, finished_at = $4 WHERE run_id = $1 AND step_no = $2`, [run.id, approval.step_no, JSON.stringify(recorded), now]);
    // The run goes on once the undo window has passed (the kernel's timer wakes it then).
    const due = isoAt(k.clock.now() + k.undoWindowMs);
    await tx.query(`UPDATE kernel_runs SET status = 'pending', due_at = $3, updated_at = $2 WHERE id = $1 AND status = 'waiting_approval'`, [run.id, now, due]);
    log({ ...runEventBase(run), actor: operator(actor), type: 'approval.decided', stepNo: approval.step_no as number, data: { approvalId: id, decision: decision.decision, note: decision.note ?? null } });
    await fireEventTriggers(k, tx, log, 'approval.decided', { approvalId: id, runId: run.id, decision: decision.decision });
  });
  k.notify('approvals.changed', { id, runId: run.id, status: 'decided', decision: decision.decision, note: decision.note ?? null });
  k.kick();
}

/**
 * Takes a decision back while its run has not gone on: the run has not been picked up since,
 * and no step after the approval exists. Claiming needs `lease_owner IS NULL` and a pending
 * status, so the guarded update below and a claim cannot both win.
 */
export async function undoDecision(k: Kernel, id: string, actor = 'operator'): Promise<void> {
  const approval = await findOne<Record<string, unknown>>(k.db, 'approval', id);
  if (approval.status !== 'decided') throw conflict(`Approval ${id} is ${approval.status}; only a decision can be taken back.`);
  const run = await getRunRow(k, approval.run_id as string);
  const now = isoAt(k.clock.now());
  const undone = await k.commit(async (tx, log) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE kernel_runs r SET status = 'waiting_approval', due_at = NULL, updated_at = $3
       WHERE r.id = $1 AND r.status = 'pending' AND r.lease_owner IS NULL AND NOT r.cancel_requested
         AND NOT EXISTS (SELECT 1 FROM kernel_steps s WHERE s.run_id = r.id AND s.step_no > $2)
       RETURNING r.id`,
      [run.id, approval.step_no, now],
    );
    if (!rows[0]) return false;
    await tx.query(`UPDATE kernel_approvals SET status = 'pending', decision = NULL, decided_at = NULL WHERE id = $1`, [id]);
    await tx.query(`UPDATE kernel_steps SET status = 'waiting', output = NULL, finished_at = NULL WHERE run_id = $1 AND step_no = $2`, [run.id, approval.step_no]);
    log({ ...runEventBase(run), actor: operator(actor), type: 'approval.undone', stepNo: approval.step_no as number, data: { approvalId: id } });
    return true;
  });
  if (!undone) throw conflict('Too late to undo: the run has already gone on with this decision.');
  k.notify('approvals.changed', { id, runId: run.id, status: 'pending', undone: true });
  k.notify('runs.changed', { id: run.id, status: 'waiting_approval' });
  k.kick();
}

export interface EscalationResolution {
  action: 'retry' | 'skip' | 'abort';
  /** With retry: the run's input as the operator edited it. */
  input?: unknown;
  /** With skip: the output the skipped step returns to the workflow. */
  output?: unknown;
  /** With abort: undo the run's effects first. */
  compensate?: boolean;
  note?: string;
}

export async function resolveEscalation(k: Kernel, id: string, res: EscalationResolution, actor = 'operator'): Promise<void> {
  const esc = await findOne<Record<string, unknown>>(k.db, 'escalation', id);
  if (esc.status !== 'open') throw conflict(`Escalation ${id} is already resolved.`);
  const run = await getRunRow(k, esc.run_id as string);
  if (res.action === 'skip' && (esc.kind !== 'step_failed' || esc.step_no === null)) throw conflict('Only a failed step can be skipped.');
  if (res.input !== undefined && res.action !== 'retry') throw new ApiError({ code: 'invalid_input', message: 'An edited input goes with retry only.' });
  const input = res.input === undefined ? undefined : editedInput(k, run.workflow, res.input);
  const now = isoAt(k.clock.now());
  await k.commit(async (tx, log) => {
    await tx.query(`UPDATE kernel_escalations SET status = 'resolved', resolution = $2, resolved_at = $3 WHERE id = $1`, [id, JSON.stringify({ ...res, output: jsonSafe(res.output), input: jsonSafe(input), by: actor }), now]);
    if (res.action === 'skip') {
      await tx.query(`UPDATE kernel_steps SET status = 'completed', output = $3, error = NULL, finished_at = $4 WHERE run_id = $1 AND step_no = $2`, [run.id, esc.step_no, JSON.stringify(jsonSafe(res.output)), now]);
    }
    if (res.action !== 'abort') {
      const status = esc.kind === 'compensation_failed' ? 'compensating' : 'pending';
      await tx.query(`UPDATE kernel_runs SET status = $2, error = NULL, due_at = $3, updated_at = $3, input = COALESCE($4, input) WHERE id = $1`, [
        run.id,
        status,
        now,
        input === undefined ? null : JSON.stringify(jsonSafe(input)),
      ]);
    }
    const edited = input === undefined ? {} : { input };
    log({ ...runEventBase(run), actor: operator(actor), type: 'escalation.resolved', stepNo: (esc.step_no as number | null) ?? null, data: { escalationId: id, action: res.action, note: res.note ?? null, ...edited } });
  });
  if (res.action === 'abort') {
    const error = { kind: 'cancelled' as const, message: `Aborted by the operator${res.note ? `: ${res.note}` : '.'}` };
    const fresh = await getRunRow(k, run.id);
    if (res.compensate) await compensate(k, fresh, error);
    else await finish(k, fresh, 'failed', null, error);
  }
  k.notify('escalations.changed', { id, runId: run.id, status: 'resolved' });
  k.kick();
}

async function openDeadLetter(k: Kernel, id: string): Promise<Record<string, unknown>> {
  const dl = await findOne<Record<string, unknown>>(k.db, 'dead letter', id);
  if (dl.status !== 'open') throw conflict(`Dead letter ${id} is already ${dl.status}.`);
  return dl;
}

export async function retryDeadLetter(k: Kernel, id: string, actor = 'operator', input?: unknown): Promise<void> {
  const dl = await openDeadLetter(k, id);
  await retryRun(k, dl.run_id as string, actor, input);
  k.notify('deadLetters.changed', { id, status: 'retried' });
}

export async function discardDeadLetter(k: Kernel, id: string, note: string | undefined, actor = 'operator'): Promise<void> {
  const dl = await openDeadLetter(k, id);
  const run = await getRunRow(k, dl.run_id as string);
  await k.db.query(`UPDATE kernel_dead_letters SET status = 'discarded', resolved_at = $2 WHERE id = $1`, [id, isoAt(k.clock.now())]);
  await finish(k, run, 'failed', null, { kind: 'cancelled', message: `Discarded by the operator${note ? `: ${note}` : '.'}` });
  k.notify('deadLetters.changed', { id, status: 'discarded' });
}

// ---- schedules ----

export interface ScheduleInput {
  name: string;
  workflow: string;
  input: unknown;
  trigger: Trigger;
  priority?: number;
  agent?: string;
  app?: string;
  paused?: boolean;
}

function checkSchedule(k: Kernel, s: ScheduleInput): void {
  const def = k.workflows.get(s.workflow);
  if (!def) throw new ApiError({ code: 'not_found', message: `There is no workflow named ${s.workflow}.` });
  const parsed = def.input.safeParse(s.input);
  if (!parsed.success) throw new ApiError({ code: 'invalid_input', message: `Input for ${s.workflow} is invalid: ${parsed.error.issues[0]?.message}` });
  const problem = cronProblem(s.trigger);
  if (problem) throw new ApiError({ code: 'invalid_input', message: problem });
}

export async function createSchedule(k: Kernel, s: ScheduleInput, actor = 'operator'): Promise<string> {
  checkSchedule(k, s);
  const id = newId();
  const now = k.clock.now();
  const next = nextFire(s.trigger, now);
  await k.commit(async (tx, log) => {
    const exists = await tx.query('SELECT 1 FROM kernel_schedules WHERE name = $1', [s.name]);
    if (exists.rows.length) throw conflict(`A schedule named "${s.name}" already exists.`);
    await tx.query(
      `INSERT INTO kernel_schedules (id, name, workflow, input, trigger, priority, agent, app, paused, next_fire_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
      [id, s.name, s.workflow, JSON.stringify(jsonSafe(s.input)), JSON.stringify(s.trigger), s.priority ?? 0, s.agent ?? null, s.app ?? null, s.paused ?? false, next === null ? null : isoAt(next), isoAt(now)],
    );
    log({ type: 'schedule.created', actor: operator(actor), data: { scheduleId: id, name: s.name, workflow: s.workflow, trigger: s.trigger } });
  });
  k.notify('schedules.changed', { id });
  k.kick();
  return id;
}

export async function updateSchedule(k: Kernel, id: string, patch: Partial<ScheduleInput>, actor = 'operator'): Promise<void> {
  const current = toSchedule(await findOne<Record<string, unknown>>(k.db, 'schedule', id));
  const merged: ScheduleInput = {
    name: patch.name ?? current.name,
    workflow: patch.workflow ?? current.workflow,
    input: patch.input ?? current.input,
    trigger: patch.trigger ?? current.trigger,
    priority: patch.priority ?? current.priority,
    agent: patch.agent ?? current.agent ?? undefined,
    app: patch.app ?? current.app ?? undefined,
    paused: patch.paused ?? current.paused,
  };
  checkSchedule(k, merged);
  const now = k.clock.now();
  const next = patch.trigger || (current.paused && !merged.paused) ? nextFire(merged.trigger, now) : current.nextFireAt ? Date.parse(current.nextFireAt) : nextFire(merged.trigger, now);
  await k.commit(async (tx, log) => {
    await tx.query(
      `UPDATE kernel_schedules SET name = $2, workflow = $3, input = $4, trigger = $5, priority = $6, agent = $7, app = $8, paused = $9, next_fire_at = $10, updated_at = $11 WHERE id = $1`,
      [id, merged.name, merged.workflow, JSON.stringify(jsonSafe(merged.input)), JSON.stringify(merged.trigger), merged.priority, merged.agent ?? null, merged.app ?? null, merged.paused, next === null ? null : isoAt(next), isoAt(now)],
    );
    log({ type: patch.paused === true ? 'schedule.paused' : patch.paused === false ? 'schedule.resumed' : 'schedule.updated', actor: operator(actor), data: { scheduleId: id, name: merged.name } });
  });
  k.notify('schedules.changed', { id });
  k.kick();
}

export async function deleteSchedule(k: Kernel, id: string, actor = 'operator'): Promise<void> {
  await k.commit(async (tx, log) => {
    const { rows } = await tx.query<{ name: string }>('DELETE FROM kernel_schedules WHERE id = $1 RETURNING name', [id]);
    if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no schedule ${id}.` });
    log({ type: 'schedule.deleted', actor: operator(actor), data: { scheduleId: id, name: rows[0].name } });
  });
  k.notify('schedules.changed', { id });
}

// ---- budgets ----

export async function setBudget(k: Kernel, b: BudgetCaps, actor = 'operator'): Promise<void> {
  await k.commit((tx, log) => writeBudget(tx, log, b, actor));
  k.notify('budgets.changed', { scope: b.scope, name: b.name });
}

type BudgetCaps = Pick<Budget, 'scope' | 'name' | 'period' | 'maxUsd' | 'maxTokens'>;

/** Sets one cap inside a caller's transaction (no caps at all removes it), with its ledger event. */
export async function writeBudget(tx: Transaction, log: Log, b: BudgetCaps, actor: string): Promise<void> {
  if (b.maxUsd === null && b.maxTokens === null) {
    await tx.query('DELETE FROM kernel_budgets WHERE scope = $1 AND name = $2 AND period = $3', [b.scope, b.name, b.period]);
  } else {
    await tx.query(
      `INSERT INTO kernel_budgets (scope, name, period, max_usd, max_tokens) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, name, period) DO UPDATE SET max_usd = EXCLUDED.max_usd, max_tokens = EXCLUDED.max_tokens`,
      [b.scope, b.name, b.period, b.maxUsd, b.maxTokens],
    );
  }
  log({ type: 'budget.set', actor: operator(actor), data: { ...b } });
}

export async function listBudgets(k: Kernel, filter: { scope?: Budget['scope']; name?: string } = {}): Promise<Budget[]> {
  const { rows } = await k.db.query<{ scope: Budget['scope']; name: string; period: Budget['period']; max_usd: number | null; max_tokens: string | number | null }>(
    `SELECT * FROM kernel_budgets WHERE ($1::text IS NULL OR scope = $1) AND ($2::text IS NULL OR name = $2) ORDER BY scope, name, period`,
    [filter.scope ?? null, filter.name ?? null],
  );
  return Promise.all(
    rows.map(async (r) => {
      const used = await spent(k, r.scope, r.name, r.period);
      return { scope: r.scope, name: r.name, period: r.period, maxUsd: r.max_usd, maxTokens: r.max_tokens === null ? null : Number(r.max_tokens), spentUsd: used.usd, spentTokens: used.tokens };
    }),
  );
}


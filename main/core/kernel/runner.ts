import type { KernelErrorBody, RunStatus } from '../../../shared/domain/kernel';
import { RunContext } from './context';
import { BudgetExceeded, Cancelled, DeterminismViolation, isSignal, StepFailed, Suspend, toErrorBody } from './errors';
import { newId } from './ids';
import { isoAt, jsonSafe, runEventBase, type KernelInternals, type Log } from './internals';
import { DEFAULT_ON_EXHAUSTED, runWithPolicy } from './policy';
import { parkRun } from './runs';
import type { RunRow, StepRow } from './store';
import { fireEventTriggers } from './triggers';
import type { Transaction } from '@electric-sql/pglite';

/** Executes (or replays) one claimed run until it finishes, suspends or fails. */
export async function executeRun(k: KernelInternals, run: RunRow): Promise<void> {
  if (run.status === 'compensating') return compensate(k, run, run.error ?? { kind: 'permanent', message: 'Compensation resumed.' });
  const def = k.workflowFor(run.workflow, run.workflow_version);
  if (!def) {
    return park(k, run, { kind: 'validation', message: `Workflow ${run.workflow} is not registered in this Keel; install it, then retry.` }, 'dead_letter');
  }
  const { rows } = await k.db.query<StepRow>('SELECT * FROM kernel_steps WHERE run_id = $1', [run.id]);
  const ctx = new RunContext(k, run, def, new Map(rows.map((s) => [s.step_no, s])));
  try {
    const input = def.input.safeParse(run.input);
    if (!input.success) {
      throw new StepFailed({ kind: 'validation', message: `The run's input does not fit ${def.name}: ${input.error.issues[0]?.path.join('.')}: ${input.error.issues[0]?.message}. Edit the input and retry.` }, 'dead_letter');
    }
    const output = await def.run(ctx, input.data);
    if (ctx.signal) throw ctx.signal;
    await finish(k, run, 'succeeded', jsonSafe(output), null);
  } catch (thrown) {
    // A signal the workflow caught and replaced still wins: it is what really happened.
    const signal = ctx.signal ?? thrown;
    await handleOutcome(k, run, signal, def.defaults?.onExhausted ?? DEFAULT_ON_EXHAUSTED);
  }
}

async function handleOutcome(k: KernelInternals, run: RunRow, signal: unknown, fallback: StepFailed['onExhausted']): Promise<void> {
  if (signal instanceof Suspend) {
    if (signal.reason === 'shutdown') await parkRun(k.db, run.id, 'pending', k.clock.now());
    return;
  }
  if (signal instanceof Cancelled) {
    const error: KernelErrorBody = { kind: 'cancelled', message: 'Cancelled by the operator.' };
    if (run.cancel_compensate) return compensate(k, run, error);
    return finish(k, run, 'cancelled', null, error);
  }
  if (signal instanceof DeterminismViolation) return finish(k, run, 'failed', null, signal.error);
  if (signal instanceof BudgetExceeded) return escalate(k, run, signal.error, 'budget');
  if (signal instanceof StepFailed) {
    await recordFailedStep(k, run, signal);
    return park(k, run, signal.error, signal.onExhausted);
  }
  // An exception outside any step: a bug in the workflow code. It would repeat on retry
  // unchanged, so it is parked with the reason rather than retried.
  const error = toErrorBody(isSignal(signal) ? new Error('unexpected signal') : signal);
  console.error(`[kernel] run ${run.id} (${run.workflow}) threw outside a step:`, signal);
  return park(k, run, { ...error, kind: 'permanent' }, fallback);
}

async function recordFailedStep(k: KernelInternals, run: RunRow, failure: StepFailed): Promise<void> {
  const step = failure.error.step;
  if (!step || !failure.stepKind) return;
  await k.recordStep(
    run,
    { no: step.no, name: step.name, kind: failure.stepKind, status: 'failed', error: failure.error, attempts: failure.error.attempts ?? 1, startedAt: k.clock.now(), replace: true },
    { type: 'step.failed', stepNo: step.no, data: { name: step.name, kind: failure.error.kind, message: failure.error.message, attempts: failure.error.attempts ?? 1 } },
  );
}

/** The step policy's answer once retries are exhausted. */
async function park(k: KernelInternals, run: RunRow, error: KernelErrorBody, policy: StepFailed['onExhausted']): Promise<void> {
  switch (policy) {
    case 'escalate':
      return escalate(k, run, error, 'step_failed');
    case 'compensate':
      return compensate(k, run, error);
    case 'fail':
      return finish(k, run, 'failed', null, error);
    case 'dead_letter':
      return deadLetter(k, run, error);
  }
}

async function setStatus(tx: Transaction, run: RunRow, status: RunStatus, error: KernelErrorBody | null, now: string): Promise<void> {
  await tx.query(`UPDATE kernel_runs SET status = $2, error = $3, lease_owner = NULL, updated_at = $4 WHERE id = $1`, [run.id, status, error ? JSON.stringify(error) : null, now]);
}

export async function escalate(k: KernelInternals, run: RunRow, error: KernelErrorBody, kind: 'step_failed' | 'budget' | 'compensation_failed'): Promise<void> {
  const id = newId();
  const now = isoAt(k.clock.now());
  const status: RunStatus = kind === 'compensation_failed' ? 'compensation_failed' : 'paused';
  await k.commit(async (tx, log) => {
    await setStatus(tx, run, status, error, now);
    await tx.query(
      `INSERT INTO kernel_escalations (id, run_id, step_no, kind, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)`,
      [id, run.id, error.step?.no ?? null, kind, JSON.stringify(error), now],
    );
    if (kind === 'budget') log({ ...runEventBase(run), type: 'budget.paused', stepNo: error.step?.no ?? null, data: { escalationId: id, ...error.details } });
    log({ ...runEventBase(run), type: 'run.escalated', stepNo: error.step?.no ?? null, data: { escalationId: id, kind, reason: error.message } });
  });
  k.notify('escalations.changed', { id, runId: run.id, status: 'open', kind, message: error.message });
  k.notify('runs.changed', { id: run.id, status });
}

async function deadLetter(k: KernelInternals, run: RunRow, error: KernelErrorBody): Promise<void> {
  const id = newId();
  const now = isoAt(k.clock.now());
  await k.commit(async (tx, log) => {
    await setStatus(tx, run, 'dead_lettered', error, now);
    await tx.query(`INSERT INTO kernel_dead_letters (id, run_id, step_no, reason, status, created_at) VALUES ($1, $2, $3, $4, 'open', $5)`, [
      id,
      run.id,
      error.step?.no ?? null,
      JSON.stringify(error),
      now,
    ]);
    log({ ...runEventBase(run), type: 'run.dead_lettered', stepNo: error.step?.no ?? null, data: { deadLetterId: id, kind: error.kind, reason: error.message } });
  });
  k.notify('deadLetters.changed', { id, runId: run.id, status: 'open' });
  k.notify('runs.changed', { id: run.id, status: 'dead_lettered' });
}

/**
 * The saga's undo: every completed effect that declared a compensation is undone, newest
 * first, each through its adapter with its own idempotency key and recorded when done, so a
 * crash half-way resumes with the ones left.
 */
export async function compensate(k: KernelInternals, run: RunRow, error: KernelErrorBody): Promise<void> {
  if (run.status !== 'compensating') {
    await k.commit(async (tx, log) => {
      await tx.query(`UPDATE kernel_runs SET status = 'compensating', error = $2, updated_at = $3 WHERE id = $1`, [run.id, JSON.stringify(error), isoAt(k.clock.now())]);
      log({ ...runEventBase(run), type: 'run.compensating', data: { reason: error.message } });
    });
    k.notify('runs.changed', { id: run.id, status: 'compensating' });
  }
  const { rows } = await k.db.query<StepRow>(
    `SELECT * FROM kernel_steps WHERE run_id = $1 AND status = 'completed' AND compensation IS NOT NULL AND NOT compensated ORDER BY step_no DESC`,
    [run.id],
  );
  // Undo uses the workflow's own retry policy: it must outlast the same flaky world.
  const defaults = k.workflowFor(run.workflow, run.workflow_version)?.defaults;
  const policy = { retry: defaults?.retry, timeoutMs: defaults?.timeoutMs, onExhausted: 'escalate' as const };
  for (const step of rows) {
    const undo = step.compensation!;
    const name = `undo:${undo.adapter}.${undo.action}`;
    try {
      const act = k.adapterRegistry.resolve(undo.adapter, undo.action, run.adapter_versions?.[undo.adapter])?.actions[undo.action];
      if (!act) throw new StepFailed({ kind: 'validation', message: `There is no adapter action ${undo.adapter}.${undo.action} to compensate with.` }, 'escalate');
      const args = act.args.parse(undo.args);
      const key = `${run.id}:${step.step_no}:undo`;
      await runWithPolicy((signal) => act.run(args, { idempotencyKey: key, signal }), policy, { no: step.step_no, name });
    } catch (err) {
      const failure = err instanceof StepFailed ? err.error : toErrorBody(err, { no: step.step_no, name });
      return escalate(k, { ...run, status: 'compensating' }, { ...failure, message: `Compensation of step ${step.step_no} (${step.name}) failed: ${failure.message}` }, 'compensation_failed');
    }
    await k.commit(async (tx, log) => {
      await tx.query('UPDATE kernel_steps SET compensated = true WHERE run_id = $1 AND step_no = $2', [run.id, step.step_no]);
      log({ ...runEventBase(run), type: 'effect.compensated', stepNo: step.step_no, data: { effect: step.name, compensation: `${undo.adapter}.${undo.action}` } });
    });
  }
  return finish(k, run, error.kind === 'cancelled' ? 'cancelled' : 'compensated', null, error);
}

/** A run reaches its end: recorded with its outcome, its parent woken, run.finished triggers fired. */
export async function finish(k: KernelInternals, run: RunRow, status: RunStatus, output: unknown, error: KernelErrorBody | null): Promise<void> {
  const now = isoAt(k.clock.now());
  await k.commit(async (tx, log) => {
    await tx.query(
      `UPDATE kernel_runs SET status = $2, output = $3, error = $4, lease_owner = NULL, updated_at = $5, finished_at = $5, cancel_requested = false WHERE id = $1`,
      [run.id, status, output === null ? null : JSON.stringify(output), error ? JSON.stringify(error) : null, now],
    );
    log({ ...runEventBase(run), type: 'run.finished', data: { status, workflow: run.workflow, ...(error ? { error: error.message, kind: error.kind } : {}) } });
    if (run.parent_run_id !== null && run.parent_step_no !== null) await wakeParent(tx, log, run, status, output, error, now);
    await fireEventTriggers(k, tx, log, 'run.finished', { runId: run.id, workflow: run.workflow, status }, run.schedule_id);
  });
  k.notify('runs.changed', { id: run.id, status });
  k.kick();
}

async function wakeParent(tx: Transaction, log: Log, child: RunRow, status: RunStatus, output: unknown, error: KernelErrorBody | null, now: string): Promise<void> {
  const ok = status === 'succeeded';
  const childError: KernelErrorBody = { kind: error?.kind ?? 'permanent', message: `Child run ${child.id} (${child.workflow}) ended ${status}${error ? `: ${error.message}` : '.'}` };
  await tx.query(
    `UPDATE kernel_steps SET status = $3, output = $4, error = $5, finished_at = $6 WHERE run_id = $1 AND step_no = $2`,
    [child.parent_run_id, child.parent_step_no, ok ? 'completed' : 'failed', ok ? JSON.stringify(output) : null, ok ? null : JSON.stringify({ ...childError, step: { no: child.parent_step_no, name: `child:${child.workflow}` } }), now],
  );
  await tx.query(`UPDATE kernel_runs SET status = 'pending', due_at = $2, updated_at = $2 WHERE id = $1 AND status = 'waiting_child'`, [child.parent_run_id, now]);
  log({ ...runEventBase(child), type: 'child.finished', data: { parentRunId: child.parent_run_id, status } });
}

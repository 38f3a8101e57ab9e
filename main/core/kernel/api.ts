import type { z } from 'zod';
import type { kernelCalls } from '../../../shared/api/kernel-calls';
import { ApiError } from '../../../shared/api/errors';
import type { Kernel } from './kernel';
import { fromDb, toLedgerEvent, type LedgerRow } from './ledger';
import { decodeCursor, encodeCursor } from '../db/cursor';
import * as op from './operator';
import { findOne, toApproval, toDeadLetter, toEscalation, toRunDetail, toRunSummary, toSchedule, toStep, type RunRow, type StepRow } from './store';

type Calls = typeof kernelCalls;
type Handler<N extends keyof Calls> = (k: Kernel, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;
const OK = { ok: true } as const;



/** The kernel's API calls, served in the core worker next to the database. */
export const kernelHandlers: { [N in keyof Calls]: Handler<N> } = {
  async 'runs.list'(k, q) {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const { rows } = await k.db.query<RunRow>(
      `SELECT * FROM kernel_runs
       WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text IS NULL OR workflow = $2)
         AND ($3::text IS NULL OR agent = $3) AND ($4::text IS NULL OR app = $4)
         AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::text))
       ORDER BY created_at DESC, id DESC LIMIT $7`,
      [q.status ?? null, q.workflow ?? null, q.agent ?? null, q.app ?? null, after?.[0] ?? null, after?.[1] ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit);
    return { runs: page.map(toRunSummary), nextCursor: rows.length > q.limit ? encodeCursor(page.at(-1)!.created_at, page.at(-1)!.id) : null };
  },
  async 'runs.get'(k, { id }) {
    const run = await findOne<RunRow>(k.db, 'run', id);
    const steps = await k.db.query<StepRow>('SELECT * FROM kernel_steps WHERE run_id = $1 ORDER BY step_no', [id]);
    const events = await k.db.query<LedgerRow & { at: Date }>('SELECT * FROM kernel_ledger WHERE run_id = $1 ORDER BY seq LIMIT 2000', [id]);
    return { run: toRunDetail(run), steps: steps.rows.map(toStep), events: events.rows.map((e) => toLedgerEvent(fromDb(e))) };
  },
  'runs.start': (k, q) => op.startRun(k, q),
  async 'runs.cancel'(k, { id, compensate }) {
    await op.cancelRun(k, id, { compensate });
    return OK;
  },
  async 'runs.retry'(k, { id }) {
    await op.retryRun(k, id);
    return OK;
  },
  async 'runs.resume'(k, { id }) {
    const run = await findOne<RunRow>(k.db, 'run', id);
    if (run.status !== 'paused') throw new ApiError({ code: 'conflict', message: `Run ${id} is ${run.status}, not paused.` });
    await op.retryRun(k, id);
    return OK;
  },
  async 'escalations.list'(k, q) {
    const { rows } = await k.db.query<Record<string, unknown>>(
      `SELECT * FROM kernel_escalations WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC LIMIT $2`,
      [q.status ?? null, q.limit],
    );
    return { escalations: rows.map(toEscalation) };
  },
  async 'escalations.resolve'(k, { id, ...res }) {
    await op.resolveEscalation(k, id, res);
    return OK;
  },
  async 'deadLetters.list'(k, q) {
    const { rows } = await k.db.query<Record<string, unknown>>(
      `SELECT d.*, r.workflow, r.input FROM kernel_dead_letters d JOIN kernel_runs r ON r.id = d.run_id
       WHERE ($1::text IS NULL OR d.status = $1) ORDER BY d.created_at DESC LIMIT $2`,
      [q.status ?? null, q.limit],
    );
    return { deadLetters: rows.map(toDeadLetter) };
  },
  async 'deadLetters.retry'(k, { id }) {
    await op.retryDeadLetter(k, id);
    return OK;
  },
  async 'deadLetters.editAndRetry'(k, { id, input }) {
    await op.retryDeadLetter(k, id, 'operator', input);
    return OK;
  },
  async 'deadLetters.discard'(k, { id, note }) {
    await op.discardDeadLetter(k, id, note);
    return OK;
  },
  async 'approvals.list'(k, q) {
    const { rows } = await k.db.query<Record<string, unknown>>(
      `SELECT * FROM kernel_approvals WHERE ($1::text IS NULL OR status = $1)
       ORDER BY (status = 'pending') DESC, created_at DESC LIMIT $2`,
      [q.status ?? null, q.limit],
    );
    return { approvals: rows.map(toApproval) };
  },
  async 'approvals.get'(k, { id }) {
    return { approval: toApproval(await findOne<Record<string, unknown>>(k.db, 'approval', id)) };
  },
  async 'approvals.decide'(k, { id, ...decision }) {
    await op.decideApproval(k, id, decision);
    return OK;
  },
  async 'schedules.list'(k) {
    const { rows } = await k.db.query<Record<string, unknown>>('SELECT * FROM kernel_schedules ORDER BY name');
    return { schedules: rows.map(toSchedule) };
  },
  async 'schedules.create'(k, s) {
    return { id: await op.createSchedule(k, s) };
  },
  async 'schedules.update'(k, { id, ...patch }) {
    await op.updateSchedule(k, id, patch as Partial<op.ScheduleInput>);
    return OK;
  },
  async 'schedules.delete'(k, { id }) {
    await op.deleteSchedule(k, id);
    return OK;
  },
  async 'schedules.pause'(k, { id, paused }) {
    await op.updateSchedule(k, id, { paused });
    return OK;
  },
  async 'budgets.get'(k, q) {
    return { budgets: await op.listBudgets(k, q) };
  },
  async 'budgets.set'(k, b) {
    await op.setBudget(k, b);
    return OK;
  },
  async 'adapters.list'(k) {
    return { adapters: k.adapterRegistry.list() };
  },
  async 'kernel.status'(k) {
    return {
      paused: k.isPaused(),
      riskThreshold: k.riskThreshold(),
      concurrency: k.limits.global,
      running: k.runningCount(),
      workflows: [...k.workflows.values()].map((w) => ({ name: w.name, version: w.version })),
    };
  },
  async 'kernel.pause'(k) {
    await k.setPaused(true);
    return OK;
  },
  async 'kernel.resume'(k) {
    await k.setPaused(false);
    return OK;
  },
  async 'kernel.setRiskThreshold'(k, { risk }) {
    await k.setRiskThreshold(risk);
    return OK;
  },
  async 'kernel.setConcurrency'(k, { global }) {
    await k.setConcurrency(global);
    return OK;
  },
  async 'kernel.emitEvent'(k, { name, payload }) {
    return { started: await k.emitEvent(name, payload ?? null) };
  },
  async 'ledger.list'(k, q) {
    const desc = q.order === 'desc';
    const { rows } = await k.db.query<LedgerRow & { at: Date }>(
      `SELECT * FROM kernel_ledger WHERE seq > $1 AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR run_id = $3)
         AND ($4::text IS NULL OR type = $4) AND ($5::text IS NULL OR agent = $5) ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $6`,
      [q.afterSeq ?? 0, q.beforeSeq ?? null, q.runId ?? null, q.type ?? null, q.agent ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit).map((r) => toLedgerEvent(fromDb(r)));
    const more = rows.length > q.limit;
    return { events: page, nextAfterSeq: more && !desc ? page.at(-1)!.seq : null, nextBeforeSeq: more && desc ? page.at(-1)!.seq : null };
  },
  'ledger.verify': (k) => k.ledger.verify(k.db),
};

import type { Transaction } from '@electric-sql/pglite';
import { Cron } from 'croner';
import type { Trigger } from '../../../shared/domain/kernel';
import { isoAt, type KernelInternals, type Log } from './internals';
import { insertRun } from './runs';
import { newId } from './ids';
import type { RunTrigger } from './workflow';

/** The next time a time-based trigger fires strictly after `after`, or null (events, or a cron that never fires again). */
export function nextFire(trigger: Trigger, after: number): number | null {
  if (trigger.kind === 'interval') return after + trigger.everyMs;
  if (trigger.kind === 'event') return null;
  const next = new Cron(trigger.expr, { timezone: trigger.timezone ?? 'UTC' }).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/** Checks a cron expression the way the scheduler will read it; returns a sentence if it is wrong. */
export function cronProblem(trigger: Trigger): string | null {
  if (trigger.kind !== 'cron') return null;
  try {
    new Cron(trigger.expr, { timezone: trigger.timezone ?? 'UTC' });
    return null;
  } catch (err) {
    return `"${trigger.expr}" is not a valid cron expression: ${(err as Error).message}`;
  }
}

interface ScheduleRow {
  id: string;
  name: string;
  workflow: string;
  input: unknown;
  trigger: Trigger;
  priority: number;
  agent: string | null;
  app: string | null;
  next_fire_at: Date;
}

const scheduleActor = (s: ScheduleRow) => ({ kind: 'system' as const, name: `schedule:${s.name}` });

/** Creates the run a schedule fires, with the workflow's agent and app unless the schedule names its own. */
function startScheduled(k: KernelInternals, tx: Transaction, log: Log, s: ScheduleRow, key: string, trigger: RunTrigger) {
  const def = k.workflows.get(s.workflow);
  return insertRun(tx, log, {
    workflow: s.workflow,
    version: def?.version ?? 0,
    input: s.input,
    priority: s.priority,
    agent: s.agent ?? def?.agent ?? null,
    app: s.app ?? def?.app ?? null,
    idempotencyKey: key,
    scheduleId: s.id,
    trigger,
    dueAt: k.clock.now(),
    actor: scheduleActor(s),
  });
}

/**
 * Fires every time-based schedule that is due. Each firing creates its run with a key made
 * of the schedule and the planned time, in one transaction with the schedule's advance, so a
 * crash neither loses nor doubles a firing. Firings missed while Keel was off are coalesced
 * into one.
 */
export async function fireDueSchedules(k: KernelInternals): Promise<number> {
  const now = k.clock.now();
  const { rows } = await k.db.query<ScheduleRow>(
    `SELECT id, name, workflow, input, trigger, priority, agent, app, next_fire_at FROM kernel_schedules
     WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at`,
    [isoAt(now)],
  );
  for (const s of rows) {
    const planned = s.next_fire_at.getTime();
    await k.commit(async (tx, log) => {
      const trigger = { kind: s.trigger.kind as 'cron' | 'interval', scheduleId: s.id, scheduledFor: isoAt(planned) };
      await startScheduled(k, tx, log, s, `schedule:${s.id}:${isoAt(planned)}`, trigger);
      const next = nextFire(s.trigger, Math.max(now, planned));
      await tx.query('UPDATE kernel_schedules SET next_fire_at = $2, last_fired_at = $3, updated_at = $3 WHERE id = $1', [s.id, next === null ? null : isoAt(next), isoAt(now)]);
      log({ type: 'schedule.fired', actor: scheduleActor(s), data: { scheduleId: s.id, scheduledFor: isoAt(planned), next: next === null ? null : isoAt(next) } });
    });
  }
  return rows.length;
}

/**
 * Starts a run for every event schedule listening to `event`, inside the transaction of the
 * change that raised it. A run started by a `run.finished` trigger does not raise
 * `run.finished` triggers itself (no endless chains).
 */
/** A subscription's `where`: every named payload field has exactly that value. */
function matchesWhere(trigger: Trigger, payload: unknown): boolean {
  if (trigger.kind !== 'event' || !trigger.where) return true;
  const p = (payload ?? {}) as Record<string, unknown>;
  return Object.entries(trigger.where).every(([key, value]) => (p[key] ?? null) === value);
}

export async function fireEventTriggers(k: KernelInternals, tx: Transaction, log: Log, event: string, payload: unknown, sourceScheduleId: string | null = null): Promise<number> {
  const { rows } = await tx.query<ScheduleRow>(
    `SELECT id, name, workflow, input, trigger, priority, agent, app FROM kernel_schedules
     WHERE NOT paused AND trigger->>'kind' = 'event' AND trigger->>'event' = $1`,
    [event],
  );
  if (rows.length === 0) return 0;
  if (event === 'run.finished' && sourceScheduleId !== null) {
    const source = await tx.query<{ trigger: Trigger }>('SELECT trigger FROM kernel_schedules WHERE id = $1', [sourceScheduleId]);
    const src = source.rows[0]?.trigger;
    if (src?.kind === 'event' && src.event === 'run.finished') return 0;
  }
  const matching = rows.filter((s) => matchesWhere(s.trigger, payload));
  for (const s of matching) await startScheduled(k, tx, log, s, `event:${s.id}:${newId()}`, { kind: 'event', scheduleId: s.id, event, payload });
  const started = matching.length;
  if (started) k.kick();
  return started;
}

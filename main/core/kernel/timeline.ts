import type { PGlite } from '@electric-sql/pglite';
import type { z } from 'zod';
import type { timelineCalls } from '../../../shared/api/timeline-calls';
import type { KernelErrorBody, LedgerEvent } from '../../../shared/domain/kernel';
import { ModelCallRecord } from '../../../shared/domain/models';
import {
  FAILED_RUN_STATUSES,
  FAILURE_TYPES,
  type RunTrace,
  type TimelineCount,
  type TimelineFacets,
  type TimelineFilter,
  type TimelinePage,
  type TimelineRun,
  type TraceRun,
  type TraceStep,
} from '../../../shared/domain/timeline';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { Kernel } from './kernel';
import { fromDb, toLedgerEvent, type LedgerRow, type Queryable } from './ledger';
import { findOne, iso, type RunRow, type StepRow } from './store';

/**
 * The timeline's queries (DESIGN.md §1, full visibility), on the ledger as it is: no index of
 * their own, so a ledger write costs what it did. What keeps them fast at 100,000 events:
 *
 * * the ledger's seq has no gaps (`ledger.verify` reports a missing event), so without
 *   filters the n-th newest event is `head - n` and the total is `head`: random access to
 *   any depth is one primary-key range read;
 * * with filters, the newest-first scan walks the primary key backwards in growing seq
 *   windows and stops at `limit` matches or after a time budget, answering with where to
 *   go on (a rare match never holds a call for a whole-ledger scan);
 * * counting is budgeted the same way: exact when it fits, else estimated for the part not
 *   counted (from the planner's statistics, which `keepStatistics` refreshes as the ledger
 *   grows) and said so;
 * * facets are summed once and then only over what was appended since.
 */

type Calls = typeof timelineCalls;
type Handler<N extends keyof Calls> = (k: Kernel, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** How long one call may scan before it answers with what it found and where to go on. */
const PAGE_BUDGET_MS = 40;
const COUNT_BUDGET_MS = 50;
const RUNS_BUDGET_MS = 35;
/** The first seq window of a bounded scan; the next ones are as wide as the time left allows. */
const FIRST_WINDOW = 4_096;
const FIRST_COUNT_WINDOW = 8_192;
const MAX_TRACE_RUNS = 300;
/** Below this, the planner's guesses do no harm. */
const STATS_MIN_EVENTS = 5_000;
const MAX_STEPS_PER_RUN = 1_000;

/** `LIKE` pattern for a literal substring. */
const likeContains = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The filters as SQL conditions on kernel_ledger (aliased `l`), appending their parameters. */
export function filterConditions(f: TimelineFilter, params: unknown[], alias = 'l'): string[] {
  const col = (c: string) => `${alias}.${c}`;
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const out: string[] = [];
  if (f.agent !== undefined) out.push(`${col('agent')} = ${p(f.agent)}`);
  if (f.app !== undefined) out.push(`${col('app')} = ${p(f.app)}`);
  if (f.runId !== undefined) out.push(`${col('run_id')} = ${p(f.runId)}`);
  if (f.types?.length) {
    const exact = f.types.filter((t) => !t.endsWith('.*'));
    const families = f.types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
    const any = [
      ...(exact.length ? [`${col('type')} = ANY(${p(exact)}::text[])`] : []),
      ...families.map((prefix) => `starts_with(${col('type')}, ${p(prefix)})`),
    ];
    out.push(`(${any.join(' OR ')})`);
  }
  if (f.from !== undefined) out.push(`${col('at')} >= ${p(f.from)}::timestamptz`);
  if (f.to !== undefined) out.push(`${col('at')} <= ${p(f.to)}::timestamptz`);
  if (f.costAbove !== undefined) out.push(`${col('cost_usd')} > ${p(f.costAbove)}`);
  if (f.failedOnly) {
    out.push(
      `(${col('type')} = ANY(${p([...FAILURE_TYPES])}::text[]) OR (${col('type')} IN ('run.finished', 'child.finished') AND ${col('data')}->>'status' = ANY(${p([...FAILED_RUN_STATUSES])}::text[])))`,
    );
  }
  if (f.text !== undefined) {
    const pattern = p(likeContains(f.text));
    // The step name, error messages and reasons are in `data`; its text form holds them all.
    out.push(
      `(lower(${col('type')}) LIKE ${pattern} OR lower(${col('actor')}) LIKE ${pattern} OR lower(coalesce(${col('run_id')}, '')) LIKE ${pattern} OR lower(${col('data')}::text) LIKE ${pattern})`,
    );
  }
  return out;
}

const hasFilters = (f: TimelineFilter) => filterConditions(f, []).length > 0;

export async function headSeq(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ head: string | number | null }>('SELECT max(seq) AS head FROM kernel_ledger');
  const head = Number(rows[0]?.head ?? 0);
  await keepStatistics(db, head);
  return head;
}

/** The ledger size the planner's statistics describe, per database (read once, then kept). */
const analysedAt = new WeakMap<object, number>();

/**
 * PGlite runs no autovacuum, so the planner never learns that the ledger grew: it then takes
 * a 100,000-event ledger for a small table and sorts whole seq ranges where walking the
 * primary key backwards would stop at `limit`. Each time the ledger has doubled since its
 * statistics were taken, they are taken again, for the columns the timeline filters on and
 * from a small sample (about 40 ms at 100,000 events), when a timeline call is made.
 */
async function keepStatistics(db: Queryable, head: number): Promise<void> {
  let at = analysedAt.get(db);
  if (at === undefined) {
    const { rows } = await db.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'kernel_ledger'::regclass`);
    at = Math.max(0, Number(rows[0]?.n ?? 0));
    analysedAt.set(db, at);
  }
  if (head < STATS_MIN_EVENTS || head < at * 2 || !('exec' in db)) return;
  analysedAt.set(db, head);
  // One implicit transaction: the smaller sample applies to this ANALYZE only (and is rolled
  // back with it if it fails).
  await (db as PGlite)
    .exec('SET default_statistics_target = 20; ANALYZE kernel_ledger (seq, run_id, agent, app, type, at, cost_usd); RESET default_statistics_target;')
    .catch((err: unknown) => console.error('[timeline] could not refresh the ledger statistics:', err));
}

/**
 * Seq windows from `top` down to `bottom`, newest first: the first `first` wide, each next
 * one as wide as the time left allows at the pace so far (all the rest when it fits). Stops
 * when the budget is spent; the caller knows where from the last window it got.
 */
function* seqWindows(top: number, bottom: number, first: number, budgetMs: number): Generator<[hi: number, lo: number]> {
  const started = performance.now();
  let hi = top;
  let width = first;
  while (hi >= bottom) {
    const lo = Math.max(bottom, hi - width + 1);
    yield [hi, lo];
    hi = lo - 1;
    if (hi < bottom) return;
    const elapsed = performance.now() - started;
    const perSeq = elapsed / (top - hi);
    const left = budgetMs - elapsed;
    const rest = hi - bottom + 1;
    if (perSeq * rest <= left) width = rest;
    else if ((width = Math.floor(left / perSeq)) < first / 4) return;
  }
}

type Row = LedgerRow & { at: Date };
const toEvents = (rows: Row[]): LedgerEvent[] => rows.map((r) => toLedgerEvent(fromDb(r)));

export interface PageRequest {
  beforeSeq?: number;
  afterSeq?: number;
  offset?: number;
  limit: number;
}

/** Events matching `f` in the seq window (afterSeq, beforeSeq), newest first. */
export async function queryTimeline(db: Queryable, f: TimelineFilter, req: PageRequest): Promise<TimelinePage> {
  const head = await headSeq(db);
  // Inclusive bounds of the window.
  const top = Math.min(req.beforeSeq === undefined ? head : req.beforeSeq - 1, head);
  const bottom = (req.afterSeq ?? 0) + 1;
  const limit = req.limit;
  if (top < bottom) return { events: [], nextBeforeSeq: null, headSeq: head };

  if (!hasFilters(f)) {
    // No gaps in seq: the offset-th newest event of the window is top - offset.
    const start = top - (req.offset ?? 0);
    if (start < bottom) return { events: [], nextBeforeSeq: null, headSeq: head };
    const { rows } = await db.query<Row>('SELECT * FROM kernel_ledger WHERE seq <= $1 AND seq >= $2 ORDER BY seq DESC LIMIT $3', [start, bottom, limit]);
    const last = rows.at(-1);
    return { events: toEvents(rows), nextBeforeSeq: rows.length === limit && last && Number(last.seq) > bottom ? Number(last.seq) : null, headSeq: head };
  }

  if (req.offset) {
    // Random access into a filtered list: skip `offset` matches (one scan down to them).
    const params: unknown[] = [top, bottom];
    const where = filterConditions(f, params).join(' AND ');
    params.push(req.offset, limit + 1);
    const { rows } = await db.query<Row>(
      `SELECT * FROM kernel_ledger l WHERE seq <= $1 AND seq >= $2 AND ${where} ORDER BY seq DESC OFFSET $${params.length - 1} LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { events: toEvents(page), nextBeforeSeq: rows.length > limit ? Number(page.at(-1)!.seq) : null, headSeq: head };
  }

  // Keyset scan, newest first, window by window, within a time budget.
  const found: Row[] = [];
  let reached = top + 1;
  for (const [hi, lo] of seqWindows(top, bottom, FIRST_WINDOW, PAGE_BUDGET_MS)) {
    const params: unknown[] = [hi, lo];
    const where = filterConditions(f, params).join(' AND ');
    params.push(limit + 1 - found.length);
    const { rows } = await db.query<Row>(`SELECT * FROM kernel_ledger l WHERE seq <= $1 AND seq >= $2 AND ${where} ORDER BY seq DESC LIMIT $${params.length}`, params);
    found.push(...rows);
    if (found.length > limit) {
      const page = found.slice(0, limit);
      return { events: toEvents(page), nextBeforeSeq: Number(page.at(-1)!.seq), headSeq: head };
    }
    reached = lo;
  }
  // Out of time (older events are still to be searched) or out of window (nothing more).
  return { events: toEvents(found), nextBeforeSeq: reached > bottom ? reached : null, headSeq: head };
}

/** How many events match, at or below `atSeq`: exact when counting fits the budget. */
export async function countTimeline(db: Queryable, f: TimelineFilter, atSeq?: number): Promise<TimelineCount> {
  const head = await headSeq(db);
  const top = Math.min(atSeq ?? head, head);
  if (!hasFilters(f)) return { total: Math.max(top, 0), exact: true, headSeq: head };
  let total = 0;
  let reached = top + 1;
  for (const [hi, lo] of seqWindows(top, 1, FIRST_COUNT_WINDOW, COUNT_BUDGET_MS)) {
    const params: unknown[] = [hi, lo];
    const where = filterConditions(f, params).join(' AND ');
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_ledger l WHERE seq <= $1 AND seq >= $2 AND ${where}`, params);
    total += rows[0]!.n;
    reached = lo;
  }
  if (reached <= 1) return { total, exact: true, headSeq: head };
  return { total: total + (await estimateRest(db, f, reached - 1, total / (top - reached + 1))), exact: false, headSeq: head };
}

/**
 * How many events at or below `seq` match, without counting them: the planner's estimate from
 * the ledger's statistics (which know how often each agent, app and type occurs in the whole
 * ledger, so a filter whose matches crowd the newest events is not taken for evenly spread);
 * for a text search, which statistics cannot judge, the rate in the part already counted.
 */
async function estimateRest(db: Queryable, f: TimelineFilter, seq: number, countedRate: number): Promise<number> {
  const byRate = Math.round(countedRate * seq);
  if (f.text !== undefined) return byRate;
  try {
    const params: unknown[] = [seq];
    const where = filterConditions(f, params).join(' AND ');
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM kernel_ledger l WHERE seq <= $1 AND ${where}`, params);
    const planned = rows[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'];
    return typeof planned === 'number' && Number.isFinite(planned) ? Math.min(seq, Math.round(planned)) : byRate;
  } catch {
    return byRate;
  }
}

interface FacetCache {
  head: number;
  agents: Set<string>;
  apps: Set<string>;
  types: Map<string, number>;
  pending: Promise<unknown> | null;
}
const facetCaches = new WeakMap<object, FacetCache>();

/** The agents, apps and types in the ledger: summed once per database, then only what is new. */
export async function timelineFacets(db: Queryable): Promise<TimelineFacets> {
  const cache = facetCaches.get(db) ?? { head: 0, agents: new Set(), apps: new Set(), types: new Map(), pending: null };
  facetCaches.set(db, cache);
  // One summing at a time: two calls at once would add the same new events twice.
  while (cache.pending) await cache.pending;
  const done = sumFacets(db, cache);
  cache.pending = done.finally(() => (cache.pending = null));
  await done;
  const sorted = (s: Iterable<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return {
    agents: sorted(cache.agents),
    apps: sorted(cache.apps),
    types: [...cache.types].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type)),
    headSeq: cache.head,
  };
}

async function sumFacets(db: Queryable, cache: FacetCache): Promise<void> {
  const head = await headSeq(db);
  if (head > cache.head) {
    const { rows } = await db.query<{ type: string; agent: string | null; app: string | null; n: number }>(
      'SELECT type, agent, app, count(*)::int AS n FROM kernel_ledger WHERE seq > $1 AND seq <= $2 GROUP BY type, agent, app',
      [cache.head, head],
    );
    for (const r of rows) {
      cache.types.set(r.type, (cache.types.get(r.type) ?? 0) + r.n);
      if (r.agent) cache.agents.add(r.agent);
      if (r.app) cache.apps.add(r.app);
    }
    cache.head = head;
  }
}

/** Runs examined in the first batch of a filtered grouping; later batches fit the time left. */
const FIRST_RUN_BATCH = 64;

/** Runs with at least one event matching `f`, newest first, with their sums; budgeted like pages. */
export async function timelineRuns(db: Queryable, f: TimelineFilter, req: { cursor?: string; limit: number }): Promise<{ runs: TimelineRun[]; nextCursor: string | null }> {
  let after = req.cursor ? decodeCursor(req.cursor) : null;
  // Every event about a run carries the run's agent and app: those narrow the runs directly.
  const runParams: unknown[] = [];
  const runWhere: string[] = [];
  if (f.agent !== undefined) runWhere.push(`agent = $${runParams.push(f.agent)}`);
  if (f.app !== undefined) runWhere.push(`app = $${runParams.push(f.app)}`);
  if (f.runId !== undefined) runWhere.push(`id = $${runParams.push(f.runId)}`);
  const eventFilter: TimelineFilter = { ...f, agent: undefined, app: undefined, runId: undefined };
  const filtered = hasFilters(eventFilter);
  const started = performance.now();
  let examined = 0;
  let batch = filtered ? FIRST_RUN_BATCH : req.limit;
  const picked: RunRow[] = [];
  const matching = new Map<string, number>();
  let exhausted = false;
  while (picked.length < req.limit) {
    const params = [...runParams];
    const where = [...runWhere];
    if (after) where.push(`(created_at, id) < ($${params.push(after[0])}::timestamptz, $${params.push(after[1])}::text)`);
    if (!filtered) batch = req.limit - picked.length;
    params.push(batch);
    const { rows } = await db.query<RunRow>(
      `SELECT * FROM kernel_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    if (filtered && rows.length) {
      const p: unknown[] = [rows.map((r) => r.id)];
      const cond = filterConditions(eventFilter, p);
      const { rows: hits } = await db.query<{ run_id: string; n: number }>(
        `SELECT run_id, count(*)::int AS n FROM kernel_ledger l WHERE run_id = ANY($1::text[]) AND ${cond.join(' AND ')} GROUP BY run_id`,
        p,
      );
      for (const h of hits) matching.set(h.run_id, h.n);
    }
    for (const r of rows) {
      after = [iso(r.created_at)!, r.id];
      if (!filtered || matching.has(r.id)) picked.push(r);
      if (picked.length === req.limit) break;
    }
    if (rows.length < batch) {
      // The last batch: done, unless the page filled up before its end.
      exhausted = rows.length === 0 || after?.[1] === rows.at(-1)!.id;
      break;
    }
    examined += rows.length;
    const elapsed = performance.now() - started;
    const left = RUNS_BUDGET_MS - elapsed;
    if (left <= 0) break;
    batch = Math.min(2_000, Math.max(16, Math.floor(left / (elapsed / examined))));
  }
  const sums = new Map<string, { n: number; cost: number; tokens: number; last: Date | null }>();
  if (picked.length) {
    const { rows } = await db.query<{ run_id: string; n: number; cost: number; tokens: string | number; last: Date | null }>(
      'SELECT run_id, count(*)::int AS n, sum(cost_usd) AS cost, sum(tokens) AS tokens, max(at) AS last FROM kernel_ledger WHERE run_id = ANY($1::text[]) GROUP BY run_id',
      [picked.map((r) => r.id)],
    );
    for (const r of rows) sums.set(r.run_id, { n: r.n, cost: Number(r.cost ?? 0), tokens: Number(r.tokens ?? 0), last: r.last });
  }
  const runs = picked.map((r): TimelineRun => {
    const s = sums.get(r.id);
    return {
      ...runFields(r),
      traceId: r.trace_id,
      events: s?.n ?? 0,
      matching: filtered ? (matching.get(r.id) ?? 0) : (s?.n ?? 0),
      costUsd: s?.cost ?? 0,
      tokens: s?.tokens ?? 0,
      lastEventAt: iso(s?.last ?? null),
    };
  });
  return { runs, nextCursor: exhausted || !after ? null : encodeCursor(after[0], after[1]) };
}

/** What the run list and the trace both say about a run. */
function runFields(r: RunRow) {
  return {
    id: r.id,
    workflow: r.workflow,
    agent: r.agent,
    app: r.app,
    status: r.status,
    parentRunId: r.parent_run_id,
    error: r.error,
    createdAt: iso(r.created_at)!,
    finishedAt: iso(r.finished_at),
  };
}

const ms = (a: Date | string | null, b: Date | string | null): number | null => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** Why a step went the way it did, from its output and the ledger events about it. */
function stepReason(step: StepRow, events: { type: string; data: Record<string, unknown> }[]): string | null {
  const reasons: string[] = [];
  if (step.kind === 'approval' && isObj(step.output) && typeof step.output.decision === 'string') {
    const o = step.output;
    reasons.push(`${String(o.decision).replace('_', ' ')}${str(o.decidedBy) ? ` by ${o.decidedBy}` : ''}${str(o.note) ? `: ${o.note}` : ''}`);
  }
  for (const e of events) {
    const d = e.data;
    if (e.type === 'approval.requested' && step.status === 'waiting') reasons.push(`waiting for approval: ${str(d.title) ?? 'a decision'}`);
    if (e.type === 'escalation.resolved') reasons.push(`operator chose ${str(d.action) ?? 'an action'}${str(d.note) ? `: ${d.note}` : ''}`);
    if (e.type === 'gate.passed' && typeof d.approvedAtStep === 'number') reasons.push(`authorised by the approval at step ${d.approvedAtStep}`);
    if (e.type === 'step.completed' || e.type === 'effect.sent') {
      const why = str(d.reason) ?? str(d.rationale);
      if (why) reasons.push(why);
    }
  }
  return reasons.length ? [...new Set(reasons)].join('; ') : null;
}

/** The causal tree of a run's trace: from its root run, steps and child runs nested. */
export async function runTrace(db: Queryable, id: string): Promise<RunTrace> {
  const asked = await findOne<RunRow>(db, 'run', id);
  let root = asked;
  for (let depth = 0; root.parent_run_id && depth < 100; depth++) {
    const { rows } = await db.query<RunRow>('SELECT * FROM kernel_runs WHERE id = $1', [root.parent_run_id]);
    if (!rows[0]) break;
    root = rows[0];
  }
  const { rows: tree } = await db.query<RunRow>(
    `WITH RECURSIVE t AS (
       SELECT r.*, 0 AS depth FROM kernel_runs r WHERE r.id = $1
       UNION ALL
       SELECT c.*, t.depth + 1 FROM kernel_runs c JOIN t ON c.parent_run_id = t.id WHERE t.depth < 100
     ) SELECT * FROM t ORDER BY depth, created_at, id LIMIT $2`,
    [root.id, MAX_TRACE_RUNS + 1],
  );
  let runs = tree.slice(0, MAX_TRACE_RUNS);
  let omitted = 0;
  if (tree.length > MAX_TRACE_RUNS) {
    const { rows } = await db.query<{ n: number }>(
      `WITH RECURSIVE t AS (SELECT id, 0 AS depth FROM kernel_runs WHERE id = $1 UNION ALL SELECT c.id, t.depth + 1 FROM kernel_runs c JOIN t ON c.parent_run_id = t.id WHERE t.depth < 100)
       SELECT count(*)::int AS n FROM t`,
      [root.id],
    );
    omitted = rows[0]!.n - MAX_TRACE_RUNS;
    // The asked-for run is always in the answer, with its ancestors.
    if (!runs.some((r) => r.id === asked.id)) runs = [...runs.slice(0, MAX_TRACE_RUNS - 1), asked];
  }
  const ids = runs.map((r) => r.id);
  const { rows: steps } = await db.query<StepRow & { total: number }>(
    `SELECT * FROM (SELECT s.*, row_number() OVER (PARTITION BY run_id ORDER BY step_no) AS rn, count(*) OVER (PARTITION BY run_id)::int AS total
       FROM kernel_steps s WHERE run_id = ANY($1::text[])) x WHERE rn <= $2 ORDER BY run_id, step_no`,
    [ids, MAX_STEPS_PER_RUN],
  );
  const { rows: notes } = await db.query<{ run_id: string; step_no: number; type: string; data: unknown }>(
    `SELECT run_id, step_no, type, data FROM kernel_ledger WHERE run_id = ANY($1::text[]) AND step_no IS NOT NULL
       AND type IN ('step.completed', 'effect.sent', 'gate.passed', 'approval.requested', 'escalation.resolved') ORDER BY seq`,
    [ids],
  );
  const noteKey = (run: string, no: number) => `${run}#${no}`;
  const notesByStep = new Map<string, { type: string; data: Record<string, unknown> }[]>();
  for (const n of notes) {
    const key = noteKey(n.run_id, Number(n.step_no));
    const list = notesByStep.get(key) ?? [];
    list.push({ type: n.type, data: isObj(n.data) ? n.data : {} });
    notesByStep.set(key, list);
  }
  const childOf = new Map<string, string>();
  for (const r of runs) if (r.parent_run_id && r.parent_step_no !== null) childOf.set(noteKey(r.parent_run_id, r.parent_step_no), r.id);

  const stepsByRun = new Map<string, TraceStep[]>();
  const totals = new Map<string, number>();
  for (const s of steps) {
    const key = noteKey(s.run_id, s.step_no);
    const events = notesByStep.get(key) ?? [];
    const completed = events.find((e) => e.type === 'step.completed' && isObj(e.data.model));
    const model = completed ? ModelCallRecord.safeParse(completed.data.model) : null;
    const childFromOutput = s.kind === 'child' && isObj(s.output) && typeof s.output.childRunId === 'string' ? s.output.childRunId : null;
    const list = stepsByRun.get(s.run_id) ?? [];
    list.push({
      no: s.step_no,
      name: s.name,
      kind: s.kind,
      status: s.status,
      startedAt: iso(s.started_at)!,
      finishedAt: iso(s.finished_at),
      durationMs: ms(s.started_at, s.finished_at),
      attempts: s.attempts,
      costUsd: Number(s.cost_usd),
      tokens: Number(s.tokens),
      model: model?.success ? model.data : null,
      error: s.error as KernelErrorBody | null,
      reason: stepReason(s, events),
      childRunId: childOf.get(key) ?? childFromOutput,
      compensated: s.compensated,
    });
    stepsByRun.set(s.run_id, list);
    totals.set(s.run_id, Number(s.total));
  }

  const nodes = new Map<string, TraceRun>();
  for (const r of runs) {
    const own = stepsByRun.get(r.id) ?? [];
    nodes.set(r.id, {
      ...runFields(r),
      parentStepNo: r.parent_step_no,
      durationMs: ms(r.created_at, r.finished_at),
      costUsd: own.reduce((sum, s) => sum + s.costUsd, 0),
      tokens: own.reduce((sum, s) => sum + s.tokens, 0),
      steps: own,
      stepsOmitted: Math.max(0, (totals.get(r.id) ?? 0) - own.length),
      children: [],
    });
  }
  for (const r of runs) {
    if (r.id === root.id || !r.parent_run_id) continue;
    nodes.get(r.parent_run_id)?.children.push(nodes.get(r.id)!);
  }
  // Each run keeps its own sums (a child step costs nothing itself); the trace adds them up.
  const all = [...nodes.values()];
  return {
    traceId: root.trace_id,
    focus: asked.id,
    root: nodes.get(root.id)!,
    runs: all.length,
    runsOmitted: omitted,
    costUsd: all.reduce((sum, r) => sum + r.costUsd, 0),
    tokens: all.reduce((sum, r) => sum + r.tokens, 0),
  };
}

/** The timeline's API calls, served in the core worker next to the database. */
export const timelineHandlers: { [N in keyof Calls]: Handler<N> } = {
  'timeline.query': (k, { beforeSeq, afterSeq, offset, limit, ...filter }) => queryTimeline(k.db, filter, { beforeSeq, afterSeq, offset, limit }),
  'timeline.count': (k, { atSeq, ...filter }) => countTimeline(k.db, filter, atSeq),
  'timeline.facets': (k) => timelineFacets(k.db),
  'timeline.runs': (k, { cursor, limit, ...filter }) => timelineRuns(k.db, filter, { cursor, limit }),
  'runs.trace': (k, { id }) => runTrace(k.db, id),
};

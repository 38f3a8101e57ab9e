import type { PGlite } from '@electric-sql/pglite';
import type { Queryable } from '../kernel/ledger';
import type { AgentSpend, AppSpend, CostWindow, ModelSpend, RunOutcome, RunSpend, WastedWork, WasteReason } from '../../../shared/domain/insights';
import { CALL as MODEL_CALL } from '../models/ledger-figures';

/**
 * What was spent in a window, summed from the ledger in one statement that reads each
 * spending event once. Measured at 100,000 events (CONTEXT.md): every extra pass over the
 * window's events costs tens of milliseconds and reading fields out of `data` costs more than
 * the pass itself, so all breakdowns are grouping sets of one aggregate, the model is taken
 * out of `data` once per event, and only the per-run set is joined further.
 */

/** Run outcomes whose spending came to nothing. */
const WASTED_STATUSES: WasteReason[] = ['failed', 'compensated', 'compensation_failed', 'cancelled', 'dead_lettered'];
/** The costliest wasted runs listed (the totals count all of them). */
const WASTED_LISTED = 50;
const TOP_RUNS = 10;

/** The grouping keys, in the order GROUPING() numbers them, and the breakdowns made of them. */
const KEYS = ['day', 'agent', 'app', 'provider', 'model', 'run_id'] as const;
type Key = (typeof KEYS)[number];
const SETS = { total: [], day: ['day', 'agent'], agent: ['agent'], app: ['app'], model: ['provider', 'model'], run: ['run_id', 'agent', 'app'] } satisfies Record<string, Key[]>;
type SetName = keyof typeof SETS;
/** GROUPING(day, agent, ...) of a set's rows: a bit for each key the set leaves out, the first key highest. */
const mask = (set: readonly Key[]) => KEYS.reduce((m, k, i) => (set.includes(k) ? m : m | (1 << (KEYS.length - 1 - i))), 0);
const SET_OF = new Map(Object.entries(SETS).map(([name, keys]) => [mask(keys), name as SetName]));
const RUN_SET = mask(SETS.run);

/**
 * Parameters: $1 from, $2 to (exclusive), $3 time zone, $4 wasted statuses. The OFFSET 0
 * keeps Postgres from reading `data->'model'` again for each field taken from it.
 */
const SUMS = `
  sums AS MATERIALIZED (
    SELECT GROUPING(${KEYS.join(', ')}) AS g, ${KEYS.join(', ')}, sum(cost_usd) AS cost, sum(tokens) AS tokens, count(m) AS calls
    FROM (SELECT (at AT TIME ZONE $3::text)::date AS day, run_id, agent, app, cost_usd, tokens, m, m->>'provider' AS provider, m->>'model' AS model
          FROM (SELECT at, run_id, agent, app, cost_usd, tokens, CASE WHEN ${MODEL_CALL} THEN data->'model' END AS m
                FROM kernel_ledger WHERE at >= $1::timestamptz AND at < $2::timestamptz AND (cost_usd > 0 OR tokens > 0) OFFSET 0) e) e
    GROUP BY GROUPING SETS (${Object.values(SETS).map((keys) => `(${keys.join(', ')})`).join(', ')})
  ),
  per_run AS MATERIALIZED (
    SELECT s.run_id AS id, r.workflow, s.agent, s.app, r.status, r.created_at AS started_at, s.cost, s.tokens, s.calls,
           CASE WHEN r.status = ANY($4::text[]) THEN r.status
                WHEN r.id IN (SELECT run_id FROM kernel_approvals WHERE status = 'decided' AND decision->>'decision' = 'reject') THEN 'rejected' END AS waste
    FROM sums s JOIN kernel_runs r ON r.id = s.run_id WHERE s.g = ${RUN_SET}
  )`;

const RUN = `json_build_object('id', id, 'workflow', workflow, 'agent', agent, 'app', app, 'status', status, 'costUsd', cost, 'tokens', tokens, 'modelCalls', calls, 'startedAt', started_at)`;
const list = (fields: string, from: string) => `(SELECT coalesce(json_agg(${fields}), '[]') FROM (${from}) x)`;
const runsBy = (column: 'agent' | 'app') => list(`json_build_object('key', ${column}, 'runs', runs)`, `SELECT ${column}, count(*) AS runs FROM per_run GROUP BY 1`);

/** The statement's columns: the small sets as they are, the per-run set as the lists the view shows. */
const COLUMNS = {
  sums: list(
    `json_build_object('set', g, 'day', day, 'agent', agent, 'app', app, 'provider', provider, 'model', model, 'costUsd', cost, 'tokens', tokens, 'calls', calls)`,
    `SELECT * FROM sums WHERE g <> ${RUN_SET}`,
  ),
  runs_by_agent: runsBy('agent'),
  runs_by_app: runsBy('app'),
  top_runs: list(RUN, `SELECT * FROM per_run ORDER BY cost DESC, tokens DESC, id LIMIT ${TOP_RUNS}`),
  wasted: list(
    `json_build_object('reason', waste, 'runs', runs, 'costUsd', cost, 'tokens', tokens)`,
    `SELECT waste, count(*) AS runs, sum(cost) AS cost, sum(tokens) AS tokens FROM per_run WHERE waste IS NOT NULL GROUP BY 1 ORDER BY cost DESC`,
  ),
  wasted_runs: list(`json_build_object('reason', waste, 'run', ${RUN})`, `SELECT * FROM per_run WHERE waste IS NOT NULL ORDER BY cost DESC, tokens DESC, id LIMIT ${WASTED_LISTED}`),
  // Runs started in the window as they stand now (kernel_runs_created makes this a range scan).
  outcomes: list(
    `json_build_object('status', status, 'runs', runs, 'costUsd', cost)`,
    `SELECT r.status, count(*) AS runs, coalesce(sum(p.cost), 0) AS cost FROM kernel_runs r LEFT JOIN per_run p ON p.id = r.id
     WHERE r.created_at >= $1::timestamptz AND r.created_at < $2::timestamptz GROUP BY 1 ORDER BY runs DESC, r.status`,
  ),
};

/** The whole statement. */
const STATEMENT = `WITH ${SUMS}\nSELECT ${Object.entries(COLUMNS).map(([name, expr]) => `${expr} AS ${name}`).join(',\n')}`;

interface SumRow {
  set: number;
  day: string | null;
  agent: string | null;
  app: string | null;
  provider: string | null;
  model: string | null;
  costUsd: number;
  tokens: number;
  calls: number;
}

interface Row {
  sums: SumRow[];
  runs_by_agent: { key: string | null; runs: number }[];
  runs_by_app: { key: string | null; runs: number }[];
  top_runs: RunSpend[];
  wasted: WastedWork['byReason'];
  wasted_runs: { reason: WasteReason; run: RunSpend }[];
  outcomes: RunOutcome[];
}

export interface DaySpend {
  day: string;
  agent: string | null;
  costUsd: number;
  tokens: number;
  modelCalls: number;
}

export interface SpendFigures {
  total: { costUsd: number; tokens: number; modelCalls: number };
  spendingRuns: number;
  days: DaySpend[];
  agents: AgentSpend[];
  apps: AppSpend[];
  models: ModelSpend[];
  topRuns: RunSpend[];
  wasted: WastedWork;
  outcomes: RunOutcome[];
}

/** Postgres writes a timestamptz in JSON as "…+00:00"; the API speaks ISO with Z, like every other call. */
const isoRun = <R extends RunSpend>(r: R): R => ({ ...r, startedAt: new Date(r.startedAt).toISOString() });
const byCost = <T extends { costUsd: number }>(a: T, b: T) => b.costUsd - a.costUsd;
const runsOf = (counts: Row['runs_by_agent']) => new Map(counts.map((c) => [c.key, c.runs]));

/** The small grouping sets as figures, by the set each row belongs to. */
function fromSums(row: Row): Pick<SpendFigures, 'total' | 'days' | 'agents' | 'apps' | 'models'> {
  const bySet = (name: SetName) => row.sums.filter((s) => SET_OF.get(s.set) === name);
  const total = bySet('total')[0];
  const agentRuns = runsOf(row.runs_by_agent);
  const appRuns = runsOf(row.runs_by_app);
  return {
    total: { costUsd: total?.costUsd ?? 0, tokens: total?.tokens ?? 0, modelCalls: total?.calls ?? 0 },
    days: bySet('day').map((s) => ({ day: s.day!, agent: s.agent, costUsd: s.costUsd, tokens: s.tokens, modelCalls: s.calls })),
    agents: bySet('agent').map((s) => ({ agent: s.agent, costUsd: s.costUsd, tokens: s.tokens, modelCalls: s.calls, runs: agentRuns.get(s.agent) ?? 0 })).sort(byCost),
    apps: bySet('app').map((s) => ({ app: s.app, costUsd: s.costUsd, tokens: s.tokens, modelCalls: s.calls, runs: appRuns.get(s.app) ?? 0 })).sort(byCost),
    // Spending that was no model call (a step reporting its own cost) has no model: it is in the totals only.
    models: bySet('model').filter((s) => s.calls > 0).map((s) => ({ provider: s.provider!, model: s.model!, calls: s.calls, tokens: s.tokens, costUsd: s.costUsd })).sort(byCost),
  };
}

function wastedWork(row: Row): WastedWork {
  return {
    costUsd: row.wasted.reduce((s, r) => s + r.costUsd, 0),
    tokens: row.wasted.reduce((s, r) => s + r.tokens, 0),
    runs: row.wasted.reduce((s, r) => s + r.runs, 0),
    byReason: row.wasted,
    list: row.wasted_runs.map(({ reason, run }) => ({ ...isoRun(run), reason })),
  };
}

/** The window's spending; run it inside `readFigures` (below), whose settings the statement needs. */
export async function spendFigures(db: Queryable, w: CostWindow): Promise<SpendFigures> {
  const row = (await db.query<Row>(STATEMENT, [w.from, w.to, w.timeZone, WASTED_STATUSES])).rows[0]!;
  return {
    ...fromSums(row),
    spendingRuns: row.runs_by_agent.reduce((s, c) => s + c.runs, 0),
    topRuns: row.top_runs.map(isoRun),
    wasted: wastedWork(row),
    outcomes: row.outcomes,
  };
}

/**
 * Runs `fn` with the settings these statements are written for, scoped by a read-only
 * transaction: room to hash every grouping set in one pass (at 100,000 events the default
 * 4 MB makes Postgres sort the events, on disk), and hash joins, never nested loops (the
 * database is rarely ANALYZEd, so Postgres guesses a handful of runs and then looks each of
 * ten thousand up by index: about twice as slow at 100,000 events).
 */
export function readFigures<T>(db: PGlite, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec(`SET TRANSACTION READ ONLY; SET LOCAL work_mem = '32MB'; SET LOCAL enable_nestloop = off`);
    return fn(tx);
  });
}

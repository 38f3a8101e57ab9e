import type { PGlite } from '@electric-sql/pglite';
import type { ArmFigures, CanaryComparison, ModelRef, ModelUsage, TierSetting } from '../../../shared/domain/models';

/**
 * Figures about model calls, summed from the ledger itself (each call's `step.completed`
 * event carries its ModelCallRecord as `data.model`), so what Settings shows is what the
 * ledger says, and nothing has to be counted twice. There is deliberately no index for these
 * sums: a partial index on model calls cost every ledger write about 1.5 ms (measured with
 * `npm run bench -- agents`), while these queries run only while Settings → Models is open.
 */

/** A model call's ledger event (also summed by insights/spend.ts). */
export const CALL = `type = 'step.completed' AND data ? 'model'`;

interface ArmRow {
  calls: number;
  runs: number;
  invalid: number;
  cost: number | null;
  latency: number | null;
  approvals: number;
  approved: number;
  edits: number;
}

/** One arm of a tier: the calls that tier made with `ref` in `arm`, since `since`, and the approvals of those runs. */
async function arm(db: PGlite, tier: string, armName: 'main' | 'canary', ref: ModelRef, since: string | null): Promise<ArmFigures> {
  const { rows } = await db.query<ArmRow>(
    `WITH calls AS (
       SELECT run_id, data->'model' AS m FROM kernel_ledger
       WHERE ${CALL} AND data->'model'->>'tier' = $1 AND data->'model'->>'arm' = $2
         AND data->'model'->>'provider' = $3 AND data->'model'->>'model' = $4 AND ($5::timestamptz IS NULL OR at >= $5)
     ), decided AS (
       SELECT data->>'decision' AS decision FROM kernel_ledger
       WHERE type = 'approval.decided' AND run_id IN (SELECT run_id FROM calls) AND ($5::timestamptz IS NULL OR at >= $5)
     )
     SELECT (SELECT count(*)::int FROM calls) AS calls,
            (SELECT count(DISTINCT run_id)::int FROM calls) AS runs,
            (SELECT count(*)::int FROM calls WHERE (m->>'valid')::boolean IS FALSE) AS invalid,
            (SELECT sum((m->>'costUsd')::float8) FROM calls) AS cost,
            (SELECT avg((m->>'latencyMs')::float8) FROM calls) AS latency,
            (SELECT count(*)::int FROM decided) AS approvals,
            (SELECT count(*)::int FROM decided WHERE decision IN ('approve', 'approve_partial')) AS approved,
            (SELECT count(*)::int FROM decided WHERE decision = 'edit') AS edits`,
    [tier, armName, ref.provider, ref.model, since],
  );
  const r = rows[0]!;
  return {
    model: ref,
    calls: r.calls,
    runs: r.runs,
    validationFailures: r.invalid,
    approvals: r.approvals,
    approved: r.approved,
    editsRequested: r.edits,
    costUsd: r.cost ?? 0,
    meanLatencyMs: r.latency,
  };
}

/** A tier's model and its canary side by side since the canary was staged (all time when there is none). */
export async function compareArms(db: PGlite, t: TierSetting): Promise<CanaryComparison> {
  const since = t.canary?.startedAt ?? null;
  return {
    tier: t.tier,
    main: await arm(db, t.tier, 'main', t.model, since),
    canary: t.canary ? await arm(db, t.tier, 'canary', t.canary.model, since) : null,
    share: t.canary?.share ?? null,
  };
}

/** Calls, tokens and cost since `since` (all time when null), by agent and by model. */
export async function modelUsage(db: PGlite, since: string | null): Promise<ModelUsage> {
  const where = `${CALL} AND ($1::timestamptz IS NULL OR at >= $1)`;
  const byAgent = await db.query<{ agent: string; calls: number; tokens: number; cost: number }>(
    `SELECT coalesce(agent, '') AS agent, count(*)::int AS calls,
            sum((data->'model'->>'inputTokens')::int + (data->'model'->>'outputTokens')::int)::int AS tokens, sum((data->'model'->>'costUsd')::float8) AS cost
     FROM kernel_ledger WHERE ${where} GROUP BY 1 ORDER BY cost DESC, calls DESC`,
    [since],
  );
  const byModel = await db.query<{ provider: string; model: string; calls: number; input: number; output: number; cost: number; latency: number }>(
    `SELECT data->'model'->>'provider' AS provider, data->'model'->>'model' AS model, count(*)::int AS calls,
            sum((data->'model'->>'inputTokens')::int)::int AS input, sum((data->'model'->>'outputTokens')::int)::int AS output,
            sum((data->'model'->>'costUsd')::float8) AS cost, avg((data->'model'->>'latencyMs')::float8) AS latency
     FROM kernel_ledger WHERE ${where} GROUP BY 1, 2 ORDER BY cost DESC, calls DESC`,
    [since],
  );
  const models = byModel.rows.map((r) => ({ provider: r.provider, model: r.model, calls: r.calls, inputTokens: r.input, outputTokens: r.output, costUsd: r.cost, meanLatencyMs: r.latency }));
  return {
    since,
    calls: models.reduce((s, m) => s + m.calls, 0),
    inputTokens: models.reduce((s, m) => s + m.inputTokens, 0),
    outputTokens: models.reduce((s, m) => s + m.outputTokens, 0),
    costUsd: models.reduce((s, m) => s + m.costUsd, 0),
    byAgent: byAgent.rows.map((r) => ({ agent: r.agent, calls: r.calls, tokens: r.tokens, costUsd: r.cost })),
    byModel: models,
  };
}

import type { AgentApprovals, CostWindow } from '../../../shared/domain/insights';
import type { Queryable } from '../kernel/ledger';

interface ApprovalRow {
  agent: string | null;
  requested: number;
  pending: number;
  decided: number;
  approved: number;
  rejected: number;
  edited: number;
  median_ms: number | null;
}

/**
 * Per agent: approvals requested and decided in the window, how, and the median time from
 * request to decision. Read from `kernel_approvals`: written in the same transaction as the
 * `approval.requested` / `approval.decided` events (its times are the kernel's clock for the
 * request and the decision), holding the final decision when one was undone, and a few rows
 * per run instead of a scan of the ledger for two event types.
 */
export async function approvalFigures(db: Queryable, w: CostWindow): Promise<AgentApprovals[]> {
  const { rows } = await db.query<ApprovalRow>(
    `WITH a AS (
       SELECT r.agent, ap.status, ap.decision->>'decision' AS decision, ap.created_at >= $1 AND ap.created_at < $2 AS asked,
              ap.status = 'decided' AND ap.decided_at >= $1 AND ap.decided_at < $2 AS answered, ap.decided_at - ap.created_at AS took
       FROM kernel_approvals ap JOIN kernel_runs r ON r.id = ap.run_id
       WHERE (ap.created_at >= $1 AND ap.created_at < $2) OR (ap.decided_at >= $1 AND ap.decided_at < $2)
     )
     SELECT agent, count(*) FILTER (WHERE asked)::int AS requested, count(*) FILTER (WHERE asked AND status = 'pending')::int AS pending,
            count(*) FILTER (WHERE answered)::int AS decided,
            count(*) FILTER (WHERE answered AND decision IN ('approve', 'approve_partial'))::int AS approved,
            count(*) FILTER (WHERE answered AND decision = 'reject')::int AS rejected,
            count(*) FILTER (WHERE answered AND decision = 'edit')::int AS edited,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM took)::float8 * 1000) FILTER (WHERE answered) AS median_ms
     FROM a GROUP BY agent ORDER BY requested DESC, decided DESC, agent`,
    [w.from, w.to],
  );
  return rows.map(({ median_ms, ...r }) => ({ ...r, approvalRate: r.decided ? r.approved / r.decided : null, medianDecisionMs: median_ms }));
}

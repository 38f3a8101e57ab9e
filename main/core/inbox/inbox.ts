import type { PGlite } from '@electric-sql/pglite';
import type { InboxCounts, InboxItem } from '../../../shared/domain/inbox';
import { RISK_ORDER, type KernelErrorBody, type Risk } from '../../../shared/domain/kernel';
import { ESCALATION_TITLE, approvalSummary, failureSummary } from './summaries';

interface Row {
  kind: InboxItem['kind'];
  id: string;
  subkind: string;
  title: string | null;
  risk: Risk | null;
  run_id: string;
  step_no: number | null;
  created_at: Date;
  proposal: unknown;
  rationale: string | null;
  reason: KernelErrorBody | null;
  agent: string | null;
  app: string | null;
  workflow: string;
}

/** What a stuck run puts at stake: an undo that failed leaves the world half changed. */
const FAILURE_RISK: Record<string, Risk> = { compensation_failed: 'critical', step_failed: 'high', budget: 'medium', dead_letter: 'high' };

/** Waiting approvals, open escalations and dead letters in one query, each with its run's agent. */
const PENDING = `
  SELECT 'approval' AS kind, a.id, a.kind AS subkind, a.title, a.risk, a.run_id, a.step_no, a.created_at, a.proposal, a.rationale, NULL::jsonb AS reason, r.agent, r.app, r.workflow
    FROM kernel_approvals a JOIN kernel_runs r ON r.id = a.run_id WHERE a.status = 'pending'
  UNION ALL
  SELECT 'escalation', e.id, e.kind, NULL, NULL, e.run_id, e.step_no, e.created_at, NULL, NULL, e.reason, r.agent, r.app, r.workflow
    FROM kernel_escalations e JOIN kernel_runs r ON r.id = e.run_id WHERE e.status = 'open'
  UNION ALL
  SELECT 'dead_letter', d.id, 'dead_letter', NULL, NULL, d.run_id, d.step_no, d.created_at, NULL, NULL, d.reason, r.agent, r.app, r.workflow
    FROM kernel_dead_letters d JOIN kernel_runs r ON r.id = d.run_id WHERE d.status = 'open'`;

function toItem(r: Row): InboxItem {
  const failure = r.kind === 'approval' ? null : r.reason;
  const title =
    r.kind === 'approval' ? r.title ?? 'Approval' : r.kind === 'escalation' ? ESCALATION_TITLE[r.subkind] ?? 'A run needs you' : `${r.workflow} was parked`;
  return {
    id: r.id,
    kind: r.kind,
    subkind: r.subkind,
    title,
    summary: failure ? failureSummary(failure) : approvalSummary(r.subkind, r.proposal, r.rationale, title),
    agent: r.agent,
    app: r.app,
    workflow: r.workflow,
    risk: r.risk ?? FAILURE_RISK[r.subkind] ?? 'high',
    runId: r.run_id,
    stepNo: r.step_no,
    failure,
    createdAt: r.created_at.toISOString(),
  };
}

/** Riskiest first; among equals, the one waiting longest. */
function byUrgency(a: InboxItem, b: InboxItem): number {
  return RISK_ORDER[b.risk] - RISK_ORDER[a.risk] || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

/** Everything waiting for the operator as one list (the Inbox, the tray count, the window title). */
export async function listInbox(db: PGlite, limit: number): Promise<{ items: InboxItem[]; counts: InboxCounts }> {
  const { rows } = await db.query<Row>(PENDING);
  const items = rows.map(toItem).sort(byUrgency);
  const count = (kind: InboxItem['kind']) => items.filter((i) => i.kind === kind).length;
  const counts = { approvals: count('approval'), escalations: count('escalation'), deadLetters: count('dead_letter'), total: items.length };
  return { items: items.slice(0, limit), counts };
}

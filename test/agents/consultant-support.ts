/** Probes for the consultant scenario's tests. */
import type { Assembled } from '../../main/core/host/assemble';
import { until } from '../support/memory-core';

export { OPERATOR, openCore, smtpAccount, SMTP_PASSWORD, SMTP_USER } from './consultant-core';

export interface DraftApproval {
  id: string;
  run_id: string;
  title: string;
  proposal: { to: string | null; subject: string; paragraphs: string[]; tone: string; changes: { index: number; kind: string; before: string | null; after: string | null; reason: string }[] | null };
}

/** The next pending draft approval that is not one of `seen`. */
export function pendingDraft(core: Assembled, seen: string[] = []): Promise<DraftApproval> {
  return until('a pending draft approval', async () => {
    const { rows } = await core.kernel.db.query<DraftApproval>(
      `SELECT id, run_id, title, proposal FROM kernel_approvals WHERE status = 'pending' AND kind = 'draft' AND NOT (id = ANY($1)) ORDER BY created_at LIMIT 1`,
      [seen],
    );
    return rows[0];
  });
}

export async function runStatus(core: Assembled, id: string): Promise<string | undefined> {
  return (await core.kernel.db.query<{ status: string }>('SELECT status FROM kernel_runs WHERE id = $1', [id])).rows[0]?.status;
}

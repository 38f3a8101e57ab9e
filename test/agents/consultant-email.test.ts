import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../main/core/adapters/email';
import type { Assembled } from '../../main/core/host/assemble';
import { decideApproval } from '../../main/core/kernel/operator';
import { until } from '../support/memory-core';
import { runToFault } from '../support/server-process';
import { TestSmtpServer } from '../support/smtp-server';
import { tempDir } from '../support/temp';
import { OPERATOR, openCore, pendingDraft, runStatus, smtpAccount, SMTP_PASSWORD, SMTP_USER } from './consultant-support';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function smtp(): Promise<TestSmtpServer> {
  const server = await new TestSmtpServer({ users: { [SMTP_USER]: SMTP_PASSWORD } }).start();
  open.push({ close: () => server.stop() });
  return server;
}

async function core(dir: string) {
  const c = await openCore(dir);
  open.push(c);
  return c;
}

/** A data folder where the example ran and its draft waits for the operator. */
async function draftWaiting(server: TestSmtpServer) {
  const dir = tempDir();
  const c = await core(dir);
  await c.email.save(smtpAccount(server.port));
  const example = await c.agents.runExample();
  const draft = await pendingDraft(c);
  return { dir, c, example, draft };
}

async function drafterRun(c: Assembled): Promise<{ id: string; trace_id: string }> {
  const { rows } = await c.kernel.db.query<{ id: string; trace_id: string }>(`SELECT id, trace_id FROM kernel_runs WHERE workflow = 'agent.drafter'`);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('the consultant scenario sends its e-mail through a real SMTP server', () => {
  it('drop the notes → draft in the remembered tone → approve → exactly one e-mail, and the whole trace in the ledger', async () => {
    const server = await smtp();
    const { dir, c, example, draft } = await draftWaiting(server);

    // Triage ran by itself when the notes were stored (the seeded event schedule).
    expect(draft.proposal.to).toBe('dana@northwind.example');
    expect(draft.proposal.tone).toBe('formal');
    expect(draft.proposal.paragraphs.at(-1)).toContain(OPERATOR.fromName);

    await decideApproval(c.kernel, draft.id, { decision: 'approve' });
    const [mail] = await server.waitForMessages(1);
    const run = await drafterRun(c);
    await until('the drafter finished', async () => (await runStatus(c, run.id)) === 'succeeded');

    // Approving the draft was the go for exactly this e-mail: no second approval was asked.
    const pending = await c.kernel.db.query(`SELECT 1 FROM kernel_approvals WHERE status = 'pending'`);
    expect(pending.rows).toHaveLength(0);
    expect(mail).toMatchObject({ from: OPERATOR.from, to: ['dana@northwind.example'], subject: draft.proposal.subject, user: SMTP_USER });
    expect(mail!.text!.trim()).toBe(draft.proposal.paragraphs.join('\n\n'));
    const sent = await c.kernel.db.query<{ data: { idempotencyKey: string } }>(`SELECT data FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.sent'`, [run.id]);
    expect(mail!.messageId).toBe(messageIdFor(sent.rows[0]!.data.idempotencyKey, OPERATOR.from));

    // One causal trace: the notes' ingestion event → triage → extractor and drafter, with each model call's model and cost.
    const trace = await c.kernel.db.query<{ type: string; workflow: string; data: { model?: { task: string; provider: string; costUsd: number } } }>(
      `SELECT l.type, r.workflow, l.data FROM kernel_ledger l JOIN kernel_runs r ON r.id = l.run_id WHERE l.trace_id = $1 ORDER BY l.seq`,
      [run.trace_id],
    );
    expect(new Set(trace.rows.map((r) => r.workflow))).toEqual(new Set(['agent.triage', 'agent.extractor', 'agent.drafter']));
    expect(trace.rows.filter((r) => r.data.model).map((r) => r.data.model!.task)).toEqual(['triage.classify', 'extract.notes', 'draft.follow_up']);
    expect(trace.rows.some((r) => r.type === 'effect.sent')).toBe(true);
    const triaged = await c.kernel.db.query<{ input: unknown }>(`SELECT trigger FROM kernel_runs WHERE workflow = 'agent.triage'`);
    expect(triaged.rows[0]).toMatchObject({ trigger: { kind: 'event', event: 'document.ingested', payload: { documentId: example.documentId } } });

    // Keel restarted on the same folder sends nothing more.
    await c.close();
    open.splice(open.indexOf(c), 1);
    const again = await core(dir);
    await again.kernel.idle();
    expect(server.messages).toHaveLength(1);
  });

  it('refuses the send when the operator took e-mail away from the drafter, and the ledger says why', async () => {
    const server = await smtp();
    const { c, draft } = await draftWaiting(server);
    await c.agents.registry.update({ name: 'drafter', permissions: [], approvals: [] });
    await decideApproval(c.kernel, draft.id, { decision: 'approve' });
    const run = await drafterRun(c);
    await until('the drafter paused', async () => (await runStatus(c, run.id)) === 'paused');
    const failed = await c.kernel.db.query<{ data: { name: string; kind: string; message: string } }>(`SELECT data FROM kernel_ledger WHERE run_id = $1 AND type = 'step.failed'`, [run.id]);
    expect(failed.rows.at(-1)!.data).toMatchObject({ name: 'gate:email.send', kind: 'policy', message: expect.stringContaining('Agent drafter is not permitted to call email.send') });
    expect(server.messages).toHaveLength(0);
  });
});

describe('kill -9 right after the SMTP server accepted the scenario e-mail', () => {
  async function approveInChild(dir: string, approvalId: string, fault: string): Promise<void> {
    const { code, sig, output } = await runToFault(join(__dirname, 'consultant-crash-child.ts'), [dir, approvalId], fault);
    expect({ code, sig }, output).toEqual({ code: null, sig: 'SIGKILL' });
  }

  it('before the outbox recorded the answer: the restarted drafter does not resend; the operator confirms and it completes with one e-mail', async () => {
    const server = await smtp();
    const { dir, c, draft } = await draftWaiting(server);
    await c.close();
    open.splice(open.indexOf(c), 1);
    await approveInChild(dir, draft.id, 'email.after_send');
    expect(server.messages).toHaveLength(1);

    const again = await core(dir);
    const run = await drafterRun(again);
    await until('the drafter paused for the operator', async () => (await runStatus(again, run.id)) === 'paused');
    const [uncertain] = await again.email.uncertain();
    expect(uncertain).toMatchObject({ to: ['dana@northwind.example'], subject: draft.proposal.subject, messageId: server.messages[0]!.messageId });
    const esc = await again.kernel.db.query<{ id: string }>(`SELECT id FROM kernel_escalations WHERE run_id = $1 AND status = 'open'`, [run.id]);
    expect(esc.rows).toHaveLength(1);

    // Confirming is all the run waited for: it goes on by itself.
    await again.email.confirmSent(uncertain!.idempotencyKey);
    await until('the drafter finished', async () => (await runStatus(again, run.id)) === 'succeeded');
    expect(server.messages).toHaveLength(1);
  });

  it('after the outbox recorded it: the restarted drafter completes without resending', async () => {
    const server = await smtp();
    const { dir, c, draft } = await draftWaiting(server);
    await c.close();
    open.splice(open.indexOf(c), 1);
    await approveInChild(dir, draft.id, 'email.after_record');
    expect(server.messages).toHaveLength(1);

    const again = await core(dir);
    const run = await drafterRun(again);
    await until('the drafter finished', async () => (await runStatus(again, run.id)) === 'succeeded');
    expect(server.messages).toHaveLength(1);
    expect(await again.email.uncertain()).toEqual([]);
  });
});

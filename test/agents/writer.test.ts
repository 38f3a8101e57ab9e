import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { until } from '../support/memory-core';
import { TestSmtpServer } from '../support/smtp-server';
import { tempDir } from '../support/temp';
import { OPERATOR, openCore, pendingDraft, runStatus, smtpAccount, SMTP_PASSWORD, SMTP_USER } from './consultant-support';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function client() {
  const dir = tempDir();
  const c = await openCore(dir);
  open.push(c);
  const e = await c.memory.entities.upsert({ type: 'client', name: 'Northwind Studio', attributes: { contact: { value: 'Dana Whitfield', type: 'text' }, email: { value: 'dana@northwind.example', type: 'email' } } });
  await c.memory.memories.remember({ kind: 'preference', text: 'Dana Whitfield at Northwind Studio prefers a formal tone in e-mails.', entityId: e.id }, 'operator');
  await c.memory.memories.remember({ kind: 'fact', text: 'Northwind Studio pays invoices net 30.', entityId: e.id, attribute: 'billing_terms', value: 'net 30' }, 'operator');
  return { c, dir, entityId: e.id };
}

const BRIEF = 'We keep the new site healthy after launch. Monthly updates of plugins and content are included. Two hours of changes a month are part of the retainer. Larger changes are quoted separately.';

describe('the drafter writes other texts from a brief', () => {
  it('a proposal in the client\'s remembered terms; a shorter revision shows its changed paragraphs with the reason; approving saves it in the workspace', async () => {
    const { c, dir, entityId } = await client();
    const { id } = await startRun(c.kernel, { workflow: 'agent.drafter.write', input: { kind: 'proposal', title: 'Website maintenance retainer', brief: BRIEF, entityId } });
    const first = await pendingDraft(c);
    expect(first.proposal.paragraphs[0]).toBe('Proposal: Website maintenance retainer');
    expect(first.proposal.paragraphs[1]).toBe('Prepared for Dana Whitfield by Your name.');
    expect(first.proposal.paragraphs.join('\n')).toContain('We keep the new site healthy after launch. Monthly updates of plugins and content are included.');
    expect(first.proposal.paragraphs.join('\n'), JSON.stringify(first.proposal.paragraphs)).toMatch(/Terms:\n- Northwind Studio pays invoices net 30\./);
    expect(first.proposal.tone).toBe('formal');

    await decideApproval(c.kernel, first.id, { decision: 'edit', editedProposal: { request: 'make it shorter' } });
    const second = await pendingDraft(c, [first.id]);
    const changed = second.proposal.changes!;
    expect(changed.map((ch) => ch.after)).toContain('We keep the new site healthy after launch.');
    expect(changed.every((ch) => ch.kind === 'changed' && ch.reason.startsWith('each paragraph cut to its first sentence')), JSON.stringify(changed)).toBe(true);
    // Paragraphs of one sentence did not change, so they are not listed.
    expect(changed.some((ch) => ch.before === 'Proposal: Website maintenance retainer')).toBe(false);

    await decideApproval(c.kernel, second.id, { decision: 'approve' });
    await until('the drafter finished', async () => (await runStatus(c, id)) === 'succeeded');
    const day = new Date().toISOString().slice(0, 10);
    const saved = readFileSync(join(dir, 'workspace', 'drafts', `${day}-website-maintenance-retainer.md`), 'utf8');
    expect(saved).toBe(`${second.proposal.paragraphs.join('\n\n')}\n`);
    // The draft's approval was the go for exactly that file: no second approval was asked.
    expect((await c.kernel.db.query(`SELECT 1 FROM kernel_approvals WHERE run_id = $1`, [id])).rows).toHaveLength(2);
  });

  it('an e-mail from a brief goes to the address given, once, after approval', async () => {
    const smtp = await new TestSmtpServer({ users: { [SMTP_USER]: SMTP_PASSWORD } }).start();
    open.push({ close: () => smtp.stop() });
    const { c } = await client();
    await c.email.save(smtpAccount(smtp.port));
    const { id } = await startRun(c.kernel, { workflow: 'agent.drafter.write', input: { kind: 'email', title: 'Invoice 42', brief: 'Please find invoice 42 for November attached to our portal.', to: 'accounts@example.org' } });
    const draft = await pendingDraft(c);
    expect(draft.proposal).toMatchObject({ to: 'accounts@example.org', subject: 'Invoice 42' });
    expect(draft.proposal.paragraphs.at(-1)).toBe(`Best regards,\n${OPERATOR.fromName}`);
    await decideApproval(c.kernel, draft.id, { decision: 'approve' });
    const [mail] = await smtp.waitForMessages(1);
    await until('the drafter finished', async () => (await runStatus(c, id)) === 'succeeded');
    expect(mail).toMatchObject({ to: ['accounts@example.org'], subject: 'Invoice 42' });
    expect(smtp.messages).toHaveLength(1);
  });

  it('refuses a brief it cannot take, with the reason', async () => {
    const { c } = await client();
    await expect(startRun(c.kernel, { workflow: 'agent.drafter.write', input: { kind: 'poem', title: 'x', brief: 'y' } })).rejects.toThrow(/Input for agent.drafter.write is invalid|invalid/i);
    await expect(startRun(c.kernel, { workflow: 'agent.drafter.write', input: { kind: 'post', title: '', brief: 'y' } })).rejects.toThrow(/invalid/i);
  });
});

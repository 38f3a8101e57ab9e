import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { filesAdapter } from '../../main/core/kernel/adapters/files';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { tempDir } from '../support/temp';
import { startKernel } from './harness';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const publish = defineWorkflow({
  name: 'publish.post',
  version: 1,
  input: z.object({ paragraphs: z.array(z.string()) }),
  async run(ctx, { paragraphs }) {
    const decision = await ctx.approval({ title: 'Publish this post?', kind: 'post', risk: 'medium', proposal: { paragraphs }, rationale: 'Weekly update' });
    if (decision.decision === 'reject') return { published: false, why: decision.note ?? null };
    const kept =
      decision.decision === 'approve_partial' ? paragraphs.filter((_, i) => decision.acceptedParts!.includes(i))
      : decision.decision === 'edit' ? (decision.editedProposal as { paragraphs: string[] }).paragraphs
      : paragraphs;
    return { published: true, kept, by: decision.decidedBy };
  },
});

async function pendingApproval(h: Awaited<ReturnType<typeof startKernel>>, runId: string) {
  const { rows } = await h.db.query<{ id: string; status: string; proposal: unknown }>('SELECT id, status, proposal FROM kernel_approvals WHERE run_id = $1', [runId]);
  return rows[0]!;
}

describe('approvals', () => {
  test('a run waits for approval across a restart; the decision resumes it with its content', async () => {
    const h = await startKernel({ workflows: [publish] });
    try {
      const { id } = await startRun(h.k, { workflow: 'publish.post', input: { paragraphs: ['a', 'b', 'c'] } });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('waiting_approval');
      const approval = await pendingApproval(h, id);
      expect(approval).toMatchObject({ status: 'pending', proposal: { paragraphs: ['a', 'b', 'c'] } });

      await h.restart(); // nothing is held in memory: the new kernel finds the waiting run as it was
      await h.k.idle();
      expect((await h.run(id)).status).toBe('waiting_approval');

      await decideApproval(h.k, approval.id, { decision: 'approve_partial', acceptedParts: [0, 2], note: 'drop b' }, 'ada');
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('succeeded');
      expect(run.output).toEqual({ published: true, kept: ['a', 'c'], by: 'ada' });
      await expect(decideApproval(h.k, approval.id, { decision: 'approve' })).rejects.toThrow(/already decided/);
    } finally {
      await h.close();
    }
  });

  test('a rejected approval takes the reject branch; an edit returns the edited proposal', async () => {
    const h = await startKernel({ workflows: [publish] });
    try {
      const rejected = await startRun(h.k, { workflow: 'publish.post', input: { paragraphs: ['x'] } });
      const edited = await startRun(h.k, { workflow: 'publish.post', input: { paragraphs: ['y'] } });
      await h.k.idle();
      await decideApproval(h.k, (await pendingApproval(h, rejected.id)).id, { decision: 'reject', note: 'not now' });
      await decideApproval(h.k, (await pendingApproval(h, edited.id)).id, { decision: 'edit', editedProposal: { paragraphs: ['y, better'] } });
      await h.k.idle();
      expect((await h.run(rejected.id)).output).toEqual({ published: false, why: 'not now' });
      expect((await h.run(edited.id)).output).toMatchObject({ published: true, kept: ['y, better'] });
      const types = (await h.db.query<{ type: string }>(`SELECT type FROM kernel_ledger WHERE run_id = $1 ORDER BY seq`, [rejected.id])).rows.map((r) => r.type);
      expect(types).toEqual(['run.started', 'approval.requested', 'approval.decided', 'run.finished']);
    } finally {
      await h.close();
    }
  });

  test('an effect at or above the risk threshold always waits for approval first', async () => {
    const workspace = tempDir();
    const cleanup = defineWorkflow({
      name: 'cleanup',
      version: 1,
      input: z.object({ path: z.string() }),
      permissions: ['files.*'],
      defaults: { onExhausted: 'fail' },
      async run(ctx, { path }) {
        await ctx.effect('files', 'write', { path, content: 'temp' }); // low risk: no approval
        await ctx.effect('files', 'delete', { path }); // medium: gated with threshold medium
        return 'cleaned';
      },
    });
    const h = await startKernel({ workflows: [cleanup], adapters: [filesAdapter(workspace)], riskThreshold: 'medium' });
    try {
      const ok = await startRun(h.k, { workflow: 'cleanup', input: { path: 'a.txt' } });
      const no = await startRun(h.k, { workflow: 'cleanup', input: { path: 'b.txt' } });
      await h.k.idle();
      expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('temp');
      const gate = await pendingApproval(h, ok.id);
      expect(gate.proposal).toEqual({ adapter: 'files', action: 'delete', args: { path: 'a.txt' } });
      await decideApproval(h.k, gate.id, { decision: 'approve' });
      await decideApproval(h.k, (await pendingApproval(h, no.id)).id, { decision: 'reject', note: 'keep it' });
      await h.k.idle();
      expect((await h.run(ok.id)).status).toBe('succeeded');
      expect(existsSync(join(workspace, 'a.txt'))).toBe(false);
      const refused = await h.run(no.id);
      expect(refused.status).toBe('failed');
      expect(refused.error).toMatchObject({ kind: 'policy', message: 'The operator rejected files.delete: keep it' });
      expect(existsSync(join(workspace, 'b.txt'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('an effect the workflow has no permission for is refused as a policy error, and never reaches the adapter', async () => {
    const workspace = tempDir();
    const sneaky = defineWorkflow({
      name: 'sneaky',
      version: 1,
      input: z.object({}),
      permissions: ['files.write'],
      defaults: { onExhausted: 'fail' },
      async run(ctx) {
        await ctx.effect('files', 'write', { path: 'victim.txt', content: 'x' });
        await ctx.effect('files', 'delete', { path: 'victim.txt' });
      },
    });
    const h = await startKernel({ workflows: [sneaky], adapters: [filesAdapter(workspace)] });
    try {
      const { id } = await startRun(h.k, { workflow: 'sneaky', input: {} });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ kind: 'policy', step: { name: 'gate:files.delete' } });
      expect(existsSync(join(workspace, 'victim.txt'))).toBe(true);
    } finally {
      await h.close();
    }
  });
});

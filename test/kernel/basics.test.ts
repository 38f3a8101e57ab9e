import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { filesAdapter } from '../../main/core/kernel/adapters/files';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { startRun, decideApproval } from '../../main/core/kernel/operator';
import { tempDir } from '../support/temp';
import { startKernel } from './harness';

describe('kernel basics on a real PGlite', () => {
  test('steps record their output once; effects write files; the ledger verifies', async () => {
    const workspace = tempDir();
    let calls = 0;
    const wf = defineWorkflow({
      name: 'basic',
      version: 1,
      input: z.object({ who: z.string() }),
      permissions: ['files.write'],
      async run(ctx, input) {
        const greeting = await ctx.step('greet', () => {
          calls++;
          return `hello ${input.who}`;
        });
        await ctx.effect('files', 'write', { path: 'out/greeting.txt', content: greeting });
        const id = await ctx.uuid();
        return { greeting, id };
      },
    });
    const h = await startKernel({ workflows: [wf], adapters: [filesAdapter(workspace)] });
    try {
      const { id } = await startRun(h.k, { workflow: 'basic', input: { who: 'Ada' } });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('succeeded');
      expect(run.output).toMatchObject({ greeting: 'hello Ada' });
      expect(readFileSync(join(workspace, 'out/greeting.txt'), 'utf8')).toBe('hello Ada');
      expect(calls).toBe(1);
      // The ledger says which version of the adapter acted.
      const sent = await h.db.query<{ data: Record<string, unknown> }>(`SELECT data FROM kernel_ledger WHERE type = 'effect.sent' AND run_id = $1`, [id]);
      expect(sent.rows.map((r) => r.data)).toEqual([expect.objectContaining({ adapter: 'files', adapterVersion: filesAdapter(workspace).version, action: 'write' })]);
      expect(await h.k.ledger.verify(h.db)).toMatchObject({ ok: true });
    } finally {
      await h.close();
    }
  });

  test('an approval suspends the run; the decision resumes it with its content', async () => {
    const wf = defineWorkflow({
      name: 'ask',
      version: 1,
      input: z.object({}),
      async run(ctx) {
        const d = await ctx.approval({ title: 'Send it?', proposal: { text: 'hi' } });
        return d.decision === 'reject' ? 'rejected' : `ok:${d.note ?? ''}`;
      },
    });
    const h = await startKernel({ workflows: [wf] });
    try {
      const { id } = await startRun(h.k, { workflow: 'ask', input: {} });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('waiting_approval');
      const { rows } = await h.db.query<{ id: string }>('SELECT id FROM kernel_approvals WHERE run_id = $1', [id]);
      await decideApproval(h.k, rows[0]!.id, { decision: 'approve', note: 'go' });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('succeeded');
      expect(run.output).toBe('ok:go');
      expect(existsSync(h.dir)).toBe(true);
    } finally {
      await h.close();
    }
  });
});

describe('bad output from a step', () => {
  test('output that cannot be stored (a NUL character) parks the run with a clear reason; the kernel keeps working', async () => {
    const bad = defineWorkflow({
      name: 'bad.output',
      version: 1,
      input: z.object({ text: z.string() }),
      async run(ctx, { text }) {
        return ctx.step('echo', () => ({ text: text.replace('NUL', '\u0000') }));
      },
    });
    const h = await startKernel({ workflows: [bad] });
    try {
      await expect(startRun(h.k, { workflow: 'bad.output', input: { text: 'a\u0000b' } })).rejects.toThrow('Input for bad.output contains a NUL character');
      const broken = await startRun(h.k, { workflow: 'bad.output', input: { text: 'aNULb' } });
      const fine = await startRun(h.k, { workflow: 'bad.output', input: { text: "it's fine" } });
      await h.k.idle();
      const run = await h.run(broken.id);
      expect(run.status).toBe('dead_lettered');
      expect(run.error).toMatchObject({ kind: 'validation', step: { no: 1, name: 'echo' }, message: 'The output of step "echo" contains a NUL character (\\u0000), which cannot be stored.' });
      expect((await h.run(fine.id)).output).toEqual({ text: "it's fine" });
      expect(await h.k.ledger.verify(h.db)).toMatchObject({ ok: true });
    } finally {
      await h.close();
    }
  });
});

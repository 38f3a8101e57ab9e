import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { listBudgets, resolveEscalation, setBudget, startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { startKernel } from './harness';

describe('determinism', () => {
  test('changing the step order between runs is detected on replay and fails the run loudly', async () => {
    const v1 = defineWorkflow({
      name: 'report',
      version: 1,
      input: z.object({}),
      async run(ctx) {
        await ctx.step('fetch', () => 1);
        await ctx.approval({ title: 'ok?', proposal: {} });
        await ctx.step('render', () => 2);
      },
    });
    // The same workflow, edited: its steps now come in another order.
    const v1edited = { ...v1, async run(ctx: Parameters<typeof v1.run>[0]) { await ctx.step('render', () => 2); await ctx.step('fetch', () => 1); } };
    const h = await startKernel({ workflows: [v1] });
    try {
      const { id } = await startRun(h.k, { workflow: 'report', input: {} });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('waiting_approval');
      await h.restart({ workflows: [v1edited] });
      const { rows } = await h.db.query<{ id: string }>('SELECT id FROM kernel_approvals WHERE run_id = $1', [id]);
      const { decideApproval } = await import('../../main/core/kernel/operator');
      await decideApproval(h.k, rows[0]!.id, { decision: 'approve' });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ kind: 'determinism', step: { no: 1, name: 'render' } });
      expect(run.error!.message).toContain('Step 1 was "fetch" (step)');
      expect(run.error!.message).toContain('deterministic');
    } finally {
      await h.close();
    }
  });
});

describe('budgets', () => {
  test('a run hitting a cap pauses with a budget escalation naming the cap, and does not spend', async () => {
    let spends = 0;
    const writer = defineWorkflow({
      name: 'writer.draft',
      version: 1,
      input: z.object({ drafts: z.number() }),
      agent: 'writer',
      async run(ctx, { drafts }) {
        for (let i = 0; i < drafts; i++) {
          await ctx.step(`draft ${i}`, ({ reportCost }) => {
            spends++;
            reportCost({ usd: 0.4, tokens: 1000 });
            return i;
          }, { estimate: { usd: 0.4 } });
        }
        return 'done';
      },
    });
    const h = await startKernel({ workflows: [writer] });
    try {
      await setBudget(h.k, { scope: 'agent', name: 'writer', period: 'day', maxUsd: 1, maxTokens: null });
      const { id } = await startRun(h.k, { workflow: 'writer.draft', input: { drafts: 4 } });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('paused');
      expect(spends).toBe(2); // the third draft (0.8 + 0.4 > 1.0) never ran
      const { rows } = await h.db.query<{ id: string; kind: string; reason: { kind: string; message: string; details: Record<string, unknown> } }>(
        'SELECT id, kind, reason FROM kernel_escalations WHERE run_id = $1',
        [id],
      );
      expect(rows[0]).toMatchObject({ kind: 'budget', reason: { kind: 'budget', details: { scope: 'agent', name: 'writer', period: 'day', maxUsd: 1 } } });
      expect(rows[0]!.reason.message).toBe('The daily budget of agent "writer" ($1.00) would be exceeded: $0.80 spent, this step expects $0.40. Raise the cap or wait for the next day, then retry.');
      const [budget] = await listBudgets(h.k, { scope: 'agent', name: 'writer' });
      expect(budget).toMatchObject({ spentUsd: 0.8, spentTokens: 2000 });
      const ledger = (await h.db.query<{ type: string }>(`SELECT type FROM kernel_ledger WHERE run_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.type);
      expect(ledger).toContain('budget.paused');

      // The operator raises the cap and retries: the run finishes.
      await setBudget(h.k, { scope: 'agent', name: 'writer', period: 'day', maxUsd: 5, maxTokens: null });
      await resolveEscalation(h.k, rows[0]!.id, { action: 'retry' });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('succeeded');
      expect(spends).toBe(4);
    } finally {
      await h.close();
    }
  });

  test('token caps count per app and per month, and a step without an estimate is never held back', async () => {
    let llmCalls = 0;
    let freeCalls = 0;
    const summarise = defineWorkflow({
      name: 'notes.summarise',
      version: 1,
      input: z.object({}),
      app: 'notes',
      async run(ctx) {
        await ctx.step('free bookkeeping', () => freeCalls++);
        await ctx.step('summarise', ({ reportCost }) => {
          llmCalls++;
          reportCost({ tokens: 600 });
        }, { estimate: { tokens: 600 } });
        await ctx.step('more bookkeeping', () => freeCalls++);
      },
    });
    const h = await startKernel({ workflows: [summarise] });
    try {
      await setBudget(h.k, { scope: 'app', name: 'notes', period: 'month', maxUsd: null, maxTokens: 1000 });
      const first = await startRun(h.k, { workflow: 'notes.summarise', input: {} });
      await h.k.idle();
      const second = await startRun(h.k, { workflow: 'notes.summarise', input: {} });
      await h.k.idle();
      expect((await h.run(first.id)).status).toBe('succeeded');
      expect((await h.run(second.id)).status).toBe('paused');
      expect(llmCalls).toBe(1);
      expect(freeCalls).toBe(3); // the second run's free step ran; its costly one did not
      const { rows } = await h.db.query<{ reason: { message: string } }>('SELECT reason FROM kernel_escalations WHERE run_id = $1', [second.id]);
      expect(rows[0]!.reason.message).toBe('The monthly token budget of app "notes" (1000 tokens) would be exceeded: 600 used, this step expects 600. Raise the cap or wait for the next month, then retry.');
    } finally {
      await h.close();
    }
  });
});

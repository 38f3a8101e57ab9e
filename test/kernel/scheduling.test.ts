import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../main/core/kernel/clock';
import { cancelRun, createSchedule, startRun, updateSchedule } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { filesAdapter } from '../../main/core/kernel/adapters/files';
import { tempDir } from '../support/temp';
import { startKernel } from './harness';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const tick = () => new Promise((r) => setImmediate(r));

describe('scheduling', () => {
  test('observed concurrency never exceeds the global, per-agent and per-app limits', async () => {
    const active = { all: 0, max: 0, books: 0, maxBooks: 0, byAgent: new Map<string, number>(), maxByAgent: new Map<string, number>() };
    const busy = defineWorkflow({
      name: 'busy',
      version: 1,
      input: z.object({ agent: z.string() }),
      async run(ctx, { agent }) {
        for (let s = 0; s < 3; s++) {
          await ctx.step(`work ${s}`, async () => {
            active.all++;
            if (agent.startsWith('books-')) active.maxBooks = Math.max(active.maxBooks, ++active.books);
            active.byAgent.set(agent, (active.byAgent.get(agent) ?? 0) + 1);
            active.max = Math.max(active.max, active.all);
            active.maxByAgent.set(agent, Math.max(active.maxByAgent.get(agent) ?? 0, active.byAgent.get(agent)!));
            for (let i = 0; i < 5; i++) await tick();
            active.all--;
            if (agent.startsWith('books-')) active.books--;
            active.byAgent.set(agent, active.byAgent.get(agent)! - 1);
          });
        }
      },
    });
    const h = await startKernel({ workflows: [busy], limits: { global: 3, perAgent: { alpha: 1, '*': 2 }, perApp: { books: 1 } } });
    try {
      for (let i = 0; i < 18; i++) {
        const agent = ['alpha', 'beta', 'gamma'][i % 3]!;
        await startRun(h.k, { workflow: 'busy', input: { agent }, agent });
      }
      // Two apps whose agents are otherwise free: "books" may run one at a time.
      for (let i = 0; i < 6; i++) await startRun(h.k, { workflow: 'busy', input: { agent: `books-${i}` }, agent: `books-${i}`, app: 'books' });
      await h.k.idle();
      const done = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_runs WHERE status = 'succeeded'`);
      expect(done.rows[0]!.n).toBe(24);
      const booksAtOnce = [...active.maxByAgent.keys()].filter((a) => a.startsWith('books-'));
      expect(booksAtOnce).toHaveLength(6);
      expect(active.maxBooks).toBe(1);
      expect(active.max).toBeGreaterThan(1); // runs really did overlap
      expect(active.max).toBeLessThanOrEqual(3);
      expect(active.maxByAgent.get('alpha')).toBe(1);
      expect(active.maxByAgent.get('beta')).toBeLessThanOrEqual(2);
      expect(active.maxByAgent.get('gamma')).toBeLessThanOrEqual(2);
    } finally {
      await h.close();
    }
  });

  test('a high-priority run overtakes queued low-priority ones', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = defineWorkflow({
      name: 'job',
      version: 1,
      input: z.object({ label: z.string(), block: z.boolean().default(false) }),
      async run(ctx, { label, block }) {
        await ctx.step('do', async () => {
          order.push(label);
          if (block) await gate;
        });
      },
    });
    const h = await startKernel({ workflows: [job], limits: { global: 1 } });
    try {
      await startRun(h.k, { workflow: 'job', input: { label: 'blocker', block: true } });
      await new Promise<void>((resolve) => {
        const check = () => (order.includes('blocker') ? resolve() : setImmediate(check));
        check();
      });
      for (let i = 0; i < 5; i++) await startRun(h.k, { workflow: 'job', input: { label: `low-${i}` }, priority: 0 });
      await startRun(h.k, { workflow: 'job', input: { label: 'urgent' }, priority: 10 });
      release();
      await h.k.idle();
      expect(order).toEqual(['blocker', 'urgent', 'low-0', 'low-1', 'low-2', 'low-3', 'low-4']);
    } finally {
      await h.close();
    }
  });

  test('a cron schedule fires at the expected times under a controllable clock', async () => {
    const clock = new ManualClock(Date.parse('2026-01-02T08:00:00Z')); // a Friday
    const seen: string[] = [];
    const digest = defineWorkflow({
      name: 'digest',
      version: 1,
      input: z.object({ topic: z.string() }),
      async run(ctx, { topic }) {
        const t = ctx.trigger;
        await ctx.step('send', () => seen.push(`${topic}@${t && 'scheduledFor' in t ? t.scheduledFor : '?'}`));
      },
    });
    const h = await startKernel({ workflows: [digest], clock });
    try {
      // Weekdays at 09:00 in Stockholm (08:00 UTC in winter).
      const id = await createSchedule(h.k, { name: 'morning digest', workflow: 'digest', input: { topic: 'news' }, trigger: { kind: 'cron', expr: '0 9 * * 1-5', timezone: 'Europe/Stockholm' } });
      await h.k.idle();
      expect(seen).toEqual([]); // 08:00Z is exactly 09:00 local: not "after" the creation time
      const at = async (iso: string) => {
        clock.set(Date.parse(iso));
        await h.k.idle();
      };
      await at('2026-01-02T12:00:00Z');
      expect(seen).toEqual([]);
      await at('2026-01-05T07:59:59Z'); // Monday, a second early
      expect(seen).toEqual([]);
      await at('2026-01-05T08:00:00Z');
      expect(seen).toEqual(['news@2026-01-05T08:00:00.000Z']);
      await at('2026-01-06T08:00:30Z');
      expect(seen).toEqual(['news@2026-01-05T08:00:00.000Z', 'news@2026-01-06T08:00:00.000Z']);
      // Paused over the rest of the week: nothing fires; resumed, it picks up from now.
      await updateSchedule(h.k, id, { paused: true });
      await at('2026-01-09T10:00:00Z');
      expect(seen).toHaveLength(2);
      await updateSchedule(h.k, id, { paused: false });
      await at('2026-01-12T08:00:00Z');
      expect(seen.at(-1)).toBe('news@2026-01-12T08:00:00.000Z');
      expect(seen).toHaveLength(3);
      // Restarting does not fire a schedule twice for the same time.
      await h.restart({ clock });
      await h.k.idle();
      expect(seen).toHaveLength(3);
    } finally {
      await h.close();
    }
  });

  test('an interval schedule fires every period, and missed periods while stopped are coalesced into one', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const fired: string[] = [];
    const ping = defineWorkflow({
      name: 'ping',
      version: 1,
      input: z.object({}),
      async run(ctx) {
        const t = ctx.trigger;
        await ctx.step('ping', () => fired.push(t && 'scheduledFor' in t ? t.scheduledFor : '?'));
      },
    });
    const h = await startKernel({ workflows: [ping], clock });
    try {
      await createSchedule(h.k, { name: 'every 10 min', workflow: 'ping', input: {}, trigger: { kind: 'interval', everyMs: 600_000 } });
      for (let i = 1; i <= 3; i++) {
        clock.advance(600_000);
        await h.k.idle();
      }
      expect(fired).toEqual(['2026-06-01T00:10:00.000Z', '2026-06-01T00:20:00.000Z', '2026-06-01T00:30:00.000Z']);
      await h.k.stop();
      clock.advance(3_600_000); // an hour with Keel off: six periods missed
      await h.restart({ clock });
      await h.k.idle();
      expect(fired).toHaveLength(4);
      expect(fired[3]).toBe('2026-06-01T00:40:00.000Z');
      clock.advance(600_000);
      await h.k.idle();
      expect(fired[4]).toBe('2026-06-01T01:40:00.000Z');
    } finally {
      await h.close();
    }
  });

  test('an event trigger starts a run when another run finishes', async () => {
    const finished: unknown[] = [];
    const first = defineWorkflow({ name: 'first', version: 1, input: z.object({}), run: async (ctx) => ctx.step('a', () => 'a') });
    const follow = defineWorkflow({
      name: 'follow',
      version: 1,
      input: z.object({}),
      async run(ctx) {
        await ctx.step('note', () => finished.push(ctx.trigger && 'payload' in ctx.trigger ? ctx.trigger.payload : null));
      },
    });
    const h = await startKernel({ workflows: [first, follow] });
    try {
      await createSchedule(h.k, { name: 'after first', workflow: 'follow', input: {}, trigger: { kind: 'event', event: 'run.finished' } });
      const { id } = await startRun(h.k, { workflow: 'first', input: {} });
      await h.k.idle();
      // The follow-up fired once for "first"; its own finish did not trigger itself again.
      expect(finished).toEqual([{ runId: id, workflow: 'first', status: 'succeeded' }]);
    } finally {
      await h.close();
    }
  });

  test('durable sleep survives a restart and wakes at its time', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
    const nap = defineWorkflow({
      name: 'nap',
      version: 1,
      input: z.object({}),
      async run(ctx) {
        const before = await ctx.now();
        await ctx.sleep(60 * 60_000);
        const after = await ctx.now();
        return after - before;
      },
    });
    const h = await startKernel({ workflows: [nap], clock });
    try {
      const { id } = await startRun(h.k, { workflow: 'nap', input: {} });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('sleeping');
      await h.restart({ clock });
      clock.advance(59 * 60_000);
      await h.k.idle();
      expect((await h.run(id)).status).toBe('sleeping');
      clock.advance(60_000);
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('succeeded');
      expect(run.output).toBe(60 * 60_000);
    } finally {
      await h.close();
    }
  });

  test('child workflows run as their own runs in the same trace; cancel with compensation undoes effects', async () => {
    const workspace = tempDir();
    const child = defineWorkflow({ name: 'child', version: 1, input: z.object({ n: z.number() }), run: async (ctx, { n }) => ctx.step('square', () => n * n) });
    const parent = defineWorkflow({
      name: 'parent',
      version: 1,
      input: z.object({}),
      permissions: ['files.*'],
      async run(ctx) {
        const a = await ctx.child<number>('child', { n: 3 });
        const b = await ctx.child<number>('child', { n: 4 });
        await ctx.effect('files', 'write', { path: 'sum.txt', content: String(a + b) }, { compensate: { action: 'delete', args: { path: 'sum.txt' } } });
        await ctx.approval({ title: 'Keep the sum?', proposal: { sum: a + b } });
        return a + b;
      },
    });
    const h = await startKernel({ workflows: [child, parent], adapters: [filesAdapter(workspace)] });
    try {
      const { id } = await startRun(h.k, { workflow: 'parent', input: {} });
      await h.k.idle();
      expect((await h.run(id)).status).toBe('waiting_approval');
      const kids = await h.db.query<{ id: string; status: string; trace_id: string; output: number }>('SELECT id, status, trace_id, output FROM kernel_runs WHERE parent_run_id = $1 ORDER BY output', [id]);
      expect(kids.rows.map((r) => [r.status, r.trace_id, r.output])).toEqual([
        ['succeeded', id, 9],
        ['succeeded', id, 16],
      ]);
      const spans = await h.db.query<{ parent_span: string }>(`SELECT DISTINCT parent_span FROM kernel_ledger WHERE run_id = $1`, [kids.rows[0]!.id]);
      expect(spans.rows.map((r) => r.parent_span)).toEqual([id]);
      expect(existsSync(join(workspace, 'sum.txt'))).toBe(true);

      await cancelRun(h.k, id, { compensate: true });
      await h.k.idle();
      const run = await h.run(id);
      expect(run.status).toBe('cancelled');
      expect(existsSync(join(workspace, 'sum.txt'))).toBe(false);
      const approvals = await h.db.query<{ status: string }>('SELECT status FROM kernel_approvals WHERE run_id = $1', [id]);
      expect(approvals.rows[0]!.status).toBe('withdrawn');
    } finally {
      await h.close();
    }
  });
});

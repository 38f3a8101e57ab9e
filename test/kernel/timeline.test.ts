import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { CallName, CallOutput } from '../../shared/api/contract';
import { ApiError } from '../../shared/api/errors';
import { validateCall } from '../../shared/api/validate';
import type { LedgerEvent } from '../../shared/domain/kernel';
import type { TimelineFilter, TraceRun } from '../../shared/domain/timeline';
import { startRun } from '../../main/core/kernel/operator';
import { timelineHandlers } from '../../main/core/kernel/timeline';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { startKernel, type KernelHarness } from './harness';

/**
 * The timeline's queries on a real PGlite ledger filled by real workflows; every answer is
 * compared with the same question asked in plain SQL.
 */

const once = { retry: { maxAttempts: 1 }, onExhausted: 'fail' as const };

const bulk = defineWorkflow({
  name: 'tl.bulk',
  version: 1,
  input: z.object({ steps: z.number().int(), batch: z.number().int(), fail: z.boolean() }),
  async run(ctx, { steps, batch, fail }) {
    for (let i = 1; i <= steps; i++) {
      await ctx.step(i % 10 === 0 ? `price-${i}` : `work-${i}`, ({ reportCost, annotate }) => {
        if (i % 10 === 0) {
          reportCost({ usd: 0.001 * (batch % 4) + 0.0005 * (i % 3), tokens: 100 * i });
          annotate({ note: `priced item ${i} of batch ${batch}` });
        }
        return i;
      });
    }
    if (fail) await ctx.step('reconcile', () => Promise.reject(new Error(`Invoice INV-${batch} does not match its payment`)), once);
    return steps;
  },
});

const parent = defineWorkflow({
  name: 'tl.parent',
  version: 1,
  agent: 'planner',
  input: z.object({}),
  async run(ctx) {
    await ctx.step('plan', ({ reportCost, annotate }) => {
      reportCost({ usd: 0.0123, tokens: 1500 });
      annotate({
        reason: 'the figures need checking first',
        model: { provider: 'builtin', model: 'm1', tier: 'fast', arm: 'main', task: 'plan', inputTokens: 1200, outputTokens: 300, costUsd: 0.0123, latencyMs: 9, promptHash: 'abc', escalatedFrom: null, repaired: false, valid: true },
      });
      return 'ok';
    });
    return ctx.child('tl.child', {}, { policy: once });
  },
});

const child = defineWorkflow({
  name: 'tl.child',
  version: 1,
  agent: 'checker',
  input: z.object({}),
  async run(ctx) {
    await ctx.step('fetch figures', ({ reportCost }) => (reportCost({ usd: 0.002, tokens: 50 }), 3));
    await ctx.step('parse totals', () => Promise.reject(new Error('The quarterly report could not be parsed: the totals row is missing')), once);
    return 'never';
  },
});

let h: KernelHarness;
let parentId: string;

/** A call as the API makes it: input validated by the contract, then the handler. */
async function call<N extends keyof typeof timelineHandlers & CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const v = validateCall(name, input);
  if (!v.ok) throw new ApiError(v.error);
  const handler = timelineHandlers[name] as (k: unknown, i: unknown) => Promise<CallOutput<N>>;
  return handler(h.k, v.input);
}

const AGENTS = ['drafter', 'triage', 'extractor'];

async function runBatch(from: number, count: number): Promise<void> {
  for (let b = from; b < from + count; b++) {
    await startRun(h.k, { workflow: 'tl.bulk', input: { steps: 40, batch: b, fail: b % 5 === 2 }, agent: AGENTS[b % 3], app: b % 2 ? 'books' : undefined });
  }
  await h.k.idle();
}

/** The same question in SQL: seqs of matching events, newest first. */
async function sqlSeqs(where: string, params: unknown[] = []): Promise<number[]> {
  const { rows } = await h.db.query<{ seq: number }>(`SELECT seq FROM kernel_ledger WHERE ${where} ORDER BY seq DESC`, params);
  return rows.map((r) => Number(r.seq));
}

/** Every match, following nextBeforeSeq until the answer says there is no more. */
async function allPages(filter: TimelineFilter, limit = 37): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  let beforeSeq: number | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await call('timeline.query', { ...filter, beforeSeq, limit });
    out.push(...page.events);
    if (page.nextBeforeSeq === null) return out;
    beforeSeq = page.nextBeforeSeq;
  }
  throw new Error('paging did not end');
}

beforeAll(async () => {
  h = await startKernel({ workflows: [bulk, parent, child] });
  await runBatch(0, 30);
  parentId = (await startRun(h.k, { workflow: 'tl.parent', input: {} })).id;
  await h.k.idle();
}, 120_000);

afterAll(() => h?.close());

describe('timeline.query on a real ledger', () => {
  test('without filters: newest first, the whole ledger, and random access by offset', async () => {
    const all = await sqlSeqs('true');
    expect(all.length).toBeGreaterThan(1_200);
    const first = await call('timeline.query', { limit: 50 });
    expect(first.events.map((e) => e.seq)).toEqual(all.slice(0, 50));
    expect(first.headSeq).toBe(all[0]);
    expect((await allPages({})).map((e) => e.seq)).toEqual(all);
    const deep = await call('timeline.query', { offset: 700, limit: 20 });
    expect(deep.events.map((e) => e.seq)).toEqual(all.slice(700, 720));
    expect(await call('timeline.count', {})).toEqual({ total: all.length, exact: true, headSeq: all[0] });
  });

  const cases: [string, TimelineFilter, string, unknown[]][] = [
    ['agent', { agent: 'triage' }, 'agent = $1', ['triage']],
    ['app', { app: 'books' }, 'app = $1', ['books']],
    ['event type', { types: ['step.failed'] }, "type = 'step.failed'", []],
    ['type family', { types: ['run.*'] }, "type LIKE 'run.%'", []],
    ['types and a family together', { types: ['step.failed', 'child.*'] }, "(type = 'step.failed' OR type LIKE 'child.%')", []],
    ['cost above', { costAbove: 0.002 }, 'cost_usd > 0.002', []],
    [
      'failed only',
      { failedOnly: true },
      "(type IN ('step.failed', 'run.escalated', 'run.dead_lettered', 'run.compensating', 'budget.paused', 'document.failed') OR (type IN ('run.finished', 'child.finished') AND data->>'status' IN ('failed', 'compensated', 'compensation_failed', 'dead_lettered')))",
      [],
    ],
    ['agent and failed only', { agent: 'extractor', failedOnly: true }, "agent = 'extractor' AND type = 'step.failed' OR agent = 'extractor' AND type = 'run.finished' AND data->>'status' = 'failed'", []],
    ['text (case-insensitive, in data)', { text: 'Batch 7' }, "data::text ILIKE '%batch 7%'", []],
    ['app, agent and cost', { app: 'books', agent: 'drafter', costAbove: 0 }, "app = 'books' AND agent = 'drafter' AND cost_usd > 0", []],
  ];

  for (const [label, filter, where, params] of cases) {
    test(`filter: ${label} narrows exactly as SQL does`, async () => {
      const expected = await sqlSeqs(where, params);
      expect(expected.length).toBeGreaterThan(0);
      const total = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM kernel_ledger')).rows[0]!.n;
      expect(expected.length).toBeLessThan(total);
      expect((await allPages(filter)).map((e) => e.seq)).toEqual(expected);
      expect(await call('timeline.count', filter)).toMatchObject({ total: expected.length, exact: true });
      // Random access into the filtered list lands on the same events as SQL's OFFSET.
      if (expected.length > 6) {
        const page = await call('timeline.query', { ...filter, offset: 3, limit: 3 });
        expect(page.events.map((e) => e.seq)).toEqual(expected.slice(3, 6));
      }
    });
  }

  test('a time range keeps the events inside it', async () => {
    const { rows } = await h.db.query<{ at: Date }>('SELECT at FROM kernel_ledger ORDER BY seq LIMIT 1 OFFSET 500');
    const { rows: rows2 } = await h.db.query<{ at: Date }>('SELECT at FROM kernel_ledger ORDER BY seq LIMIT 1 OFFSET 900');
    const from = rows[0]!.at.toISOString();
    const to = rows2[0]!.at.toISOString();
    const expected = await sqlSeqs('at >= $1 AND at <= $2', [from, to]);
    expect(expected.length).toBeGreaterThanOrEqual(401);
    expect((await allPages({ from, to }, 120)).map((e) => e.seq)).toEqual(expected);
    expect((await allPages({ from }, 200)).map((e) => e.seq)).toEqual(await sqlSeqs('at >= $1', [from]));
  });

  test('text search finds a failed step by its error message', async () => {
    const hits = await allPages({ text: 'inv-17 does not MATCH' });
    expect(hits.map((e) => e.type).sort()).toEqual(['run.finished', 'step.failed']);
    const failed = hits.find((e) => e.type === 'step.failed')!;
    expect(failed.data).toMatchObject({ name: 'reconcile', message: 'Invoice INV-17 does not match its payment' });
    // A step by its name, an actor by its name, a run by its id.
    expect((await allPages({ text: 'price-40', runId: failed.runId! })).map((e) => e.stepNo)).toEqual([40]);
    expect(await allPages({ text: 'PLANNER' })).not.toHaveLength(0);
    expect((await allPages({ text: failed.runId!.slice(0, 12) })).every((e) => e.runId === failed.runId)).toBe(true);
    // LIKE's wildcards are searched for literally.
    expect(await allPages({ text: '%' })).toEqual([]);
    expect(await allPages({ text: 'work_1' })).toEqual([]);
  });

  test('paging stays stable while new events are appended', async () => {
    const before = await sqlSeqs('agent = $1', ['drafter']);
    const first = await call('timeline.query', { agent: 'drafter', limit: 25 });
    expect(first.events.map((e) => e.seq)).toEqual(before.slice(0, 25));
    // New runs append events (drafter's among them) while the operator reads on.
    await runBatch(100, 6);
    const rest: LedgerEvent[] = [];
    let beforeSeq = first.nextBeforeSeq;
    while (beforeSeq !== null) {
      const page = await call('timeline.query', { agent: 'drafter', beforeSeq, limit: 25 });
      rest.push(...page.events);
      beforeSeq = page.nextBeforeSeq;
    }
    expect([...first.events, ...rest].map((e) => e.seq)).toEqual(before);
    // Offsets are counted below the seq the list was anchored at, so they do not shift either.
    const anchored = await call('timeline.query', { agent: 'drafter', beforeSeq: first.headSeq + 1, offset: 40, limit: 10 });
    expect(anchored.events.map((e) => e.seq)).toEqual(before.slice(40, 50));
    expect(await call('timeline.count', { agent: 'drafter', atSeq: first.headSeq })).toMatchObject({ total: before.length, exact: true });
    // What arrived since is asked for with afterSeq: exactly the new drafter events.
    const fresh = await call('timeline.query', { agent: 'drafter', afterSeq: first.headSeq, limit: 500 });
    expect(fresh.events.map((e) => e.seq)).toEqual(await sqlSeqs('agent = $1 AND seq > $2', ['drafter', first.headSeq]));
    expect(fresh.events.length).toBeGreaterThan(0);
    expect(fresh.nextBeforeSeq).toBeNull();
  });

  test('bad input is refused with a clear invalid_input', async () => {
    const refused = async (input: unknown) => {
      const err = await call('timeline.query', input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('invalid_input');
      return (err as ApiError).message;
    };
    expect(await refused({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatch(/to: the time range ends .* before it starts/);
    expect(await refused({ costAbove: -1 })).toMatch(/costAbove: costAbove must be 0 or more/);
    expect(await refused({ from: 'yesterday' })).toMatch(/from: must be an ISO 8601 time/);
    expect(await refused({ types: ['step failed'] })).toMatch(/types\.0: an event type/);
    expect(await refused({ text: '   ' })).toMatch(/text must not be blank/);
    expect(await refused({ limit: 0 })).toMatch(/limit/);
    expect(validateCall('timeline.count', { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(validateCall('timeline.runs', { costAbove: -0.5 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  test('facets name the agents, apps and event types present, and follow new events', async () => {
    const facets = await call('timeline.facets', {});
    expect(facets.agents).toEqual(['checker', 'drafter', 'extractor', 'planner', 'triage']);
    expect(facets.apps).toEqual(['books']);
    const { rows } = await h.db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM kernel_ledger GROUP BY type ORDER BY type');
    expect(facets.types).toEqual(rows.map((r) => ({ type: r.type, count: r.n })));
    await startRun(h.k, { workflow: 'tl.bulk', input: { steps: 2, batch: 999, fail: false }, agent: 'newcomer' });
    await h.k.idle();
    // Asked twice at once, the new events are summed once.
    const [again, twice] = await Promise.all([call('timeline.facets', {}), call('timeline.facets', {})]);
    expect(again.agents).toContain('newcomer');
    expect(again.headSeq).toBeGreaterThan(facets.headSeq);
    const { rows: now } = await h.db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM kernel_ledger GROUP BY type ORDER BY type');
    expect(twice.types).toEqual(now.map((r) => ({ type: r.type, count: r.n })));
  });
});

describe('grouping by run', () => {
  test('runs with matching events, newest first, with their sums, paged', async () => {
    const filter = { failedOnly: true, agent: 'triage' };
    const { rows } = await h.db.query<{ id: string; n: number; cost: number; tokens: number }>(
      `SELECT r.id, (SELECT count(*)::int FROM kernel_ledger l WHERE l.run_id = r.id) AS n,
              (SELECT sum(cost_usd) FROM kernel_ledger l WHERE l.run_id = r.id) AS cost,
              (SELECT sum(tokens)::int FROM kernel_ledger l WHERE l.run_id = r.id) AS tokens
       FROM kernel_runs r WHERE r.agent = 'triage' AND EXISTS (SELECT 1 FROM kernel_ledger l WHERE l.run_id = r.id AND l.type = 'step.failed')
       ORDER BY r.created_at DESC, r.id DESC`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const got = [];
    let cursor: string | undefined;
    do {
      const page = await call('timeline.runs', { ...filter, cursor, limit: 1 });
      got.push(...page.runs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(got.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    for (const [i, r] of got.entries()) {
      expect(r).toMatchObject({ workflow: 'tl.bulk', agent: 'triage', status: 'failed', events: rows[i]!.n, tokens: rows[i]!.tokens });
      expect(r.costUsd).toBeCloseTo(rows[i]!.cost, 9);
      // step.failed and run.finished (failed) match.
      expect(r.matching).toBe(2);
      expect(r.error?.message).toMatch(/^Invoice INV-\d+ does not match its payment$/);
    }
    // Without filters every run is a group, newest first.
    const all = await call('timeline.runs', { limit: 200 });
    const { rows: runs } = await h.db.query<{ id: string }>('SELECT id FROM kernel_runs ORDER BY created_at DESC, id DESC');
    expect(all.runs.map((r) => r.id)).toEqual(runs.map((r) => r.id));
    expect(all.nextCursor).toBeNull();
  });
});

describe('runs.trace', () => {
  test('a parent with its child run nested, their steps with timings, model, costs, the reason and the error', async () => {
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM kernel_runs WHERE parent_run_id = $1', [parentId]);
    const childId = rows[0]!.id;
    // Asked about the child, the trace still starts at the root.
    const trace = await call('runs.trace', { id: childId });
    expect(trace).toMatchObject({ focus: childId, traceId: parentId, runs: 2, runsOmitted: 0 });
    const root = trace.root;
    expect(root).toMatchObject({ id: parentId, workflow: 'tl.parent', agent: 'planner', status: 'failed', parentRunId: null });
    expect(root.steps.map((s) => [s.no, s.name, s.kind, s.status])).toEqual([
      [1, 'plan', 'step', 'completed'],
      [2, 'child:tl.child', 'child', 'failed'],
    ]);
    const plan = root.steps[0]!;
    expect(plan).toMatchObject({ costUsd: 0.0123, tokens: 1500, reason: 'the figures need checking first', model: { provider: 'builtin', model: 'm1', inputTokens: 1200 } });
    expect(plan.durationMs).toBeGreaterThanOrEqual(0);
    expect(root.steps[1]).toMatchObject({ childRunId: childId, error: { message: expect.stringMatching(/^Child run .* ended failed: The quarterly report could not be parsed/) } });
    expect(root.error?.message).toMatch(/Child run/);

    expect(root.children).toHaveLength(1);
    const kid: TraceRun = root.children[0]!;
    expect(kid).toMatchObject({ id: childId, workflow: 'tl.child', agent: 'checker', status: 'failed', parentRunId: parentId, parentStepNo: 2, children: [] });
    expect(kid.steps.map((s) => [s.name, s.status, s.costUsd, s.model])).toEqual([
      ['fetch figures', 'completed', 0.002, null],
      ['parse totals', 'failed', 0, null],
    ]);
    expect(kid.steps[1]!.error).toMatchObject({ message: 'The quarterly report could not be parsed: the totals row is missing', step: { no: 2, name: 'parse totals' } });
    expect(kid.costUsd).toBeCloseTo(0.002, 9);
    expect(root.costUsd).toBeCloseTo(0.0123, 9);
    expect(trace.costUsd).toBeCloseTo(0.0143, 9);
    expect(trace.tokens).toBe(1550);
    expect(kid.durationMs).toBeGreaterThanOrEqual(0);

    // Asked about the parent: the same tree.
    expect((await call('runs.trace', { id: parentId })).root).toEqual(root);
  });

  test('an unknown run is not_found', async () => {
    await expect(call('runs.trace', { id: 'no-such-run' })).rejects.toMatchObject({ code: 'not_found', message: 'There is no run no-such-run.' });
  });
});

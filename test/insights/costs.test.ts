import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateCall } from '../../shared/api/validate';
import type { ApiErrorBody } from '../../shared/api/errors';
import type { CostReport } from '../../shared/domain/insights';
import type { Assembled } from '../../main/core/host/assemble';
import { insightsHandlers } from '../../main/core/insights/api';
import { permanent } from '../../main/core/kernel/errors';
import { cancelRun, decideApproval, setBudget, startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { openCore } from '../agents/consultant-core';
import { scriptedLlm } from '../agents/scripted-llm';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { tempDir } from '../support/temp';

/**
 * `insights.costs` against a real core: real agents calling a priced model server, and a
 * bookkeeping workflow that spends and then succeeds, fails, is dead-lettered, compensated,
 * cancelled or approved. Every figure is checked against sums made here, independently, from
 * the ledger rows and the runs table.
 */

const KEY = 'sk-test-insights-0123456789';
const PRICES = { 'small-model': { inputPerMTok: 0.1, outputPerMTok: 0.4 }, 'big-model': { inputPerMTok: 3, outputPerMTok: 15 } } as const;
const TZ = 'America/New_York';

/** A bookkeeping run that spends, then ends the way its input says. */
const bill = defineWorkflow({
  name: 'test.bill',
  version: 1,
  agent: 'bookkeeper',
  app: 'books',
  permissions: ['files.*'],
  input: z.object({ usd: z.number(), tokens: z.number().int(), end: z.enum(['ok', 'fail', 'dead_letter', 'compensate', 'approval']) }),
  async run(ctx, { usd, tokens, end }) {
    await ctx.step('work', (s) => s.reportCost({ usd, tokens }));
    const once = { retry: { maxAttempts: 1 } };
    if (end === 'fail') await ctx.step('post', () => { throw permanent('the ledger is closed'); }, { ...once, onExhausted: 'fail' });
    if (end === 'dead_letter') await ctx.step('post', () => { throw permanent('no such account'); }, { ...once, onExhausted: 'dead_letter' });
    if (end === 'compensate') {
      await ctx.effect('files', 'write', { path: `bill-${ctx.runId}.txt`, content: String(usd) }, { compensate: { action: 'delete', args: { path: `bill-${ctx.runId}.txt` } } });
      await ctx.step('post', () => { throw permanent('the bank refused it'); }, { ...once, onExhausted: 'compensate' });
    }
    if (end === 'approval') await ctx.approval({ title: `Book ${usd}?`, proposal: { usd } });
    return { usd };
  },
});

let c: Assembled & { close(): Promise<void> };
let llm: OpenAiServer;
const runs: Record<string, string> = {};

async function call(input: unknown): Promise<CostReport> {
  const v = validateCall('insights.costs', input);
  if (!v.ok) throw new Error(v.error.message);
  return insightsHandlers['insights.costs'](c.kernel, v.input as never) as Promise<CostReport>;
}

async function start(name: string, workflow: string, input: unknown): Promise<string> {
  runs[name] = (await startRun(c.kernel, { workflow, input })).id;
  return runs[name];
}

/** The run's waiting approval (asked for once the kernel is idle). */
async function pendingApproval(runId: string): Promise<string> {
  const { rows } = await c.kernel.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [runId]);
  if (!rows[0]) throw new Error(`run ${runId} (${await statusOf(runId)}) waits for no approval`);
  return rows[0].id;
}
const statusOf = async (runId: string) => (await c.kernel.db.query<{ status: string }>('SELECT status FROM kernel_runs WHERE id = $1', [runId])).rows[0]!.status;

beforeAll(async () => {
  llm = await startOpenAiServer({ requireKey: KEY, reply: scriptedLlm() });
  c = await openCore(tempDir({ lifetime: 'file' }), { workflows: [bill] });
  await c.models.saveProvider({ id: 'local-llm', kind: 'openai-compatible', label: 'Test LLM', baseUrl: llm.url, hasKey: false, structuredOutput: 'auto', timeoutMs: 10_000 }, KEY);
  await c.models.setTier('fast', { provider: 'local-llm', model: 'small-model' });
  await c.models.setTier('strong', { provider: 'local-llm', model: 'big-model' });
  for (const [model, price] of Object.entries(PRICES)) await c.models.setPrice({ provider: 'local-llm', model, ...price });
  await setBudget(c.kernel, { scope: 'agent', name: 'bookkeeper', period: 'day', maxUsd: 5, maxTokens: null });
  await setBudget(c.kernel, { scope: 'agent', name: 'summarizer', period: 'month', maxUsd: null, maxTokens: 1_000_000 });

  for (let i = 0; i < 3; i++) await start(`summary${i}`, 'agent.summarizer', { title: `Thread ${i}`, text: `Message ${i}. The client asked for a quote. We will reply tomorrow.` });
  await start('ok', 'test.bill', { usd: 0.25, tokens: 1000, end: 'ok' });
  await start('fail', 'test.bill', { usd: 0.5, tokens: 2000, end: 'fail' });
  await start('dead', 'test.bill', { usd: 0.75, tokens: 3000, end: 'dead_letter' });
  await start('undone', 'test.bill', { usd: 1.25, tokens: 4000, end: 'compensate' });
  await start('cancelled', 'test.bill', { usd: 0.125, tokens: 500, end: 'approval' });
  await start('approved', 'test.bill', { usd: 0.0625, tokens: 250, end: 'approval' });
  await start('rejectedDraft', 'agent.drafter.write', { kind: 'post', title: 'Launch week', brief: 'We launched the new site. Thank the team.' });
  await start('approvedDraft', 'agent.drafter.write', { kind: 'post', title: 'Quiet week', brief: 'Nothing shipped. We fixed small bugs.' });

  // Every run has ended or waits for a decision.
  await c.kernel.idle();
  await cancelRun(c.kernel, runs.cancelled!, {});
  await decideApproval(c.kernel, await pendingApproval(runs.approved!), { decision: 'approve' });
  await decideApproval(c.kernel, await pendingApproval(runs.rejectedDraft!), { decision: 'reject', note: 'wrong tone' });
  await decideApproval(c.kernel, await pendingApproval(runs.approvedDraft!), { decision: 'approve' });
  await c.kernel.idle();
}, 120_000);

afterAll(async () => {
  await c?.close();
  await llm?.close();
});

interface LedgerRow {
  seq: number;
  at: Date;
  type: string;
  run_id: string | null;
  agent: string | null;
  app: string | null;
  cost_usd: number;
  tokens: number;
  data: { model?: { provider: string; model: string }; approvalId?: string; decision?: string };
}

const ledger = async () => (await c.kernel.db.query<LedgerRow>('SELECT seq, at, type, run_id, agent, app, cost_usd, tokens, data FROM kernel_ledger ORDER BY seq')).rows;
const spending = (rows: LedgerRow[]) => rows.filter((r) => r.cost_usd > 0 || r.tokens > 0);
const isCall = (r: LedgerRow) => r.type === 'step.completed' && r.data.model !== undefined;
const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((s, r) => s + f(r), 0);
/** Groups rows by a key, summing cost, tokens and model calls. */
function sums<K>(rows: LedgerRow[], key: (r: LedgerRow) => K): Map<K, { costUsd: number; tokens: number; modelCalls: number; runs: Set<string> }> {
  const out = new Map<K, { costUsd: number; tokens: number; modelCalls: number; runs: Set<string> }>();
  for (const r of rows) {
    const s = out.get(key(r)) ?? { costUsd: 0, tokens: 0, modelCalls: 0, runs: new Set<string>() };
    s.costUsd += r.cost_usd;
    s.tokens += r.tokens;
    s.modelCalls += isCall(r) ? 1 : 0;
    if (r.run_id) s.runs.add(r.run_id);
    out.set(key(r), s);
  }
  return out;
}
/** The calendar day of a moment in a zone, by the JavaScript runtime's own zone rules. */
const dayIn = (at: Date, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

describe('insights.costs on a real core', () => {
  it('the runs ended as planned, and real model calls were priced', async () => {
    expect(Object.fromEntries(await Promise.all(Object.entries(runs).map(async ([name, id]) => [name, await statusOf(id)])))).toEqual({
      summary0: 'succeeded',
      summary1: 'succeeded',
      summary2: 'succeeded',
      ok: 'succeeded',
      fail: 'failed',
      dead: 'dead_lettered',
      undone: 'compensated',
      cancelled: 'cancelled',
      approved: 'succeeded',
      rejectedDraft: 'succeeded',
      approvedDraft: 'succeeded',
    });
    const calls = (await ledger()).filter(isCall);
    expect(new Set(calls.map((r) => r.data.model!.model))).toEqual(new Set(['small-model', 'big-model']));
    expect(calls.every((r) => r.cost_usd > 0)).toBe(true);
  });

  it('totals, days, agents, apps and models equal the ledger sums', async () => {
    const report = await call({ timeZone: TZ });
    const rows = await ledger();
    const window = rows.filter((r) => r.at.getTime() >= Date.parse(report.window.from) && r.at.getTime() < Date.parse(report.window.to));
    expect(window).toHaveLength(rows.length); // everything happened just now
    const spent = spending(rows);

    expect(report.totals.costUsd).toBeCloseTo(sum(spent, (r) => r.cost_usd), 12);
    expect(report.totals.costUsd).toBeGreaterThan(2.9);
    expect(report.totals.tokens).toBe(sum(spent, (r) => r.tokens));
    expect(report.totals.modelCalls).toBe(spent.filter(isCall).length);
    expect(report.totals.runs).toBe(rows.filter((r) => r.type === 'run.started').length);
    expect(report.totals.spendingRuns).toBe(new Set(spent.map((r) => r.run_id)).size);

    // Thirty calendar days in New York, today last; the spending lands on today's date there.
    expect(report.days).toHaveLength(30);
    expect(report.days.at(-1)!.day).toBe(dayIn(new Date(), TZ));
    const byDay = sums(spent, (r) => dayIn(r.at, TZ));
    for (const d of report.days) {
      const want = byDay.get(d.day);
      expect(d.costUsd, d.day).toBeCloseTo(want?.costUsd ?? 0, 12);
      expect(d.tokens).toBe(want?.tokens ?? 0);
      expect(d.modelCalls).toBe(want?.modelCalls ?? 0);
      expect(sum(d.byAgent, (a) => a.costUsd)).toBeCloseTo(d.costUsd, 12);
    }

    const byAgent = sums(spent, (r) => r.agent);
    expect(report.agents.map((a) => a.agent).sort()).toEqual([...byAgent.keys()].sort());
    expect(report.agents.map((a) => a.agent)).toEqual(expect.arrayContaining(['summarizer', 'drafter', 'bookkeeper']));
    for (const a of report.agents) {
      const want = byAgent.get(a.agent)!;
      expect(a.costUsd, String(a.agent)).toBeCloseTo(want.costUsd, 12);
      expect([a.tokens, a.modelCalls, a.runs]).toEqual([want.tokens, want.modelCalls, want.runs.size]);
    }
    expect(report.agents.find((a) => a.agent === 'bookkeeper')!.costUsd).toBeCloseTo(0.25 + 0.5 + 0.75 + 1.25 + 0.125 + 0.0625, 12);

    const byApp = sums(spent, (r) => r.app);
    expect(report.apps.map((a) => a.app).sort()).toEqual([...byApp.keys()].sort());
    for (const a of report.apps) {
      const want = byApp.get(a.app)!;
      expect(a.costUsd).toBeCloseTo(want.costUsd, 12);
      expect([a.tokens, a.modelCalls, a.runs]).toEqual([want.tokens, want.modelCalls, want.runs.size]);
    }

    const byModel = sums(spent.filter(isCall), (r) => `${r.data.model!.provider}/${r.data.model!.model}`);
    expect(report.models.map((m) => `${m.provider}/${m.model}`).sort()).toEqual([...byModel.keys()].sort());
    for (const m of report.models) {
      const want = byModel.get(`${m.provider}/${m.model}`)!;
      expect(m.costUsd).toBeCloseTo(want.costUsd, 12);
      expect([m.calls, m.tokens]).toEqual([want.modelCalls, want.tokens]);
    }
    // Sorted costliest first.
    expect(report.agents.map((a) => a.costUsd)).toEqual([...report.agents.map((a) => a.costUsd)].sort((x, y) => y - x));
  });

  it('the costliest runs, the wasted work and the outcomes equal the ledger sums', async () => {
    const report = await call({});
    const spent = spending(await ledger());
    const perRun = sums(spent, (r) => r.run_id!);
    const { rows: runRows } = await c.kernel.db.query<{ id: string; status: string; workflow: string }>('SELECT id, status, workflow FROM kernel_runs');
    const status = new Map(runRows.map((r) => [r.id, r.status]));

    // Costliest first; equal costs by tokens, then by id.
    const costliest = [...perRun.entries()].sort(([i, a], [j, b]) => b.costUsd - a.costUsd || b.tokens - a.tokens || (i < j ? -1 : 1)).slice(0, 10);
    expect(report.topRuns.map((r) => r.id)).toEqual(costliest.map(([id]) => id));
    expect(report.topRuns[0]).toMatchObject({ id: runs.undone, workflow: 'test.bill', agent: 'bookkeeper', app: 'books', status: 'compensated', tokens: 4000, modelCalls: 0 });
    for (const r of report.topRuns) {
      expect(r.costUsd).toBeCloseTo(perRun.get(r.id)!.costUsd, 12);
      expect(r.status).toBe(status.get(r.id));
    }

    // Rejected: from the ledger's decisions; failed, undone, cancelled, parked: from the runs.
    const rejectedRuns = new Set((await ledger()).filter((r) => r.type === 'approval.decided' && r.data.decision === 'reject').map((r) => r.run_id!));
    const reasonOf = (id: string) => (['failed', 'compensated', 'compensation_failed', 'cancelled', 'dead_lettered'].includes(status.get(id)!) ? status.get(id)! : rejectedRuns.has(id) ? 'rejected' : null);
    const wasted = [...perRun.entries()].filter(([id]) => reasonOf(id) !== null);
    expect(Object.fromEntries(wasted.map(([id]) => [id, reasonOf(id)]))).toEqual({
      [runs.fail!]: 'failed',
      [runs.dead!]: 'dead_lettered',
      [runs.undone!]: 'compensated',
      [runs.cancelled!]: 'cancelled',
      [runs.rejectedDraft!]: 'rejected',
    });
    expect(report.wasted.costUsd).toBeCloseTo(sum(wasted, ([, s]) => s.costUsd), 12);
    expect(report.wasted.tokens).toBe(sum(wasted, ([, s]) => s.tokens));
    expect(report.wasted.runs).toBe(wasted.length);
    expect(report.wasted.list.map((r) => [r.id, r.reason]).sort()).toEqual(wasted.map(([id]) => [id, reasonOf(id)]).sort());
    const rejected = report.wasted.byReason.find((b) => b.reason === 'rejected')!;
    expect(rejected.costUsd).toBeCloseTo(perRun.get(runs.rejectedDraft!)!.costUsd, 12);
    expect(rejected.costUsd).toBeGreaterThan(0); // the strong model wrote the rejected draft
    expect(sum(report.wasted.byReason, (b) => b.costUsd)).toBeCloseTo(report.wasted.costUsd, 12);

    const started = runRows.filter((r) => status.has(r.id));
    const want = new Map<string, number>();
    for (const r of started) want.set(r.status, (want.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(report.outcomes.map((o) => [o.status, o.runs]))).toEqual(Object.fromEntries(want));
    for (const o of report.outcomes) expect(o.costUsd).toBeCloseTo(sum(started.filter((r) => r.status === o.status), (r) => perRun.get(r.id)?.costUsd ?? 0), 12);
  });

  it('approvals per agent and budget use equal the ledger', async () => {
    const report = await call({});
    const rows = await ledger();
    const requested = rows.filter((r) => r.type === 'approval.requested');
    const decided = rows.filter((r) => r.type === 'approval.decided');
    for (const agent of ['drafter', 'bookkeeper']) {
      const a = report.approvals.find((x) => x.agent === agent)!;
      const mine = decided.filter((r) => r.agent === agent);
      const approved = mine.filter((r) => r.data.decision === 'approve' || r.data.decision === 'approve_partial').length;
      expect(a.requested, agent).toBe(requested.filter((r) => r.agent === agent).length);
      expect([a.decided, a.approved, a.rejected]).toEqual([mine.length, approved, mine.filter((r) => r.data.decision === 'reject').length]);
      expect(a.approvalRate).toBeCloseTo(approved / mine.length, 12);
      // Time to decision: from the approval's request to its (final) decision, as the approvals table records them.
      const { rows: times } = await c.kernel.db.query<{ took: number }>(
        `SELECT (extract(epoch FROM a.decided_at) - extract(epoch FROM a.created_at)) * 1000 AS took FROM kernel_approvals a JOIN kernel_runs r ON r.id = a.run_id WHERE r.agent = $1 AND a.status = 'decided'`,
        [agent],
      );
      const took = times.map((t) => Number(t.took)).sort((x, y) => x - y);
      expect(took).toHaveLength(mine.length);
      const median = took.length % 2 ? took[(took.length - 1) / 2]! : (took[took.length / 2 - 1]! + took[took.length / 2]!) / 2;
      expect(a.medianDecisionMs).toBeCloseTo(median, 6);
    }
    expect(report.approvals.find((x) => x.agent === 'drafter')).toMatchObject({ requested: 2, decided: 2, approved: 1, rejected: 1, approvalRate: 0.5 });
    // The cancelled run's approval was withdrawn, not decided.
    expect(report.approvals.find((x) => x.agent === 'bookkeeper')).toMatchObject({ requested: 2, pending: 0, decided: 1, approved: 1, approvalRate: 1 });

    const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
    const bookkeeperToday = spending(rows).filter((r) => r.agent === 'bookkeeper' && r.at.getTime() >= today);
    const cap = report.budgets.find((b) => b.name === 'bookkeeper')!;
    expect(cap).toMatchObject({ scope: 'agent', period: 'day', maxUsd: 5, maxTokens: null, spentTokens: sum(bookkeeperToday, (r) => r.tokens) });
    expect(cap.spentUsd).toBeCloseTo(sum(bookkeeperToday, (r) => r.cost_usd), 12);
    const summarizer = report.budgets.find((b) => b.name === 'summarizer')!;
    expect(summarizer.spentTokens).toBe(sum(spending(rows).filter((r) => r.agent === 'summarizer'), (r) => r.tokens));
  });

  it('a window that holds no spending answers zeros, and a date window counts whole days in its zone', async () => {
    const report = await call({ from: '2025-03-01', to: '2025-03-31', timeZone: 'Europe/Berlin' });
    // Berlin moves its clocks on 30 March: the window is an hour short of 31 days, and still 31 days.
    expect(report.window).toEqual({ from: '2025-02-28T23:00:00.000Z', to: '2025-03-31T22:00:00.000Z', timeZone: 'Europe/Berlin', firstDay: '2025-03-01', lastDay: '2025-03-31' });
    expect(report.days.map((d) => d.day)).toEqual(Array.from({ length: 31 }, (_, i) => `2025-03-${String(i + 1).padStart(2, '0')}`));
    expect(report.days.every((d) => d.costUsd === 0 && d.tokens === 0 && d.modelCalls === 0 && d.byAgent.length === 0)).toBe(true);
    expect(report.totals).toEqual({ costUsd: 0, tokens: 0, modelCalls: 0, runs: 0, spendingRuns: 0 });
    expect(report).toMatchObject({ agents: [], apps: [], models: [], topRuns: [], outcomes: [], approvals: [], wasted: { costUsd: 0, tokens: 0, runs: 0, byReason: [], list: [] } });
    // Only `to`: the 30 days that end with it.
    expect((await call({ to: '2025-03-31', timeZone: 'UTC' })).window).toMatchObject({ firstDay: '2025-03-02', lastDay: '2025-03-31' });
  });
});

describe('insights.costs on a core that never spent', () => {
  it('answers zeros for the default window, not an error', async () => {
    const fresh = await openCore(tempDir());
    try {
      const v = validateCall('insights.costs', undefined);
      if (!v.ok) throw new Error(v.error.message);
      const report = await insightsHandlers['insights.costs'](fresh.kernel, v.input as never);
      expect(report.totals).toEqual({ costUsd: 0, tokens: 0, modelCalls: 0, runs: 0, spendingRuns: 0 });
      expect(report.days).toHaveLength(30);
      expect(report.window.timeZone).toBe('UTC');
      expect(report.days.at(-1)!.day).toBe(new Date().toISOString().slice(0, 10));
      expect(report).toMatchObject({ agents: [], apps: [], models: [], topRuns: [], approvals: [], budgets: [], wasted: { costUsd: 0, runs: 0, list: [] } });
    } finally {
      await fresh.close();
    }
  });
});

describe('insights.costs refuses bad input with a clear invalid_input', () => {
  const refused = async (input: unknown): Promise<ApiErrorBody> => {
    const v = validateCall('insights.costs', input);
    if (!v.ok) return v.error;
    try {
      await insightsHandlers['insights.costs'](c.kernel, v.input as never);
    } catch (err) {
      return err as ApiErrorBody;
    }
    throw new Error(`accepted ${JSON.stringify(input)}`);
  };

  it.each([
    [{ from: 'last tuesday' }, /from: must be an ISO date \(2025-01-31\) or an ISO date-time/],
    [{ to: '2025-02-30' }, /to: must be an ISO date/],
    [{ from: '2025-01-31T09:00:00' }, /from: must be an ISO date/], // no offset: which zone?
    [{ days: 7 }, /Unrecognized key/],
    [{ timeZone: 'Mars/Olympus_Mons' }, /timeZone: "Mars\/Olympus_Mons" is not a time zone the database knows/],
    [{ timeZone: 'UTC; DROP TABLE kernel_ledger' }, /timeZone: must be a time zone name/],
    [{ from: '2025-03-10', to: '2025-03-01' }, /from \(2025-03-10T00:00:00.000Z\) must be before to \(2025-03-02T00:00:00.000Z\)/],
    [{ from: '2025-03-01T10:00:00Z', to: '2025-03-01T10:00:00Z' }, /must be before to/],
    [{ from: '2020-01-01', to: '2025-01-01' }, /longer than 1100 days/],
  ])('%j', async (input, message) => {
    const e = await refused(input);
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(message);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CostReport } from '../../shared/domain/insights';
import type { LedgerEvent } from '../../shared/domain/kernel';
import { formatCount, formatUsd } from '../../renderer/src/util/format';
import { scriptedLlm } from '../agents/scripted-llm';
import { seriousViolations } from '../support/axe';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

/**
 * The Costs view in real Chromium against the real headless server: real runs (the summarizer
 * on a priced model server, bookkeeping runs that spend, fail, or wait for an approval that is
 * rejected), then the totals the view shows are checked against sums over the ledger as
 * `ledger.list` returns it.
 */

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'costs-workflows.mjs');
const KEY = 'sk-test-costs-5f1e2d3c4b';

let browser: Browser;
let server: ServerProcess;
let llm: OpenAiServer;
let api: TestSocket;
let page: Page;
const consoleErrors: string[] = [];
const dataDir = tempDir({ lifetime: 'file' });

const call = <T = unknown>(method: string, input: unknown = {}): Promise<T> => api.output<T>(method, input);

/** Starts a run and resolves once it has ended as `until` says, or asks for a decision (`until` 'approval'). */
async function run(workflow: string, input: unknown, until: 'succeeded' | 'failed' | 'approval'): Promise<string> {
  const { id } = await call<{ id: string }>('runs.start', { workflow, input });
  const p = (e: { payload: unknown }) => e.payload as { id?: string; runId?: string; status?: string };
  if (until === 'approval') await api.waitForEvent((e) => e.event === 'approvals.changed' && p(e).runId === id && p(e).status === 'pending');
  else await api.waitForEvent((e) => e.event === 'runs.changed' && p(e).id === id && p(e).status === until);
  return id;
}

async function decide(runId: string, decision: 'approve' | 'reject'): Promise<void> {
  const { approvals } = await call<{ approvals: { id: string; runId: string }[] }>('approvals.list', { status: 'pending' });
  const finished = api.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === runId && (e.payload as { status: string }).status === 'succeeded');
  await call('approvals.decide', { id: approvals.find((a) => a.runId === runId)!.id, decision });
  await finished;
}

/** Every ledger event, page by page, as the API lists them. */
async function wholeLedger(): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  for (let after = 0; ; ) {
    const page = await call<{ events: LedgerEvent[]; nextAfterSeq: number | null }>('ledger.list', { afterSeq: after, limit: 500 });
    out.push(...page.events);
    if (page.nextAfterSeq === null) return out;
    after = page.nextAfterSeq;
  }
}

/** The sums the view must show, made here from the ledger. */
async function ledgerSums() {
  const events = await wholeLedger();
  const spent = events.filter((e) => e.costUsd > 0 || e.tokens > 0);
  const byRun = new Map<string, number>();
  for (const e of spent) byRun.set(e.runId!, (byRun.get(e.runId!) ?? 0) + e.costUsd);
  return {
    costUsd: spent.reduce((s, e) => s + e.costUsd, 0),
    tokens: spent.reduce((s, e) => s + e.tokens, 0),
    modelCalls: spent.filter((e) => e.type === 'step.completed' && (e.data as { model?: unknown }).model !== undefined).length,
    runs: events.filter((e) => e.type === 'run.started').length,
    byRun,
  };
}

const total = (id: string) => page.getByTestId(`costs-total-${id}`);

/** The whole view: the window grows to the content's height for the picture (the content pane scrolls). */
async function shot(name: string): Promise<void> {
  const height = await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { scrollHeight: number } } }).document.querySelector('.content').scrollHeight);
  await page.setViewportSize({ width: 1280, height: height + 60 });
  await page.screenshot({ path: join(ARTIFACTS, name) });
  await page.setViewportSize({ width: 1280, height: 900 });
}
const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();

const runs: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  llm = await startOpenAiServer({ requireKey: KEY, reply: scriptedLlm() });
  server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS]);
  api = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto(server.url);
  // A busy machine can take a while to open a fresh data folder (initdb, migrations, the built-in agents).
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 90_000 });

  // Before any run: the empty state says what the view holds and how to fill it; it stays open while the runs below happen.
  await nav('Costs');
  await page.getByRole('heading', { level: 1, name: 'Nothing spent yet' }).waitFor();
  await page.getByText('Give your agents a priced language model').waitFor();
  await shot('costs-empty.png');

  // A priced model for the agents, decisions that take effect at once, a cap for the bookkeeper.
  await call('preferences.set', { undoSeconds: 0 });
  await call('models.saveProvider', { provider: { id: 'local-llm', kind: 'openai-compatible', label: 'Test LLM', baseUrl: llm.url, structuredOutput: 'auto', timeoutMs: 10_000 }, apiKey: KEY });
  await call('models.setTier', { tier: 'fast', model: { provider: 'local-llm', model: 'small-model' } });
  await call('models.setPrice', { provider: 'local-llm', model: 'small-model', inputPerMTok: 2, outputPerMTok: 8 });
  await call('budgets.set', { scope: 'agent', name: 'bookkeeper', period: 'day', maxUsd: 5, maxTokens: null });

  runs.summary1 = await run('agent.summarizer', { title: 'Kick-off call', text: 'We agreed on the scope. The client wants a quote by Friday.' }, 'succeeded');
  runs.summary2 = await run('agent.summarizer', { title: 'Invoice thread', text: 'The client paid invoice 12. Invoice 13 is due next week.' }, 'succeeded');
  runs.ok = await run('costs.bill', { usd: 0.42, tokens: 1200, end: 'ok' }, 'succeeded');
  runs.failed = await run('costs.bill', { usd: 1.35, tokens: 3000, end: 'fail' }, 'failed');
  runs.rejected = await run('costs.bill', { usd: 0.8, tokens: 2000, end: 'approval' }, 'approval');
  runs.approved = await run('costs.bill', { usd: 0.15, tokens: 500, end: 'approval' }, 'approval');
  await decide(runs.rejected, 'reject');
  await decide(runs.approved, 'approve');
}, 180_000);

afterAll(async () => {
  api?.close();
  await browser?.close();
  await server?.stop();
  await llm?.close();
});

describe('the Costs view', () => {
  test('its totals equal the ledger sums, with the spend chart, wasted work and budgets', async () => {
    const sums = await ledgerSums();
    expect(sums.modelCalls).toBeGreaterThanOrEqual(2);
    expect(sums.costUsd).toBeGreaterThan(2.72);

    // The view was open all along: it followed the ledger from its empty state to these figures.
    await page.getByRole('heading', { level: 1, name: 'Costs' }).waitFor();
    await total('usd').getByText(formatUsd(sums.costUsd), { exact: true }).waitFor();
    expect(Number(await total('usd').getAttribute('data-value'))).toBeCloseTo(sums.costUsd, 10);
    expect(await total('tokens').textContent()).toBe(formatCount(sums.tokens));
    expect(Number(await total('tokens').getAttribute('data-value'))).toBe(sums.tokens);
    expect(Number(await total('calls').getAttribute('data-value'))).toBe(sums.modelCalls);
    expect(Number(await total('runs').getAttribute('data-value'))).toBe(sums.runs);

    // Wasted: the failed run and the run whose proposal was rejected (the view catches up with the decision, pushed by the ledger).
    const wasted = sums.byRun.get(runs.failed!)! + sums.byRun.get(runs.rejected!)!;
    expect(wasted).toBeCloseTo(1.35 + 0.8, 10);
    await total('wasted-usd').getByText(formatUsd(wasted), { exact: true }).waitFor();
    expect(Number(await total('wasted-usd').getAttribute('data-value'))).toBeCloseTo(wasted, 10);
    const summary = page.getByTestId('costs-wasted-summary');
    expect(await summary.textContent()).toContain(`failed ${formatUsd(1.35)} (1)`);
    expect(await summary.textContent()).toContain(`proposal rejected ${formatUsd(0.8)} (1)`);

    // The same figures as the API answers them (the view shows what the core computed).
    const report = await call<CostReport>('insights.costs', { from: await page.evaluate(() => new Date(Date.now() - 29 * 864e5).toLocaleDateString('en-CA')) });
    expect(report.totals.costUsd).toBeCloseTo(sums.costUsd, 10);

    // The chart: a canvas, named by a sentence with the total; its table holds today's row.
    const chart = page.getByRole('img', { name: /^Spend per day from/ });
    await chart.locator('canvas').first().waitFor();
    expect(await chart.getAttribute('aria-label')).toContain(`${formatUsd(sums.costUsd)} in total`);
    expect(await chart.getAttribute('aria-label')).toContain('bookkeeper');
    await shot('costs.png');
    await page.getByText('Spend per day as a table').click();
    const days = page.getByRole('table', { name: 'Spend per day' });
    expect(await days.getByRole('row').count()).toBe(31);
    expect(await days.getByRole('row').last().getByRole('cell').nth(1).textContent()).toBe(formatUsd(sums.costUsd));

    // Tables by agent and model; the most expensive run is the failed one; budgets against the cap.
    const agents = page.getByRole('table', { name: 'Spending by agent' });
    expect(await agents.getByRole('row', { name: /bookkeeper/ }).getByRole('cell').nth(1).textContent()).toBe(formatUsd(0.42 + 1.35 + 0.8 + 0.15));
    await page.getByRole('table', { name: 'Spending by model' }).getByText('small-model').waitFor();
    const top = page.getByRole('table', { name: 'Most expensive runs' }).getByRole('row').nth(1);
    expect(await top.textContent()).toContain('Failed');
    expect(await top.getByRole('link').getAttribute('href')).toBe(`#/timeline/runs/${runs.failed}`);
    const budget = page.getByRole('table', { name: 'Budget use against caps' }).getByRole('row', { name: /bookkeeper/ });
    expect(await budget.textContent()).toContain(`${formatUsd(0.42 + 1.35 + 0.8 + 0.15)} of $5.00 (54%)`);
  });

  test('follows the ledger while open, and keeps the range in the address', async () => {
    const added = await run('costs.bill', { usd: 0.33, tokens: 900, end: 'ok' }, 'succeeded');
    const sums = await ledgerSums();
    expect(sums.byRun.get(added)).toBeCloseTo(0.33, 10);
    await total('usd').getByText(formatUsd(sums.costUsd), { exact: true }).waitFor();
    expect(Number(await total('runs').getAttribute('data-value'))).toBe(sums.runs);

    await page.locator('.costs-range label', { hasText: '7 days' }).click();
    await page.waitForURL(/#\/costs\?days=7$/);
    await page.locator('[data-testid="costs-window"][data-days="7"]').waitFor();
    expect(await page.getByRole('table', { name: 'Spend per day' }).getByRole('row').count()).toBe(8);
    expect(await total('usd').textContent()).toBe(formatUsd(sums.costUsd));
    await page.reload();
    await page.getByRole('radio', { name: '7 days' }).and(page.locator(':checked')).waitFor();
  });

  test('reads well in light and dark: no serious or critical axe violations', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await call('preferences.set', { theme });
      await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
      await total('usd').waitFor();
      await page.getByRole('img', { name: /^Spend per day from/ }).locator('canvas').first().waitFor();
      expect(await seriousViolations(page), theme).toEqual([]);
      if (theme === 'dark') await shot('costs-dark.png');
    }
  });

  test('no Content Security Policy violations or page errors were reported', () => {
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * `npm run bench -- ui`: the daily surfaces in Debian's Chromium against the built server.
 *   ui.ping_ms                 baseline: one API round trip from the page (same run)
 *   ui.inbox_open_ms           click on an inbox row → the detail of a revision with 50 changed
 *                              paragraphs rendered (a draft not opened before: its proposal is fetched)
 *   ui.inbox_open_ratio        the same over the baseline
 *   ui.decision_roundtrip_ms   key `a` → the item gone from the list and the workflow's next step
 *                              recorded (run.finished pushed), with the undo window at 0
 * Medians over BENCH_RUNS repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT, startServerProcess, type ServerProcess } from '../test/support/server-process';
import { TestSocket } from '../test/support/ws-client';
import { median, repeat, report, RUNS } from './stats';

const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs');

async function call<T>(api: TestSocket, method: string, input: unknown): Promise<T> {
  const answer = await api.call(method, input);
  if (answer.type !== 'result' || !answer.ok) throw new Error(`${method} failed: ${JSON.stringify(answer)}`);
  return answer.output as T;
}

// Page-side code is passed as source text: tsx would otherwise wrap functions in a helper the page lacks.

/** Page-side timing of API round trips (system.ping over the page's own WebSocket to the server). */
function pingMs(page: Page, url: string): Promise<number[]> {
  return page.evaluate(`(async () => {
    const ws = new WebSocket(${JSON.stringify(url)});
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    const out = [];
    for (let i = 0; i < ${RUNS}; i++) {
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'call', id: i + 1, method: 'system.ping', input: {} }));
      await new Promise((r) => ws.addEventListener('message', r, { once: true }));
      out.push(performance.now() - t0);
    }
    ws.close();
    return out;
  })()`);
}

/** Clicks the row, then waits (in the page, frame by frame) until `count` changes are on screen. */
function openRow(page: Page, approvalId: string, count: number): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    document.querySelector('[data-testid="inbox-row"][data-id="${approvalId}"] a').click();
    const check = () => (document.querySelectorAll('[data-testid="change"]').length >= ${count} ? resolve(performance.now() - t0) : requestAnimationFrame(check));
    check();
  })`);
}

async function inboxBench(page: Page, api: TestSocket, wsUrl: string): Promise<void> {
  const drafts: string[] = [];
  for (let i = 0; i <= RUNS; i++) drafts.push((await call<{ id: string }>(api, 'runs.start', { workflow: 'e2e.long_draft', input: { paragraphs: 50 } })).id);
  await page.getByTestId('inbox-row').nth(RUNS).waitFor({ timeout: 60_000 });
  const { approvals } = await call<{ approvals: { id: string; runId: string; proposal: { changes: unknown[] } }[] }>(api, 'approvals.list', { status: 'pending', limit: 500 });
  const ids = drafts.map((runId) => approvals.find((a) => a.runId === runId)!);
  const changes = ids[0]!.proposal.changes.length;
  const baseline = median(await pingMs(page, wsUrl));
  // The first row is shown on arrival; open the others, each for the first time.
  const open = median(await repeat(RUNS, (i) => openRow(page, ids[i + 1]!.id, changes)));
  report('ui.ping_ms', baseline, 'ms');
  report('ui.inbox_open_ms', open, 'ms');
  report('ui.inbox_open_ratio', open / baseline, 'ratio');

  await call(api, 'preferences.set', { undoSeconds: 0 });
  const rounds = await repeat(RUNS, async () => {
    const { id } = await call<{ id: string }>(api, 'runs.start', { workflow: 'e2e.announce', input: { text: 'bench' } });
    const [approval] = (await call<{ approvals: { id: string; runId: string }[] }>(api, 'approvals.list', { status: 'pending', limit: 500 })).approvals.filter((a) => a.runId === id);
    await page.evaluate(`location.hash = '#/inbox/${approval!.id}'`);
    await page.locator(`[data-testid="approval"][aria-label="Publish the announcement?"]`).waitFor();
    const finished = api.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === id && (e.payload as { status: string }).status === 'succeeded');
    const t0 = performance.now();
    await page.keyboard.press('a');
    await Promise.all([page.locator(`[data-testid="inbox-row"][data-id="${approval!.id}"]`).waitFor({ state: 'detached' }), finished]);
    return performance.now() - t0;
  });
  report('ui.decision_roundtrip_ms', median(rounds), 'ms');
}

export async function benchUi(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-bench-ui-'));
  let server: ServerProcess | null = null;
  const browser = await chromium.launch({ executablePath: process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS]);
    const wsUrl = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    const api = await TestSocket.open(wsUrl);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(server.url);
    await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 60_000 });
    await inboxBench(page, api, wsUrl);
    api.close();
  } finally {
    await browser.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

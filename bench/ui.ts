/**
 * `npm run bench -- ui`: the daily surfaces in Debian's Chromium against the built server.
 *   ui.ping_ms                 baseline: one API round trip from the page (same run)
 *   ui.inbox_open_ms           click on an inbox row → the detail of a revision with 50 changed
 *                              paragraphs rendered (a draft not opened before: its proposal is fetched)
 *   ui.inbox_open_ratio        the same over the baseline
 *   ui.decision_roundtrip_ms   key `a` → the item gone from the list and the workflow's next step
 *                              recorded (run.finished pushed), with the undo window at 0
 * Then the ledger is filled with 100,000+ events by real runs (test/support/ledger-seed.ts):
 *   ui.plain_scroll_frame_p95_ms     baseline: the same scroll over a plain list of 3,000 static rows
 *   ui.timeline_scroll_frame_p95_ms  the timeline scrolled 80 px a frame for 240 frames, each
 *                                    repetition somewhere else in the 100,000 events (rows read as
 *                                    they come into view): the main thread's work for one scroll
 *                                    step, from its scroll event to the task after its paint
 *   ui.timeline_scroll_frame_ratio   the same over the baseline
 *   ui.timeline_scroll_dropped_pct   frames that came more than 1.5 frame intervals after the last
 *   ui.cost_query_ms                 insights.costs (30 days) through the API from Node
 *   ui.cost_view_ms                  click on Costs in a freshly loaded page → the figures and the
 *                                    chart of the 30 days rendered (nothing cached)
 *   ui.cost_view_ratio               the same over ui.ping_ms
 * Medians over BENCH_RUNS repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ApiSocket, seedLedger, TIMELINE_WORKFLOWS } from '../test/support/ledger-seed';
import { ROOT, startServerProcess, type ServerProcess } from '../test/support/server-process';
import { TestSocket } from '../test/support/ws-client';
import { median, repeat, report, RUNS } from './stats';

const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs');

const call = <T>(api: TestSocket, method: string, input: unknown): Promise<T> => api.output<T>(method, input);

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
    // The changes of this approval: the previous one's stay on screen until its detail arrives.
    const check = () => (document.querySelectorAll('[data-testid="approval"][data-id="${approvalId}"] [data-testid="change"]').length >= ${count} ? resolve(performance.now() - t0) : requestAnimationFrame(check));
    check();
  })`);
}

/**
 * Page-side: scrolls `el` by `step` px each frame for `frames` frames. A frame's cost runs from
 * the scroll event of a step (caught first, in the capture phase) to a task posted after that
 * frame's rendering: the scroll handlers, the virtualiser's synchronous render, layout and paint.
 */
const SCROLL_FRAMES = `window.__scrollFrames = (el, step, frames) => new Promise((done) => {
  const costs = [], intervals = [];
  let scrolled = 0, last = 0, n = 0;
  const onScroll = () => { if (!scrolled) scrolled = performance.now(); };
  document.addEventListener('scroll', onScroll, { capture: true });
  const frame = (ts) => {
    if (last) intervals.push(ts - last);
    last = ts;
    const since = scrolled;
    scrolled = 0;
    el.scrollTop += step;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      if (since) costs.push(performance.now() - since);
      if (++n < frames) return requestAnimationFrame(frame);
      document.removeEventListener('scroll', onScroll, { capture: true });
      done({ costs, intervals });
    };
    ch.port2.postMessage(0);
  };
  requestAnimationFrame(frame);
});`;

const FRAMES = 240;
const STEP_PX = 80;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;
const droppedPct = (intervals: number[]) => (100 * intervals.filter((ms) => ms > 1.5 * median(intervals)).length) / intervals.length;

/** A plain scroller of static rows over the page: what scrolling costs the browser alone. */
function plainScroll(page: Page): Promise<{ costs: number[]; intervals: number[] }> {
  return page.evaluate(`(async () => {
    const plain = document.createElement('div');
    plain.style.cssText = 'position:fixed;inset:0;overflow:auto;z-index:9999;background:#fff;font:14px sans-serif';
    plain.innerHTML = Array.from({ length: 3000 }, (_, i) => '<div style="height:34px;padding:0 12px">Row ' + i + ' · step.completed · work-' + i + '</div>').join('');
    document.body.append(plain);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const out = await window.__scrollFrames(plain, ${STEP_PX}, ${FRAMES});
    plain.remove();
    return out;
  })()`);
}

/** Scrolls the timeline from `fraction` of its height, once the rows there are on screen. */
function timelineScroll(page: Page, fraction: number): Promise<{ costs: number[]; intervals: number[] }> {
  return page.evaluate(`(async () => {
    const el = document.querySelector('[data-testid="event-list"]');
    el.scrollTop = Math.floor(el.scrollHeight * ${fraction});
    await new Promise((r) => { const check = () => (el.querySelector('[data-testid="ledger-event"]') && !el.querySelector('.tl-row.loading') ? r() : requestAnimationFrame(check)); check(); });
    return window.__scrollFrames(el, ${STEP_PX}, ${FRAMES});
  })()`);
}

/** In a freshly loaded page (no figures cached): click on Costs → figures and chart for 30 days on screen. */
async function openCosts(page: Page): Promise<number> {
  await page.goto(new URL('#/inbox', page.url()).href);
  await page.reload();
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 60_000 });
  return page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    document.querySelector('nav[aria-label="Main"] a[href="#/costs"]').click();
    const check = () => (document.querySelector('section.costs[aria-busy="false"] [data-testid="costs-chart"] canvas') ? resolve(performance.now() - t0) : requestAnimationFrame(check));
    check();
  })`);
}

async function ledgerBench(page: Page, serverUrl: string, wsUrl: string, baselinePing: number): Promise<void> {
  const socket = await ApiSocket.open(wsUrl);
  const events = await seedLedger(socket);
  console.log(`ui bench: ${events} ledger events seeded`);
  await page.goto(new URL('#/timeline', serverUrl).href);
  await page.reload();
  await page.getByTestId('ledger-event').first().waitFor({ timeout: 60_000 });
  await page.evaluate(SCROLL_FRAMES);

  const plain = median(await repeat(RUNS, async () => p95((await plainScroll(page)).costs)));
  const dropped: number[] = [];
  const timeline = median(
    await repeat(RUNS, async (i) => {
      const { costs, intervals } = await timelineScroll(page, (i + 0.5) / RUNS);
      dropped.push(droppedPct(intervals));
      return p95(costs);
    }),
  );
  report('ui.plain_scroll_frame_p95_ms', plain, 'ms');
  report('ui.timeline_scroll_frame_p95_ms', timeline, 'ms');
  report('ui.timeline_scroll_frame_ratio', timeline / plain, 'ratio');
  report('ui.timeline_scroll_dropped_pct', median(dropped), '%');

  const from = new Date(Date.now() - 29 * 86_400_000).toISOString();
  report('ui.cost_query_ms', median(await repeat(RUNS, async () => {
    const t0 = performance.now();
    await socket.call('insights.costs', { from });
    return performance.now() - t0;
  })), 'ms');
  const open = median(await repeat(RUNS, () => openCosts(page)));
  report('ui.cost_view_ms', open, 'ms');
  report('ui.cost_view_ratio', open / baselinePing, 'ratio');
  socket.close();
}

async function inboxBench(page: Page, api: TestSocket, wsUrl: string): Promise<number> {
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
    // The run reaches its approval shortly after runs.start answers: ask until it has.
    let approval: { id: string; runId: string } | undefined;
    while (!approval) approval = (await call<{ approvals: { id: string; runId: string }[] }>(api, 'approvals.list', { status: 'pending', limit: 500 })).approvals.find((a) => a.runId === id);
    await page.evaluate(`location.hash = '#/inbox/${approval.id}'`);
    await page.locator(`[data-testid="approval"][data-id="${approval.id}"]`).waitFor();
    const finished = api.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === id && (e.payload as { status: string }).status === 'succeeded');
    const t0 = performance.now();
    await page.keyboard.press('a');
    await Promise.all([page.locator(`[data-testid="inbox-row"][data-id="${approval.id}"]`).waitFor({ state: 'detached' }), finished]);
    return performance.now() - t0;
  });
  report('ui.decision_roundtrip_ms', median(rounds), 'ms');
  return baseline;
}

export async function benchUi(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-bench-ui-'));
  let server: ServerProcess | null = null;
  const browser = await chromium.launch({ executablePath: process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS, '--workflows', TIMELINE_WORKFLOWS]);
    const wsUrl = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    const api = await TestSocket.open(wsUrl);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(server.url);
    await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 60_000 });
    const ping = await inboxBench(page, api, wsUrl);
    api.close();
    await ledgerBench(page, server.url, wsUrl, ping);
  } finally {
    await browser.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

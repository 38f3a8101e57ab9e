import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acceptChanges, type DraftProposal } from '../../shared/domain/proposals';
import { seriousViolations } from '../support/axe';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

/**
 * The approval inbox in real Chromium against the built server: data made by running real
 * workflows through the API, every decision taken with the keyboard as an operator would.
 */

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs');
const RUN_TIMEOUT = 60_000;

let browser: Browser;
let server: ServerProcess;
let api: TestSocket;
let page: Page;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const rows = () => page.getByTestId('inbox-row');
const key = (k: string) => page.keyboard.press(k);

const call = <T = any>(method: string, input: unknown = {}): Promise<T> => api.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any

const runEnded = (runId: string, status = 'succeeded') =>
  api.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === runId && (e.payload as { status: string }).status === status);

async function start(workflow: string, input: unknown): Promise<string> {
  return (await call<{ id: string }>('runs.start', { workflow, input })).id;
}

/** Fails with what was awaited instead of hanging the file (a later test would inherit the state). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Gave up waiting for ${what} after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The pending approvals of a run, through the API. */
async function pendingOf(runId: string) {
  const { approvals } = await call<{ approvals: { id: string; runId: string; title: string; proposal: unknown }[] }>('approvals.list', { status: 'pending', limit: 500 });
  return approvals.filter((a) => a.runId === runId);
}

/** Answers to these methods wait until their gate opens: a slow core, seen from the page. */
const held = new Map<string, Promise<void>[]>();

/** Holds the next answer to `method`; returns what lets it through. */
function holdAnswer(method: string): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  held.set(method, [...(held.get(method) ?? []), gate]);
  return release;
}

/** The page's API socket passes through here unchanged, except for held answers. */
async function relayApi(p: Page) {
  await p.routeWebSocket(/\/api/, (ws) => {
    const core = ws.connectToServer();
    const methods = new Map<number, string>();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { type: string; id?: number; method?: string };
      if (msg.type === 'call' && msg.id !== undefined) methods.set(msg.id, msg.method ?? '');
      core.send(m);
    });
    core.onMessage((m) => {
      const { id } = JSON.parse(String(m)) as { id?: number };
      const gate = id === undefined ? undefined : held.get(methods.get(id) ?? '')?.shift();
      if (gate) void gate.then(() => ws.send(m));
      else ws.send(m);
    });
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS]);
  api = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await relayApi(page);
  await page.goto(server.url);
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 30_000 });
  // Decisions take effect at once, except where the undo window is under test.
  await call('preferences.set', { undoSeconds: 0 });
});

afterAll(async () => {
  api?.close();
  await browser?.close();
  await server?.stop();
});

describe('the approval inbox', () => {
  test('ten approvals cleared with the keyboard alone; the count follows in the navigation and the title', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await start('e2e.announce', { text: `News ${i}` }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inbox/ }).click();
    await page.getByTestId('inbox-count').getByText('10').waitFor();
    await expect.poll(() => page.title()).toBe('Keel (10)');
    expect(await rows().count()).toBe(10);
    await shot('30-inbox-list');
    const done = ids.map((id) => runEnded(id));
    for (let left = 10; left > 0; left--) {
      await page.locator('[data-testid="approval"]').waitFor();
      await key('a');
      await expect.poll(() => rows().count()).toBe(left - 1);
    }
    await Promise.all(done);
    for (const id of ids) expect((await call('runs.get', { id })).run.output).toEqual({ published: true, note: null });
    await expect.poll(() => page.title()).toBe('Keel');
    expect(await page.getByTestId('inbox-count').count()).toBe(0);
  });

  test('j and k move, r rejects with the note as the reason, ? lists the keys', async () => {
    const first = await start('e2e.announce', { text: 'First' });
    const second = await start('e2e.announce', { text: 'Second' });
    await expect.poll(() => rows().count()).toBe(2);
    await key('j');
    await expect.poll(() => page.url()).toContain((await pendingOf(second))[0]!.id);
    await key('k');
    const firstApproval = (await pendingOf(first))[0]!.id;
    await expect.poll(() => page.url()).toContain(firstApproval);
    await page.locator(`[data-testid="approval"][data-id="${firstApproval}"]`).waitFor();
    await key('c');
    await page.keyboard.type('Too early: wait for the launch.');
    await page.locator('input:focus').blur();
    const rejected = runEnded(first);
    await key('r');
    await within(rejected, RUN_TIMEOUT / 2, 'the rejected run to end');
    expect((await call('runs.get', { id: first })).run.output).toEqual({ published: false, note: 'Too early: wait for the launch.' });
    // The note is kept as a memory of what the operator prefers.
    await expect
      .poll(async () => (await call<{ memories: { text: string }[] }>('memory.list', { kinds: ['preference'], limit: 20 })).memories.map((m) => m.text).join('\n'))
      .toContain('Too early: wait for the launch.');
    await key('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Undo the last decision');
    await shot('31-inbox-shortcuts');
    await key('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`[data-testid="approval"][data-id="${(await pendingOf(second))[0]!.id}"]`).waitFor();
    const approved = runEnded(second);
    await key('a');
    await within(approved, RUN_TIMEOUT / 2, 'the approved run to end');
  });

  test('u takes a decision back within the undo window, even before the core has answered it: the run never went on', async () => {
    await call('preferences.set', { undoSeconds: 60 });
    const id = await start('e2e.announce', { text: 'Undo me' });
    try {
      await expect.poll(async () => (await pendingOf(id)).length, { timeout: RUN_TIMEOUT }).toBe(1);
      const [approval] = await pendingOf(id);
      // Keys go to the approval once it is shown (its commands are bound when it is).
      const shown = () => page.locator(`[data-testid="approval"][data-id="${approval!.id}"]`).waitFor();
      await shown();
      // The decision's answer is held: u comes while the item has left the list but the core has not answered yet.
      const release = holdAnswer('approvals.decide');
      await key('a');
      await expect.poll(() => rows().count()).toBe(0);
      await key('u');
      release();
      await page.getByTestId('inbox-notice').getByText(/is back in the inbox/).waitFor();
      expect(await rows().count()).toBe(1);
      const { run, events } = await call('runs.get', { id });
      expect(run.status).toBe('waiting_approval');
      expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['approval.decided', 'approval.undone']));
      // Decided again, the confirmation names this decision and u is ready for it.
      await shown();
      await key('a');
      await page.getByTestId('inbox-notice').getByText(/Press u to undo/).waitFor();
      await key('u');
      await page.getByTestId('inbox-notice').getByText(/is back in the inbox/).waitFor();
      await call('preferences.set', { undoSeconds: 0 });
      await shown();
      const rejected = runEnded(id);
      await key('r');
      await within(rejected, RUN_TIMEOUT / 2, 'the rejected run to end');
      expect((await call('runs.get', { id })).run.output).toMatchObject({ published: false });
    } finally {
      // Whatever happened, the next tests start with decisions taking effect and nothing left waiting.
      await call('preferences.set', { undoSeconds: 0 });
      for (const left of await pendingOf(id)) await call('approvals.decide', { id: left.id, decision: 'reject' });
    }
  });

  test('a revision: decline one paragraph change, accept the rest (the workflow receives exactly that text), then edit and approve', async () => {
    const id = await start('agent.drafter.write', {
      kind: 'post',
      title: 'Maintenance retainer',
      brief: 'We keep the new site healthy after launch. Monthly updates are included. Two hours of changes a month are part of the retainer. Larger changes are quoted separately.',
    });
    await page.locator('[data-testid="approval"][data-kind="draft"]').waitFor({ timeout: RUN_TIMEOUT });
    await key('q');
    await page.getByLabel('What should change?').fill('make it shorter');
    await page.getByRole('button', { name: 'Send request' }).click();
    const revised = page.locator('[data-testid="approval"][data-kind="draft"]').filter({ hasText: 'Revised draft' });
    await revised.waitFor({ timeout: RUN_TIMEOUT });
    const [revision] = await pendingOf(id);
    const proposal = revision!.proposal as DraftProposal;
    const changes = proposal.changes!;
    expect(changes.length).toBeGreaterThanOrEqual(2);
    // Unchanged paragraphs are folded; each change shows its reason.
    expect(await revised.locator('.unchanged summary').count()).toBeGreaterThan(0);
    expect(await revised.getByTestId('change-reason').first().textContent()).toMatch(/first sentence/);
    await shot('32-inbox-revision');
    // Decline the second change with n then Space, accept the rest with s.
    await key('n');
    await key(' ');
    expect(await revised.locator('[data-testid="change"]').nth(1).getAttribute('data-accepted')).toBe('false');
    await key('s');
    const third = page.locator('[data-testid="approval"][data-kind="draft"]').filter({ hasText: 'changes you did not accept are undone' });
    await third.or(page.locator('[data-testid="approval"][data-kind="draft"]').nth(0)).waitFor();
    await expect.poll(async () => (await pendingOf(id))[0]?.id ?? revision!.id).not.toBe(revision!.id);
    const [kept] = await pendingOf(id);
    const accepted = new Set(changes.map((_, i) => i).filter((i) => i !== 1));
    expect((kept!.proposal as DraftProposal).paragraphs).toEqual(acceptChanges(proposal.paragraphs, changes, accepted));
    expect((kept!.proposal as DraftProposal).paragraphs).toContain(changes[1]!.before);

    // e: edit the text, then approve what comes back; the saved file is exactly that text.
    await page.locator('[data-testid="approval"][data-kind="draft"]').waitFor();
    await key('e');
    const body = page.getByLabel('Text (a blank line between paragraphs)');
    await body.fill(`${await body.inputValue()}\n\nWritten by hand at the end.`);
    await page.getByRole('button', { name: 'Use my text' }).click();
    await expect.poll(async () => JSON.stringify((await pendingOf(id))[0]?.proposal ?? {})).toContain('Written by hand at the end.');
    const [mine] = await pendingOf(id);
    const finalText = (mine!.proposal as DraftProposal).paragraphs;
    await page.locator('[data-testid="approval"][data-kind="draft"]').filter({ hasText: 'edited by you' }).waitFor();
    const done = runEnded(id);
    await key('a');
    await within(done, RUN_TIMEOUT / 2, 'the approved draft’s run to end');
    const day = new Date().toISOString().slice(0, 10);
    expect(readFileSync(join(dataDir, 'workspace', 'drafts', `${day}-maintenance-retainer.md`), 'utf8')).toBe(`${finalText.join('\n\n')}\n`);
  });

  test('an escalation shows its structured failure and is resolved by retry once the cause is fixed', async () => {
    const path = join(tempDir({ lifetime: 'file' }), 'export.csv');
    const id = await start('e2e.needs_file', { path });
    const card = page.getByTestId('escalation');
    await card.waitFor({ timeout: RUN_TIMEOUT });
    expect(await card.getByTestId('failure').textContent()).toContain(`The export ${path} is not there yet.`);
    expect(await card.textContent()).toContain('read the export');
    for (const label of ['Retry the step', 'Skip the step with an output', 'Edit the input and retry', 'Abort the run…']) await card.getByRole('button', { name: label }).waitFor();
    await shot('33-inbox-escalation');
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, 'a,b\n1,2\n');
    const done = runEnded(id);
    await key('t');
    await within(done, RUN_TIMEOUT / 2, 'the retried run to end');
    expect((await call('runs.get', { id })).run.output).toBe('read');
  });

  test('light and dark: screenshots, and no serious or critical accessibility violations', async () => {
    await start('e2e.announce', { text: 'For the screenshots' });
    await page.locator('[data-testid="approval"]').waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await call('preferences.set', { theme });
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme)).toBe(theme);
      await shot(`34-inbox-${theme}`);
      expect(await seriousViolations(page)).toEqual([]);
    }
    await call('preferences.set', { theme: 'system' });
  });

  test('no errors in the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});

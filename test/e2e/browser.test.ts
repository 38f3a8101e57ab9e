import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { views } from '../../renderer/src/views/registry';
import { latestSchemaVersion } from '../../main/core/db/migrations';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs');
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

let browser: Browser;
let server: ServerProcess;
let page: Page;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the UI in real Chromium against the headless server', () => {
  test('without the token the page is refused', async () => {
    const res = await page.goto(`http://127.0.0.1:${server.port}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('access token');
  });

  test('loads with the token, drops it from the address bar, and shows the database ready', async () => {
    await page.goto(server.url);
    expect(page.url()).toBe(`http://127.0.0.1:${server.port}/`);
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected');
    await page.getByTestId('database').getByText(`Database ready · schema ${latestSchemaVersion}`).waitFor();
    await shot('01-inbox');
  });

  test('every navigation entry shows its view', async () => {
    for (const view of views) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view.label }).click();
      // A view shows its empty state's title, or its own name once it holds something (the
      // memory layer's curation schedule is on the timeline from the first start).
      await page.getByRole('heading', { level: 1, name: view.title }).or(page.getByRole('heading', { level: 1, name: view.label, exact: true })).waitFor();
      expect(page.url()).toContain(`#/${view.id}`);
      expect(await page.getByRole('link', { name: view.label }).getAttribute('aria-current')).toBe('page');
      await shot(`02-view-${view.id}`);
    }
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toBe(dataDir);
    // A browser cannot move the server's folder: it says how, and offers no button.
    expect(await page.getByTestId('data-dir-hint').textContent()).toContain('npm run serve -- --data FOLDER');
    expect(await page.getByRole('button', { name: 'Change…' }).count()).toBe(0);
  });

  test('a reload keeps the current view', async () => {
    await page.getByRole('link', { name: 'Memory' }).click();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: views.find((v) => v.id === 'memory')!.title }).waitFor();
  });

  test('the server is killed and restarted; the page shows it reconnecting and reconnects by itself', async () => {
    const port = server.port;
    await server.stop('SIGKILL');
    await page.getByTestId('connection').getByText('Reconnecting…').waitFor();
    await page.getByTestId('database').getByText('Database: waiting for connection').waitFor();
    await shot('03-reconnecting');
    server = await startServerProcess(dataDir, ['--port', String(port), '--workflows', WORKFLOWS]);
    expect(server.port).toBe(port);
    await page.getByTestId('connection').getByText('Connected').waitFor({ timeout: 30_000 });
    await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 30_000 });
    await shot('04-reconnected');
  });

  test('an approval appears in the inbox live; approving it finishes the run, as the timeline shows', async () => {
    await page.getByRole('link', { name: 'Inbox' }).click();
    const api = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    try {
      const started = await api.call('runs.start', { workflow: 'e2e.announce', input: { text: 'We moved' } });
      if (started.type !== 'result' || !started.ok) throw new Error(JSON.stringify(started));
      const runId = (started.output as { id: string }).id;
      const card = page.getByTestId('approval').filter({ hasText: 'Publish the announcement?' });
      await card.waitFor();
      expect(await card.textContent()).toContain('We moved (draft)');
      await shot('05-inbox-approval');
      await card.getByPlaceholder('optional, kept with the decision').fill('looks good');
      // The run goes on once the undo window (5 s by default) has passed.
      const finished = api.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === runId && (e.payload as { status: string }).status === 'succeeded');
      await card.getByRole('button', { name: 'Approve' }).click();
      await card.waitFor({ state: 'detached' });
      await finished;
      const run = await api.call('runs.get', { id: runId });
      expect(run).toMatchObject({ ok: true, output: { run: { status: 'succeeded', output: { published: true, note: 'looks good' } } } });
      await page.getByRole('link', { name: 'Timeline' }).click();
      await page.getByTestId('ledger-event').filter({ hasText: 'approval.decided' }).first().waitFor();
      await page.getByTestId('ledger-event').filter({ hasText: 'run.finished' }).first().waitFor();
      await shot('06-timeline');
    } finally {
      api.close();
    }
  });

  test('the status bar pauses and resumes all agents; a pause through the API shows there too', async () => {
    const api = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const paused = async () => (await api.output<{ paused: boolean }>('kernel.status')).paused;
    try {
      const bar = page.locator('footer.status-bar');
      await bar.getByRole('button', { name: 'Pause agents' }).click();
      await bar.getByText('Agents paused').waitFor();
      expect(await paused()).toBe(true);
      await bar.getByRole('button', { name: 'Resume agents' }).click();
      await bar.getByText('Agents paused').waitFor({ state: 'detached' });
      expect(await paused()).toBe(false);
      await api.call('kernel.pause', {});
      await bar.getByRole('button', { name: 'Resume agents' }).waitFor();
      await api.call('kernel.resume', {});
      await bar.getByRole('button', { name: 'Pause agents' }).waitFor();
    } finally {
      api.close();
    }
  });

  test('no Content Security Policy violations were reported', () => {
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });
});

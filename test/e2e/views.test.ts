import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { views } from '../../renderer/src/views/registry';
import { seriousViolations } from '../support/axe';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

/** Every view in light and dark: a screenshot, and axe-core finds nothing serious or critical. Settings persist. */

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const WORKFLOWS = join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs');

let browser: Browser;
let server: ServerProcess;
let page: Page;
const dataDir = tempDir({ lifetime: 'file' });

async function api<T = any>(method: string, input: unknown = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const socket = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  try {
    return await socket.output<T>(method, input);
  } finally {
    socket.close();
  }
}

const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
const themeOf = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme ?? 'system');

async function openServer(): Promise<void> {
  server = await startServerProcess(dataDir, ['--workflows', WORKFLOWS]);
  await page.goto(server.url);
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await openServer();
  // Something in the inbox, so it is not only an empty state.
  await api('runs.start', { workflow: 'e2e.announce', input: { text: 'Hello' } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('every view', () => {
  for (const theme of ['light', 'dark'] as const) {
    test(`${theme}: each view renders, with a screenshot and no serious or critical axe violations`, async () => {
      await api('preferences.set', { theme });
      await expect.poll(themeOf).toBe(theme);
      const found: Record<string, unknown> = {};
      for (const view of views) {
        await nav(view.label);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.screenshot({ path: join(ARTIFACTS, `40-${view.id}-${theme}.png`), fullPage: true });
        const violations = await seriousViolations(page);
        if (violations.length) found[view.id] = violations;
      }
      expect(found).toEqual({});
    });
  }
});

describe('settings', () => {
  test('a wrong value says what is wrong and is not saved; valid settings persist across a restart', async () => {
    await nav('Settings');
    const undo = page.getByRole('textbox', { name: 'Undo window' });
    await undo.fill('abc');
    await page.getByText('Undo window is a whole number from 0 to 60.').waitFor();
    expect(await page.getByRole('form', { name: 'Undo window' }).getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await undo.fill('12');
    await page.getByRole('form', { name: 'Undo window' }).getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('desk-notice').getByText('Decisions wait 12 s before their run goes on.').waitFor();
    await page.getByRole('textbox', { name: 'Runs at once' }).fill('0');
    await page.getByText('Runs at once is a whole number from 1 to 64.').waitFor();
    await page.getByRole('textbox', { name: 'Runs at once' }).fill('3');
    await page.getByRole('form', { name: 'Runs at once' }).getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('desk-notice').getByText('At most 3 runs at once.').waitFor();
    await page.getByLabel('Ask me before effects of').selectOption('medium');
    await page.getByTestId('desk-notice').getByText('Approvals are now needed from medium risk up.').waitFor();
    await page.getByLabel('Dark').check();
    await expect.poll(themeOf).toBe('dark');
    await page.getByLabel('drafter: daily cap in USD').fill('-3');
    await page.getByText('The daily cap is an amount in USD, or empty for none.').first().waitFor();
    await page.getByLabel('drafter: daily cap in USD').fill('2.5');
    await page.locator('form#budget-drafter').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('desk-notice').getByText('The daily cap of drafter is saved.').waitFor();

    await server.stop();
    await openServer();
    await nav('Settings');
    await expect.poll(() => page.getByRole('textbox', { name: 'Undo window' }).inputValue()).toBe('12');
    expect(await page.getByRole('textbox', { name: 'Runs at once' }).inputValue()).toBe('3');
    expect(await page.getByLabel('Ask me before effects of').inputValue()).toBe('medium');
    expect(await page.getByLabel('Dark').isChecked()).toBe(true);
    await expect.poll(() => page.getByLabel('drafter: daily cap in USD').inputValue()).toBe('2.5');
    expect(await themeOf()).toBe('dark');
  });
});

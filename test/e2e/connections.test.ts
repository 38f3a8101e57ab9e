import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AdapterInfo } from '../../shared/domain/kernel';
import { seriousViolations } from '../support/axe';
import { ROOT } from '../support/server-process';
import { everythingShown, openKeelInBrowser, type KeelInBrowser } from '../support/browser';
import { runToEnd, writeEffectWorkflows } from '../support/effect-workflows';
import { tempDir } from '../support/temp';
import type { TestSocket } from '../support/ws-client';

/** The Agents view's Connections in real Chromium against the built headless server: versions, risks, health after real effects. */

const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const WORKFLOWS = writeEffectWorkflows('connections-workflows');

let keel: KeelInBrowser;
let page: Page;
let socket: TestSocket;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const api = <T = any>(method: string, input: unknown = {}) => socket.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any
const POISONED = join(ROOT, 'test', 'fixtures', 'mcp', 'poisoned-server.mjs');
const MCP_TOKEN = 'mcp-token-5b1e9d0c77';

const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
const settingsTab = (label: string) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: label }).click();
const row = (name: string) => page.getByTestId('adapter-row').and(page.locator(`[data-name="${name}"]`));
const adapters = async () => (await api<{ adapters: AdapterInfo[] }>('adapters.list')).adapters;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  keel = await openKeelInBrowser(dataDir, ['--workflows', WORKFLOWS], consoleErrors);
  ({ page, socket } = keel);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents' }).click();
});

afterAll(async () => {
  await keel?.close();
});

describe('Connections in the Agents view, in real Chromium against the headless server', () => {
  test("Keel's own adapters are listed with their versions and their actions' risk, none used yet", async () => {
    const listed = await adapters();
    const names = listed.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['files', 'http', 'email', 'calendar']));
    await page.getByRole('table', { name: 'Connections' }).waitFor();
    expect(await page.getByTestId('adapter-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(names);
    for (const a of listed) {
      const r = row(a.name);
      expect(await r.getByTestId('adapter-version').textContent()).toBe(`version ${a.version}`);
      expect(await r.getByTestId('adapter-health').getAttribute('data-state')).toBe('unused');
      for (const act of a.actions) expect(await r.getByTestId('adapter-action').and(page.locator(`[data-action="${act.name}"]`)).locator('[data-risk]').getAttribute('data-risk')).toBe(act.risk);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await shot('60-connections');
  });

  test('a calendar effect that fails (no calendar set up) shows the calendar failing with the error; a file written shows files OK', async () => {
    const failed = await runToEnd(socket, 'e2e.calendar_event', { title: 'Follow up with Dana' });
    expect(failed.status).toBe('failed');
    const calendar = (await adapters()).find((a) => a.name === 'calendar')!;
    expect(calendar.health.lastError?.message).toBeTruthy();
    // The view follows the ledger: no reload, no waiting for its interval.
    await row('calendar').getByTestId('adapter-health').and(page.locator('[data-state="failing"]')).waitFor({ timeout: 10_000 });
    expect(await row('calendar').getByTestId('adapter-health').textContent()).toBe('Failing');
    expect(await row('calendar').getByTestId('adapter-error').textContent()).toContain(calendar.health.lastError!.message);

    expect((await runToEnd(socket, 'e2e.write_note', { text: 'hello' })).status).toBe('succeeded');
    await row('files').getByTestId('adapter-health').and(page.locator('[data-state="ok"]')).waitFor({ timeout: 10_000 });
    expect(await row('files').getByTestId('adapter-error').count()).toBe(0);
    expect(await row('http').getByTestId('adapter-health').getAttribute('data-state')).toBe('unused');
    expect(await seriousViolations(page)).toEqual([]);
    await shot('61-connections-failing');
  });

  test('Settings → Calendar: .ics files tested and saved; the same effect then succeeds and the calendar shows OK', async () => {
    await nav('Settings');
    await settingsTab('Calendar');
    const form = page.getByRole('form', { name: 'Calendar settings' });
    await form.getByLabel('.ics files in the workspace').check();
    await form.getByRole('textbox', { name: 'Folder' }).fill('../outside');
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await form.getByRole('textbox', { name: 'Folder' }).fill('calendar');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const check = page.getByTestId('calendar-check');
    await check.waitFor();
    expect(await check.textContent()).toContain(join(dataDir, 'workspace', 'calendar'));
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('calendar-notice').getByText('Calendar settings saved: events go to .ics files in the workspace folder calendar.').waitFor();
    expect(await api('calendar.settings')).toEqual({ settings: { backend: 'ics', folder: 'calendar' } });
    expect(await seriousViolations(page)).toEqual([]);

    expect((await runToEnd(socket, 'e2e.calendar_event', { title: 'Follow up with Dana' })).status).toBe('succeeded');
    await nav('Agents');
    await row('calendar').getByTestId('adapter-health').and(page.locator('[data-state="ok"]')).waitFor({ timeout: 10_000 });
  });

  test('an MCP server added in Settings: its poisoned tool is flagged there and in Connections, its secret never shown', async () => {
    await nav('Settings');
    await settingsTab('MCP servers');
    await page.getByRole('button', { name: 'Add an MCP server…' }).click();
    const form = page.getByRole('form', { name: 'Add an MCP server' });
    await form.getByRole('textbox', { name: 'Name' }).fill('poisoned');
    await form.getByRole('textbox', { name: 'Command' }).fill(process.execPath);
    await form.getByRole('textbox', { name: 'Arguments' }).fill(`${POISONED}\n${join(dataDir, 'mcp-calls.jsonl')}`);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    await form.getByRole('textbox', { name: 'Environment 1: name' }).fill('API_TOKEN');
    await form.getByLabel('Environment 1: value').fill(MCP_TOKEN);
    await form.getByRole('checkbox', { name: 'secret' }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    const server = page.getByTestId('mcp-server').and(page.locator('[data-name="poisoned"]'));
    await server.getByTestId('mcp-state').and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });

    const [info] = (await adapters()).filter((a) => a.name === 'mcp-poisoned');
    const flag = info!.actions.find((a) => a.name === 'add')!.flags[0]!;
    expect(flag).toMatch(/reads like instructions to the model/);
    const add = server.getByTestId('mcp-tool').and(page.locator('[data-name="add"]'));
    expect(await add.getByTestId('mcp-tool-flag').textContent()).toContain(flag);
    expect(await add.getByRole('combobox', { name: 'Risk of add' }).inputValue()).toBe('high');
    expect(await add.getByRole('option', { name: 'low' }).isDisabled()).toBe(true);
    const weather = server.getByTestId('mcp-tool').and(page.locator('[data-name="weather"]'));
    expect(await weather.getByTestId('mcp-tool-flag').count()).toBe(0);
    await weather.getByRole('combobox', { name: 'Risk of weather' }).selectOption('low');
    await page.getByTestId('mcp-notice').getByText('poisoned: weather is now low risk.').waitFor();
    expect((await api<{ servers: { risks: Record<string, string> }[] }>('mcp.servers')).servers[0]!.risks).toMatchObject({ weather: 'low' });
    expect(await everythingShown(page)).not.toContain(MCP_TOKEN);
    await page.getByRole('button', { name: 'Edit poisoned' }).click();
    expect(await page.getByLabel('Environment 1: value').inputValue()).toBe('');
    expect(await everythingShown(page)).not.toContain(MCP_TOKEN);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await nav('Agents');
    const r = row('mcp-poisoned');
    await r.waitFor();
    expect(await r.getByTestId('adapter-version').textContent()).toBe(`version ${info!.version}`);
    const flagged = r.getByTestId('adapter-action').and(page.locator('[data-action="add"]'));
    expect(await flagged.getByTestId('action-flag').textContent()).toContain(flag);
    expect(await flagged.locator('[data-risk]').getAttribute('data-risk')).toBe('high');
    await r.getByTestId('adapter-action').and(page.locator('[data-action="weather"]')).locator('[data-risk="low"]').waitFor();
    expect(await r.getByTestId('adapter-action').and(page.locator('[data-action="weather"]')).getByTestId('action-flag').count()).toBe(0);
    await shot('62-connections-flagged');
  });

  test('no errors in the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});

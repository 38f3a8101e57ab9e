import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AppPreview, InstalledApp } from '../../shared/domain/apps';
import { seriousViolations } from '../support/axe';
import { ROOT } from '../support/server-process';
import { openKeelInBrowser, type KeelInBrowser } from '../support/browser';
import { tempDir } from '../support/temp';
import type { TestSocket } from '../support/ws-client';

/** Settings → Apps in real Chromium against the built headless server: consent from the preview, install, uninstall, problems. */

const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

let keel: KeelInBrowser;
let page: Page;
let socket: TestSocket;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const api = <T = any>(method: string, input: unknown = {}) => socket.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any
const installed = async () => (await api<{ apps: InstalledApp[] }>('apps.list')).apps;
const texts = (locator: ReturnType<Page['getByTestId']>, attr: string) => locator.evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

/** An app folder whose manifest is valid JSON of the right shape but wrong inside: names that refer to nothing, more asked than granted. */
function brokenApp(): string {
  const dir = join(tempDir(), 'broken-app');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'keel-app.json'),
    JSON.stringify({
      id: 'broken-app',
      name: 'Broken app',
      version: '1.0.0',
      description: 'Asks for less than its agent wants and schedules a workflow it does not have.',
      permissions: [],
      agents: [{ name: 'worker', role: 'Does things.', instructions: 'Do things.', permissions: ['email.send'] }],
      workflows: [{ name: 'go', agent: 'nobody', steps: [{ id: 'one', value: 1 }] }],
      schedules: [{ name: 'hourly', workflow: 'missing', trigger: { kind: 'interval', everyMs: 3_600_000 } }],
    }),
  );
  return dir;
}

/** A small app of one's own, at two versions: the second asks for one more permission and migrates its records. */
function notesApp(dir: string, version: '1.0.0' | '1.1.0'): void {
  const upgraded = version === '1.1.0';
  const permissions = upgraded ? ['files.write', 'http.post'] : ['files.write'];
  writeFileSync(
    join(dir, 'keel-app.json'),
    JSON.stringify({
      id: 'notes',
      name: 'Notes',
      version,
      description: 'Keeps meeting notes as files.',
      permissions,
      agents: [{ name: 'scribe', role: 'Writes the notes down.', instructions: 'Write each note to a file.', permissions }],
      entities: [{ name: 'note', schema: { type: 'object' } }],
      migrations: upgraded ? [{ to: '1.1.0', entity: 'note', ops: [{ set: { field: 'tag', value: 'none' } }] }] : [],
      settings: [
        { key: 'folder', label: 'Folder for notes', type: 'string', default: 'notes' },
        { key: 'keepDays', label: 'Days kept', type: 'number', default: 30 },
        { key: 'shareWithTeam', label: 'Share with the team', type: 'boolean', default: false },
      ],
    }),
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  keel = await openKeelInBrowser(dataDir, [], consoleErrors);
  ({ page, socket } = keel);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Apps' }).click();
});

afterAll(async () => {
  await keel?.close();
});

describe('Settings → Apps in real Chromium against the headless server', () => {
  test('the bundled bookkeeping app is installed through a consent dialog built from its preview', async () => {
    const preview = await api<AppPreview>('apps.preview', { source: { bundled: 'bookkeeping' } });
    expect(preview.problems).toEqual([]);
    expect(await installed()).toEqual([]);

    const offer = page.getByTestId('bundled-app').and(page.locator('[data-id="bookkeeping"]'));
    await offer.getByRole('button', { name: `Install Bookkeeping ${preview.version}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Install Bookkeeping ${preview.version}?` });
    await dialog.waitFor();
    // What the operator consents to is what the preview says, item for item.
    await dialog.getByTestId('consent-agent').first().waitFor();
    expect(await texts(dialog.getByTestId('consent-agent'), 'data-name')).toEqual(preview.agents.map((a) => a.name));
    for (const a of preview.agents) expect(await dialog.getByTestId('consent-agent').and(page.locator(`[data-name="${a.name}"]`)).textContent()).toContain(a.role);
    expect(await texts(dialog.getByTestId('consent-permission'), 'data-permission')).toEqual(preview.permissions.map((p) => p.permission));
    if (preview.permissions.length === 0) await dialog.getByTestId('consent-no-permissions').waitFor();
    expect(await dialog.getByTestId('consent-schedule').count()).toBe(preview.schedules.length);
    for (const s of preview.schedules) await dialog.getByTestId('consent-schedule').filter({ hasText: s.name }).filter({ hasText: s.trigger }).waitFor();
    for (const e of preview.entities) await dialog.getByTestId('consent-entities').getByText(e).waitFor();
    expect(await dialog.getByTestId('app-problem').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await shot('50-apps-consent');

    await dialog.getByRole('button', { name: 'Allow and install' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('apps-notice').getByText(`Bookkeeping ${preview.version} installed.`).waitFor();
    const [app] = await installed();
    expect(app).toMatchObject({ id: 'bookkeeping', version: preview.version, permissions: preview.permissions.map((p) => p.permission), agents: preview.agents.map((a) => a.name) });

    const card = page.getByTestId('installed-app').and(page.locator('[data-id="bookkeeping"]'));
    expect(await card.getByTestId('installed-version').textContent()).toBe(preview.version);
    for (const a of preview.agents) await card.getByRole('link', { name: a.name }).waitFor();
    for (const e of app!.entities) expect(await card.getByTestId('app-records').textContent()).toContain(`${e.name} ${e.records}`);
    // Installed: the bundled list no longer offers it.
    await offer.getByText(`Installed (${preview.version})`).waitFor();
    expect(await offer.getByRole('button').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await shot('51-apps-installed');
  });

  test("the records an app keeps open from its card: a bank export added → filed as payments, listed with a link to its document", async () => {
    const csv = join(tempDir(), 'export-october.csv');
    writeFileSync(csv, 'Booking date,Payer,Reference,Amount\n03/10/2026,Northwind Studio,Payment INV-1042,1200.00\n');
    const [ingested] = (await api<{ files: { documentId: string | null }[] }>('documents.ingest', { paths: [csv] })).files;
    const card = page.getByTestId('installed-app').and(page.locator('[data-id="bookkeeping"]'));
    // The card follows apps.changed (a record written): no reload.
    const statements = card.getByRole('button', { name: 'statement 1' });
    await statements.waitFor({ timeout: 30_000 });
    expect(await statements.getAttribute('aria-expanded')).toBe('false');
    await statements.click();
    const table = card.getByRole('table', { name: 'Bookkeeping: statement records' });
    await table.waitFor();
    expect(await statements.getAttribute('aria-expanded')).toBe('true');
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Id', 'documentId', 'name', 'kind', 'month', 'Changed']);
    const cells = await table.getByRole('row').nth(1).getByRole('cell').allTextContents();
    expect(cells.slice(1, 5)).toEqual([ingested!.documentId, 'export-october.csv', 'payments', new Date().toISOString().slice(0, 7)]);
    expect(await table.getByRole('link', { name: ingested!.documentId! }).getAttribute('href')).toContain(ingested!.documentId);
    expect(await seriousViolations(page)).toEqual([]);
    await shot('51b-apps-records');
    // An entity with nothing yet says so.
    await card.getByRole('button', { name: 'reconciliation 0' }).click();
    await card.getByText('No reconciliation records yet.').waitFor();
    expect(await table.count()).toBe(0);
  });

  test('uninstalled with "remove its data": the API no longer has it, nor its agents', async () => {
    const card = page.getByTestId('installed-app').and(page.locator('[data-id="bookkeeping"]'));
    await card.getByRole('button', { name: 'Uninstall Bookkeeping…' }).click();
    const ask = card.getByRole('group', { name: 'Uninstall Bookkeeping' });
    // Escape backs out without a change.
    await ask.getByLabel('Keep its data').press('Escape');
    await ask.waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Uninstall Bookkeeping…' }).click();
    expect(await ask.getByLabel('Keep its data').isChecked()).toBe(true);
    await ask.getByLabel('Remove its data').check();
    await shot('52-apps-uninstall');
    await ask.getByRole('button', { name: 'Uninstall Bookkeeping' }).click();
    await page.getByTestId('apps-notice').getByText(/^Bookkeeping uninstalled: \d+ records? removed\.$/).waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByTestId('no-apps').waitFor();
    expect(await installed()).toEqual([]);
    const { agents } = await api<{ agents: { name: string }[] }>('agents.list');
    expect(agents.filter((a) => a.name.startsWith('bookkeeping'))).toEqual([]);
    const records = await socket.call('apps.records', { id: 'bookkeeping', entity: 'statement' });
    expect(records.type === 'result' && records.ok ? (records.output as { records: unknown[] }).records : []).toEqual([]);
    await page.getByTestId('bundled-app').and(page.locator('[data-id="bookkeeping"]')).getByRole('button', { name: /^Install Bookkeeping/ }).waitFor();
  });

  test('a folder with a broken manifest shows its problems and cannot be installed', async () => {
    const folder = brokenApp();
    const preview = await api<AppPreview>('apps.preview', { source: { path: folder } });
    expect(preview.problems.length).toBeGreaterThan(0);

    const form = page.getByRole('form', { name: 'Install from folder' });
    await form.getByRole('textbox', { name: 'App folder' }).fill(folder);
    await form.getByRole('button', { name: 'Review and install…' }).click();
    const dialog = page.getByTestId('consent-dialog');
    await dialog.getByTestId('app-problem').first().waitFor();
    expect(await dialog.getByTestId('app-problem').allTextContents()).toEqual(preview.problems);
    expect(await dialog.getByRole('button', { name: 'Allow and install' }).isDisabled()).toBe(true);
    await shot('53-apps-problems');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Not even valid in shape: the API's own issues are the problems listed.
    writeFileSync(join(folder, 'keel-app.json'), JSON.stringify({ id: 'broken-app', name: 'Broken app', version: 'one', description: 'No version.' }));
    const refused = await socket.call('apps.preview', { source: { path: folder } });
    if (refused.type !== 'result' || refused.ok) throw new Error(`expected a refusal: ${JSON.stringify(refused)}`);
    await form.getByRole('button', { name: 'Review and install…' }).click();
    await dialog.getByRole('heading', { name: 'This app cannot be installed' }).waitFor();
    expect(await dialog.getByTestId('app-problem').allTextContents()).toEqual(refused.error.issues!.map((i) => i.message));
    expect(await dialog.getByRole('button', { name: 'Allow and install' }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await installed()).toEqual([]);
  });

  test('runs in flight: the refusal is shown with the offer to cancel them, which uninstalls', async () => {
    const app = await api<InstalledApp>('apps.install', { source: { bundled: 'bookkeeping' }, consent: [] });
    const card = page.getByTestId('installed-app').and(page.locator('[data-id="bookkeeping"]'));
    await card.waitFor();
    // No statements filed: month-end escalates and waits for the operator (in flight).
    const monthEnd = app.workflows.find((w) => w.endsWith('month-end'))!;
    const { id } = await api<{ id: string }>('runs.start', { workflow: monthEnd, input: { month: '2026-01' }, app: 'bookkeeping' });
    await socket.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === id && (e.payload as { status: string }).status === 'paused');

    await card.getByRole('button', { name: 'Uninstall Bookkeeping…' }).click();
    const ask = card.getByRole('group', { name: 'Uninstall Bookkeeping' });
    await ask.getByRole('button', { name: 'Uninstall Bookkeeping' }).click();
    const refused = await socket.call('apps.uninstall', { id: 'bookkeeping', keepData: true });
    if (refused.type !== 'result' || refused.ok) throw new Error(`expected a refusal: ${JSON.stringify(refused)}`);
    expect(await ask.getByTestId('uninstall-error').textContent()).toBe(refused.error.message);
    await shot('54-apps-runs-in-flight');
    await ask.getByRole('button', { name: 'Cancel its runs and uninstall' }).click();
    await page.getByTestId('apps-notice').getByText(/^Bookkeeping uninstalled: its records were kept, 1 run cancelled\.$/).waitFor();
    await card.waitFor({ state: 'detached' });
    expect(await installed()).toEqual([]);
    // The run no longer waits for the operator.
    const { escalations } = await api<{ escalations: { runId: string }[] }>('escalations.list', { status: 'open' });
    expect(escalations.filter((e) => e.runId === id)).toEqual([]);
  });

  test("an upgrade from a folder marks the new permission and lists the migration; the app's settings are edited by type", async () => {
    const dir = join(tempDir(), 'notes');
    mkdirSync(dir);
    notesApp(dir, '1.0.0');
    await api('apps.install', { source: { path: dir }, consent: ['files.write'] });
    notesApp(dir, '1.1.0');
    const preview = await api<AppPreview>('apps.preview', { source: { path: dir } });

    const form = page.getByRole('form', { name: 'Install from folder' });
    await form.getByRole('textbox', { name: 'App folder' }).fill(dir);
    await form.getByRole('button', { name: 'Review and install…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upgrade Notes from 1.0.0 to 1.1.0?' });
    await dialog.getByTestId('consent-permission').first().waitFor();
    for (const p of preview.permissions) {
      const item = dialog.getByTestId('consent-permission').and(page.locator(`[data-permission="${p.permission}"]`));
      expect(await item.locator('[data-risk]').getAttribute('data-risk')).toBe(p.risk);
      expect(await item.getByText('new in 1.1.0').count()).toBe(p.new ? 1 : 0);
    }
    expect(preview.permissions.filter((p) => p.new).map((p) => p.permission)).toEqual(['http.post']);
    expect(await dialog.getByTestId('consent-migration').count()).toBe(preview.migrations.length);
    await shot('55-apps-upgrade');
    await dialog.getByRole('button', { name: 'Allow and upgrade' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('apps-notice').getByText('Notes upgraded from 1.0.0 to 1.1.0.').waitFor();
    expect((await installed()).find((a) => a.id === 'notes')).toMatchObject({ version: '1.1.0', permissions: ['files.write', 'http.post'] });

    const settings = page.getByRole('form', { name: 'Notes settings' });
    expect(await settings.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await settings.getByRole('textbox', { name: 'Days kept' }).fill('many');
    await settings.getByText('Days kept is a number.').waitFor();
    expect(await settings.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await settings.getByRole('textbox', { name: 'Days kept' }).fill('90');
    await settings.getByRole('textbox', { name: 'Folder for notes' }).fill('meeting-notes');
    await settings.getByRole('checkbox', { name: 'Share with the team' }).check();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Saved.').waitFor();
    expect((await installed()).find((a) => a.id === 'notes')!.settings).toEqual({ folder: 'meeting-notes', keepDays: 90, shareWithTeam: true });
    await api('apps.uninstall', { id: 'notes', keepData: false });
  });

  test('no errors in the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});

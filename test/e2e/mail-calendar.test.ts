import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ImapStatus } from '../../shared/domain/imap';
import { message } from '../adapters/imap-fixtures';
import { seriousViolations } from '../support/axe';
import { everythingShown, openKeelInBrowser, type KeelInBrowser } from '../support/browser';
import { Dovecot } from '../support/dovecot';
import { runToEnd, writeEffectWorkflows } from '../support/effect-workflows';
import { TestRadicale } from '../support/radicale';
import { ROOT } from '../support/server-process';
import { tempDir } from '../support/temp';
import type { TestSocket } from '../support/ws-client';

/**
 * Settings → Incoming mail and Settings → Calendar in real Chromium, set up by hand against
 * real servers started here (Dovecot for IMAP, Radicale for CalDAV): what the operator types
 * is tested against the server, saved, and then used (mail taken in, an event created).
 */

const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const WORKFLOWS = writeEffectWorkflows('mail-calendar-workflows');
const MAIL_PASSWORD = 'imap pass 8c1f20';
const CAL_USER = 'dana';
const CAL_PASSWORD = 'caldav pass 3e9a71';

let keel: KeelInBrowser;
let page: Page;
let socket: TestSocket;
let dovecot: Dovecot;
let radicale: TestRadicale;
let workCalendar: string;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const api = <T = any>(method: string, input: unknown = {}) => socket.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any
const settingsTab = (label: string) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: label }).click();

beforeAll(async () => {
  [dovecot, radicale] = await Promise.all([Dovecot.start({ users: { keel: MAIL_PASSWORD } }), new TestRadicale({ [CAL_USER]: CAL_PASSWORD }).start()]);
  workCalendar = await radicale.makeCalendar(CAL_USER, 'work', 'Work');
  await radicale.makeCalendar(CAL_USER, 'private', 'Private');
  keel = await openKeelInBrowser(dataDir, ['--workflows', WORKFLOWS], consoleErrors);
  ({ page, socket } = keel);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
});

afterAll(async () => {
  await keel?.close();
  await dovecot?.stop();
  await radicale?.dispose();
});

describe('mail and calendar set up in Settings against real servers', () => {
  test('Incoming mail: a wrong password is refused by the server in the test, the right one lists its folders; saved, the folder is watched and new mail is taken in', async () => {
    await settingsTab('Incoming mail');
    await page.getByRole('button', { name: 'Add an account…' }).click();
    const form = page.getByRole('form', { name: 'Add an IMAP account' });
    await form.getByLabel('Name', { exact: true }).fill('Work mail');
    await form.getByLabel('Server', { exact: true }).fill(dovecot.host);
    await form.getByLabel('Security', { exact: true }).selectOption('starttls');
    await form.getByLabel('Port', { exact: true }).fill(String(dovecot.port));
    await form.getByLabel('User name', { exact: true }).fill('keel');
    await form.getByLabel('Password', { exact: true }).fill('not the password');
    await form.getByLabel('Folders', { exact: true }).fill('INBOX');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const check = form.getByTestId('imap-check');
    await check.and(page.locator('[data-code="auth_failed"]')).waitFor();
    expect(await check.textContent()).toContain('keel');

    // Changing a field clears the old result; the right password passes and shows the server's folders.
    await form.getByLabel('Password', { exact: true }).fill(MAIL_PASSWORD);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await check.getByText('Connected and logged in').waitFor();
    expect(await check.textContent()).toContain('The server pushes new mail (IDLE).');
    expect(await check.textContent()).toContain('INBOX');
    expect(await seriousViolations(page)).toEqual([]);
    await shot('70-imap-tested');

    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('imap-notice').getByText('Work mail added; Keel starts watching INBOX.').waitFor();
    const folder = page.getByTestId('imap-folder');
    await folder.and(page.locator('[data-state="idle"]')).waitFor({ timeout: 30_000 });
    expect(await folder.getByText('Connected (pushed)').count()).toBe(1);

    await dovecot.append(await message('Quote for the spring campaign'));
    // The status follows imap.changed: the count rises without a reload.
    await page.getByRole('table', { name: 'Folders of Work mail' }).getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 30_000 });
    const { accounts } = await api<ImapStatus>('imap.status');
    expect(accounts[0]!.folders[0]).toMatchObject({ folder: 'INBOX', taken: 1, lastError: null });
    const { messages } = await api<{ messages: { subject: string; documentId: string }[] }>('imap.messages', { limit: 10 });
    expect(messages.map((m) => m.subject)).toEqual(['Quote for the spring campaign']);
    expect(await everythingShown(page)).not.toContain(MAIL_PASSWORD);
    expect(await seriousViolations(page)).toEqual([]);
    await shot('71-imap-watching');
  });

  test('Calendar: the CalDAV account is tested (its calendars listed), one is chosen and saved; an agent’s event then lands in that calendar on the server', async () => {
    await settingsTab('Calendar');
    const form = page.getByRole('form', { name: 'Calendar settings' });
    await form.getByLabel('A CalDAV server', { exact: true }).check();
    await form.getByRole('textbox', { name: 'Server URL' }).fill(radicale.url);
    await form.getByRole('textbox', { name: 'User name' }).fill(CAL_USER);
    await form.getByLabel('Password', { exact: true }).fill('wrong');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const check = page.getByTestId('calendar-check');
    await check.and(page.locator('[data-code="auth_failed"]')).waitFor();

    await form.getByLabel('Password', { exact: true }).fill(CAL_PASSWORD);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await check.getByText('Connected and logged in').waitFor();
    expect((await check.getByTestId('calendar-found').allTextContents()).map((t) => t.split(' ')[0]).sort()).toEqual(['Private', 'Work']);
    await form.getByRole('combobox', { name: 'Calendar' }).selectOption({ label: 'Work' });
    // The list marks the calendar chosen, not the one the server would have given.
    expect(await check.getByTestId('calendar-found').filter({ hasText: 'events go here' }).textContent()).toContain('Work');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('calendar-notice').getByText(`Calendar settings saved: events go to the calendar "Work" of the CalDAV account ${CAL_USER} at ${radicale.url}.`).waitFor();
    const { settings } = await api<{ settings: { backend: string; calendarUrl: string; hasPassword: boolean } }>('calendar.settings');
    expect(settings).toMatchObject({ backend: 'caldav', calendarUrl: workCalendar, hasPassword: true });
    expect(await everythingShown(page)).not.toContain(CAL_PASSWORD);
    expect(await seriousViolations(page)).toEqual([]);
    await shot('72-calendar-caldav');

    const run = await runToEnd(socket, 'e2e.calendar_event', { title: 'Follow up with Dana' });
    expect(run.status).toBe('succeeded');
    const events = await radicale.events(CAL_USER, workCalendar);
    expect(events).toHaveLength(1);
    expect(String(events[0]!.data)).toContain('SUMMARY:Follow up with Dana');
  });

  test('no errors in the console', () => {
    expect(consoleErrors).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseEvent } from '../../main/core/adapters/calendar';
import { openDatabase } from '../../main/core/db/database';
import type { CalendarEventResult } from '../../shared/domain/calendar';
import { rejection, startMemoryCore, type MemoryCore } from '../support/memory-core';
import { TestRadicale } from '../support/radicale';
import { PASSWORD, USER } from './calendar-fixtures';

/**
 * The calendar as Keel assembles it for every core (worker, PGlite on disk, the adapter
 * registered next to e-mail), driven through the API: settings, the connection check, and a
 * workflow (from calendar-fixtures.ts) creating an event on each backend.
 */
let radicale: TestRadicale;
let work: string;
let mc: MemoryCore;

beforeAll(async () => {
  radicale = await new TestRadicale({ [USER]: PASSWORD }).start();
  work = await radicale.makeCalendar(USER, 'work', 'Work');
  await radicale.makeCalendar(USER, 'private', 'Private');
  mc = await startMemoryCore({ model: null, workflowModules: [join(__dirname, 'calendar-fixtures.ts')] });
});
afterAll(async () => {
  await mc?.close();
  await radicale?.dispose();
});

async function createThroughCore(title: string): Promise<CalendarEventResult> {
  const { id } = await mc.call('runs.start', { workflow: 'cal.create', input: { event: { title, start: '2025-05-06T09:00:00Z', end: '2025-05-06T10:00:00Z' } } });
  await mc.waitFor('runs.changed', (p) => p.id === id && p.status === 'succeeded');
  const { run } = await mc.call('runs.get', { id });
  return run.output as CalendarEventResult;
}

describe('calendar settings through the API', () => {
  test('CalDAV: checked before saving, the password stored as a secret and only ever shown masked; events go to the chosen calendar', async () => {
    expect(await mc.call('calendar.settings')).toEqual({ settings: null });
    expect(await mc.call('calendar.test')).toMatchObject({ ok: false, code: 'not_configured' });
    const account = { backend: 'caldav', serverUrl: radicale.url, username: USER } as const;
    const noPassword = await rejection(mc.call('calendar.saveSettings', account));
    expect(noPassword.code).toBe('invalid_input');
    expect(noPassword.message).toContain(`Enter the CalDAV password for ${USER}.`);
    expect(await rejection(mc.call('calendar.saveSettings', { ...account, serverUrl: 'http://calendar.example.com/', password: PASSWORD }))).toMatchObject({ code: 'invalid_input' });
    expect(await rejection(mc.call('calendar.saveSettings', { ...account, serverUrl: `http://${USER}:${PASSWORD}@127.0.0.1/`, password: PASSWORD }))).toMatchObject({ code: 'invalid_input' });

    const wrong = await mc.call('calendar.test', { settings: { ...account, password: 'not it' } });
    expect(wrong).toMatchObject({ ok: false, code: 'auth_failed' });
    const check = await mc.call('calendar.test', { settings: { ...account, password: PASSWORD } });
    expect(check).toEqual({ ok: true, calendars: expect.arrayContaining([{ url: work, name: 'Work' }, { url: `${radicale.url}${USER}/private/`, name: 'Private' }]), chosen: expect.any(String) });

    const view = await mc.call('calendar.saveSettings', { ...account, calendarUrl: work, password: PASSWORD });
    expect(view).toEqual({ ...account, calendarUrl: work, hasPassword: true, passwordMasked: `••••${PASSWORD.slice(-4)}` });
    expect(await mc.call('calendar.settings')).toEqual({ settings: view });
    expect(await mc.call('calendar.test')).toMatchObject({ ok: true, chosen: work });
    // Saved again without the password: the stored one is kept.
    expect(await mc.call('calendar.saveSettings', { ...account, calendarUrl: work })).toMatchObject({ hasPassword: true });
    await mc.waitFor('calendar.changed');

    const created = await createThroughCore('Through the core');
    expect(created).toMatchObject({ backend: 'caldav', status: 'confirmed' });
    expect(created.url!.startsWith(work)).toBe(true);
    const onServer = (await radicale.events(USER, work)).map((o) => parseEvent(String(o.data)));
    expect(onServer.map((e) => e.uid)).toContain(created.uid);
  });

  test('.ics files: the folder is checked and events are written inside the workspace', async () => {
    const view = await mc.call('calendar.saveSettings', { backend: 'ics' });
    expect(view).toEqual({ backend: 'ics', folder: 'calendar' });
    const check = await mc.call('calendar.test');
    expect(check).toEqual({ ok: true, calendars: [], chosen: join(mc.dataDir, 'workspace', 'calendar') });
    expect(await rejection(mc.call('calendar.saveSettings', { backend: 'ics', folder: '../outside' }))).toMatchObject({ code: 'invalid_input' });
    const created = await createThroughCore('Into a file');
    expect(created).toMatchObject({ backend: 'ics', file: expect.stringMatching(/^calendar\/keel-[0-9a-f]{32}\.ics$/) });
    expect(parseEvent(readFileSync(join(mc.dataDir, 'workspace', created.file!), 'utf8')).uid).toBe(created.uid);
  });

  test('the password is in no API answer, no ledger event and no stored row but its encrypted secret', async () => {
    const settings = await mc.call('calendar.settings');
    expect(JSON.stringify(settings)).not.toContain(PASSWORD);
    await mc.close();
    const { db } = await openDatabase(mc.dataDir);
    try {
      const saved = await db.query<{ data: Record<string, unknown> }>(`SELECT data FROM kernel_ledger WHERE type = 'calendar.settings_saved' ORDER BY seq`);
      expect(saved.rows.map((r) => r.data)).toEqual([
        { backend: 'caldav', serverUrl: radicale.url, username: USER, calendarUrl: work, passwordChanged: true },
        { backend: 'caldav', serverUrl: radicale.url, username: USER, calendarUrl: work, passwordChanged: false },
        { backend: 'ics', folder: 'calendar', passwordChanged: false },
      ]);
      const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
      for (const table of ['kernel_ledger', 'kernel_steps', 'kernel_runs', 'kernel_settings', 'calendar_events', 'calendar_effects', 'keel_secrets']) {
        const { rows } = await db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`);
        for (const r of rows) for (const f of forms) expect(r.t, `${table} holds the password`).not.toContain(f);
      }
    } finally {
      await db.close();
    }
  });
});

import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { eventUidFor, parseEvent, type ParsedEvent } from '../../main/core/adapters/calendar';
import { openDatabase } from '../../main/core/db/database';
import type { Adapter } from '../../main/core/kernel/adapters/adapter';
import { KernelError } from '../../main/core/kernel/errors';
import { Kernel } from '../../main/core/kernel/kernel';
import { cancelRun, decideApproval, startRun } from '../../main/core/kernel/operator';
import type { RunRow } from '../../main/core/kernel/store';
import type { SecretStore } from '../../main/core/secrets/store';
import { CreateEventArgs, type CalendarEventResult, type CalendarSettings } from '../../shared/domain/calendar';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { TestRadicale } from '../support/radicale';
import { runToFault } from '../support/server-process';
import { tempDir } from '../support/temp';
import { caldavSettings, calendarFor, calendarWorkflows, createOne, PASSWORD, SECRET_ID, USER } from './calendar-fixtures';

/**
 * The calendar adapter against a real CalDAV server (Debian's Radicale on 127.0.0.1) through
 * a real kernel on PGlite. One server and one kernel for the file (each costs seconds); each
 * test looks only at its own runs, keys and events.
 */
let radicale: TestRadicale;
let work: string;
let h: KernelHarness;
let secrets: SecretStore;
let adapter: Adapter;
const target: { settings: CalendarSettings | null } = { settings: null };

beforeAll(async () => {
  radicale = await new TestRadicale({ [USER]: PASSWORD, grace: 'grace has her own 12' }).start();
  work = await radicale.makeCalendar(USER, 'work', 'Work');
  target.settings = caldavSettings(radicale.url, work);
  const dir = tempDir({ lifetime: 'file' });
  h = await startKernel({ workflows: calendarWorkflows }, dir);
  ({ adapter, secrets } = calendarFor(h.db, dir, () => target.settings));
  await secrets.set(SECRET_ID, PASSWORD);
  await h.restart({ adapters: [adapter] });
});
afterAll(async () => {
  await h?.close();
  await radicale?.dispose();
});

const signal = () => new AbortController().signal;
/** An action run as the kernel runs it: arguments checked by its schema, the key given. */
const runOn = (a: Adapter, action: string, args: unknown, key: string) => a.actions[action]!.run(a.actions[action]!.args.parse(args), { idempotencyKey: key, signal: signal() }) as Promise<CalendarEventResult>;
const act = (action: string, args: unknown, key: string) => runOn(adapter, action, args, key);
async function failureOf(p: Promise<unknown>): Promise<KernelError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KernelError);
  return err as KernelError;
}
const actError = (action: string, args: unknown, key: string) => failureOf(act(action, args, key));

/** The event resources on the server with this UID, read back with tsdav as another client would. */
async function onServer(uid: string, calendar = work): Promise<{ url: string; etag?: string; event: ParsedEvent; text: string }[]> {
  const objects = await radicale.events(USER, calendar);
  return objects.map((o) => ({ url: o.url, etag: o.etag, text: String(o.data), event: parseEvent(String(o.data)) })).filter((o) => o.event.uid === uid);
}

async function theEvent(uid: string, calendar = work) {
  const found = await onServer(uid, calendar);
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function runToEnd(workflow: string, input: unknown): Promise<RunRow> {
  const { id } = await startRun(h.k, { workflow, input });
  await h.k.idle();
  return h.run(id);
}

async function approvePending(runId: string): Promise<number> {
  const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [runId]);
  for (const r of rows) await decideApproval(h.k, r.id, { decision: 'approve' }, 'ada');
  await h.k.idle();
  return rows.length;
}

/** The password, in clear or base64, appears in no row Keel keeps. */
async function expectPasswordNowhere(db = h.db, password = PASSWORD): Promise<void> {
  const forms = [password, Buffer.from(password).toString('base64'), Buffer.from(`${USER}:${password}`).toString('base64')];
  for (const table of ['kernel_ledger', 'kernel_steps', 'kernel_runs', 'kernel_escalations', 'kernel_settings', 'calendar_events', 'calendar_effects', 'keel_secrets']) {
    const { rows } = await db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`);
    for (const r of rows) for (const f of forms) expect(r.t, `${table} holds the password`).not.toContain(f);
  }
}

const meeting = {
  title: 'Review, Q3; budget',
  start: '2025-03-28T10:00:00+01:00',
  end: '2025-03-28T11:30:00+01:00',
  timezone: 'Europe/Berlin',
  location: 'Room 4; 2nd floor',
  description: 'Agenda:\n1. numbers, costs\n2. next steps; owners',
  attendees: ['grace@example.org', { email: 'alan@example.net', name: 'Turing, Alan' }],
};

describe('calendar adapter on a CalDAV server, through the kernel', () => {
  test('create: the event is on the server with its title, times, zone and attendees; the UID comes from the effect key', async () => {
    const run = await runToEnd('cal.create', { event: meeting });
    expect(run.status).toBe('succeeded'); // medium risk: below the default threshold, no approval
    const uid = eventUidFor(`${run.id}:2`); // step 1 is the gate
    expect(uid).toMatch(/^keel-[0-9a-f]{32}@keel$/);
    const out = run.output as CalendarEventResult;
    expect(out).toEqual({
      uid,
      backend: 'caldav',
      url: `${work}${uid.replace('@keel', '')}.ics`,
      status: 'confirmed',
      sequence: 0,
      start: '2025-03-28T09:00:00.000Z',
      end: '2025-03-28T10:30:00.000Z',
      allDay: false,
      changed: true,
    });

    const { url, text, event } = await theEvent(uid);
    expect(url).toBe(out.url);
    const ev = event.vevent;
    expect(ev.getFirstPropertyValue('summary')).toBe('Review, Q3; budget');
    expect(ev.getFirstPropertyValue('location')).toBe('Room 4; 2nd floor');
    expect(ev.getFirstPropertyValue('description')).toBe('Agenda:\n1. numbers, costs\n2. next steps; owners');
    expect(text).toContain('SUMMARY:Review\\, Q3\\; budget');
    expect(text).toMatch(/DTSTART;TZID=Europe\/Berlin:20250328T100000/);
    expect(text).toMatch(/DTEND;TZID=Europe\/Berlin:20250328T113000/);
    expect(event.vcal.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
    expect(event.when).toEqual({ allDay: false, startMs: Date.parse('2025-03-28T09:00:00Z'), endMs: Date.parse('2025-03-28T10:30:00Z'), zone: 'Europe/Berlin' });
    expect(event.sequence).toBe(0);
    expect(event.status).toBe('confirmed');
    expect(String(ev.getFirstPropertyValue('dtstamp'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const attendees = ev.getAllProperties('attendee').map((p) => [p.getFirstValue(), p.getParameter('cn') ?? null]);
    expect(attendees).toEqual([
      ['mailto:grace@example.org', null],
      ['mailto:alan@example.net', 'Turing, Alan'],
    ]);
    await expectPasswordNowhere();
  });

  test('move: new times, same UID and resource, SEQUENCE bumped; moving it there again changes nothing', async () => {
    const created = (await runToEnd('cal.create', { event: { title: 'Call with Grace', start: '2025-04-01T15:00:00Z', end: '2025-04-01T15:30:00Z' } })).output as CalendarEventResult;
    const moved = await runToEnd('cal.move', { uid: created.uid, start: '2025-04-02T16:00:00+02:00', end: '2025-04-02T17:00:00+02:00' });
    expect(moved.status).toBe('succeeded');
    expect(moved.output).toMatchObject({ uid: created.uid, url: created.url, sequence: 1, start: '2025-04-02T14:00:00.000Z', end: '2025-04-02T15:00:00.000Z', changed: true });
    const { url, text, event } = await theEvent(created.uid);
    expect(url).toBe(created.url);
    expect(event.sequence).toBe(1);
    expect(text).toContain('DTSTART:20250402T140000Z'); // no zone given: UTC
    expect(event.vevent.getFirstPropertyValue('summary')).toBe('Call with Grace');

    const again = await act('move_event', { uid: created.uid, start: '2025-04-02T14:00:00Z', end: '2025-04-02T15:00:00Z' }, 'move-again:1');
    expect(again).toMatchObject({ changed: false, sequence: 1 });
    expect((await theEvent(created.uid)).event.sequence).toBe(1);
  });

  test('cancel: high risk, so it waits for approval; then STATUS:CANCELLED with a bumped SEQUENCE, the event kept', async () => {
    const created = (await runToEnd('cal.create', { event: { title: 'Site visit', allDay: '2025-05-05' } })).output as CalendarEventResult;
    expect(created).toMatchObject({ allDay: true, start: '2025-05-05', end: '2025-05-05' });
    expect((await theEvent(created.uid)).text).toMatch(/DTSTART;VALUE=DATE:20250505\r\nDTEND;VALUE=DATE:20250506/);
    const { id } = await startRun(h.k, { workflow: 'cal.cancel', input: { uid: created.uid } });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval');
    expect((await theEvent(created.uid)).event.status).toBe('confirmed');
    expect(await approvePending(id)).toBe(1);
    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(run.output).toMatchObject({ uid: created.uid, status: 'cancelled', sequence: 1, changed: true });
    const { event } = await theEvent(created.uid);
    expect(event.status).toBe('cancelled');
    expect(event.sequence).toBe(1);
    const again = await act('cancel_event', { uid: created.uid }, 'cancel-again:1');
    expect(again).toMatchObject({ status: 'cancelled', sequence: 1, changed: false });
  });

  test('compensation: a workflow that fails after creating its event cancels the event', async () => {
    const run = await runToEnd('cal.rollback', { event: { title: 'Workshop', start: '2025-06-10T08:00:00Z', end: '2025-06-10T12:00:00Z' } });
    expect(run.status).toBe('compensated');
    expect(run.error).toMatchObject({ message: 'the client declined the meeting' });
    const uid = eventUidFor(`${run.id}:2`);
    const { event } = await theEvent(uid);
    expect(event.status).toBe('cancelled');
    expect(event.sequence).toBe(1);
    const undo = await h.db.query<{ data: { compensation: string } }>(`SELECT data FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.compensated'`, [run.id]);
    expect(undo.rows.map((r) => r.data.compensation)).toEqual(['calendar.cancel_event']);
  });

  test('compensation: cancelling a waiting run with compensate cancels the event it created', async () => {
    const { id } = await startRun(h.k, { workflow: 'cal.hold', input: { event: { title: 'Hold: offsite', start: '2025-07-01T09:00:00Z', end: '2025-07-01T17:00:00Z' } } });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval');
    const uid = eventUidFor(`${id}:2`);
    expect((await theEvent(uid)).event.status).toBe('confirmed');
    await cancelRun(h.k, id, { compensate: true }, 'ada');
    await h.k.idle();
    expect((await h.run(id)).status).toBe('cancelled');
    expect((await theEvent(uid)).event).toMatchObject({ status: 'cancelled', sequence: 1 });
  });

  test('the same effect replayed (same key) gives the same event: from the record, and from the server when the record was lost', async () => {
    const args = { title: 'Replay', start: '2025-08-01T10:00:00Z', end: '2025-08-01T11:00:00Z' };
    const first = await act('create_event', args, 'replay:1');
    expect(first.changed).toBe(true);
    expect(await act('create_event', args, 'replay:1')).toEqual(first);
    // As if the process died after the server stored it and before Keel recorded anything.
    await h.db.query(`DELETE FROM calendar_effects WHERE idempotency_key = 'replay:1'`);
    await h.db.query(`DELETE FROM calendar_events WHERE uid = $1`, [first.uid]);
    const replayed = await act('create_event', { ...args, title: 'Replay (edited args)' }, 'replay:1');
    expect(replayed).toEqual({ ...first, changed: false });
    const found = await theEvent(first.uid);
    expect(found.event.vevent.getFirstPropertyValue('summary')).toBe('Replay'); // the stored event was left as it was
    const other = await act('create_event', args, 'replay:2');
    expect(other.uid).not.toBe(first.uid);
  });

  test('a concurrent change by another client between Keel\'s read and write: the If-Match write fails, Keel re-reads and keeps their edit', async () => {
    const created = await act('create_event', { title: 'Planning', start: '2025-09-01T09:00:00Z', end: '2025-09-01T10:00:00Z' }, 'race:1');
    const realFetch = globalThis.fetch;
    let raced = false;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const headers = new Headers(init?.headers);
      if (!raced && init?.method === 'PUT' && headers.has('if-match')) {
        raced = true;
        // Someone edits the title in their calendar app just before Keel's write lands.
        const mine = await realFetch(String(input), { headers: { authorization: headers.get('authorization')! } });
        const theirs = (await mine.text()).replace('SUMMARY:Planning', 'SUMMARY:Planning (room booked)').replace('SEQUENCE:0', 'SEQUENCE:3');
        const put = await realFetch(String(input), { method: 'PUT', headers: { authorization: headers.get('authorization')!, 'content-type': 'text/calendar', 'if-match': mine.headers.get('etag')! }, body: theirs });
        expect(put.ok).toBe(true);
      }
      return realFetch(input, init);
    });
    try {
      const moved = await act('move_event', { uid: created.uid, start: '2025-09-01T13:00:00Z', end: '2025-09-01T14:00:00Z' }, 'race:2');
      expect(raced).toBe(true);
      expect(moved).toMatchObject({ sequence: 4, start: '2025-09-01T13:00:00.000Z', changed: true });
    } finally {
      spy.mockRestore();
    }
    const { event } = await theEvent(created.uid);
    expect(event.vevent.getFirstPropertyValue('summary')).toBe('Planning (room booked)');
    expect(event.when).toMatchObject({ startMs: Date.parse('2025-09-01T13:00:00Z') });
    expect(event.sequence).toBe(4);
  });

  test('an event made by another app is found by its UID (calendar-query) and can be moved and cancelled', async () => {
    const url = `${work}from-another-app.ics`;
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other//App//EN', 'BEGIN:VEVENT', 'UID:meeting-42@example.org', 'DTSTAMP:20250101T000000Z', 'DTSTART:20251001T090000Z', 'DTEND:20251001T100000Z', 'SUMMARY:Board meeting', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    expect((await radicale.request(USER, 'PUT', url, { 'content-type': 'text/calendar' }, ics)).status).toBe(201);
    const moved = await act('move_event', { uid: 'meeting-42@example.org', start: '2025-10-02T09:00:00Z', end: '2025-10-02T10:00:00Z' }, 'foreign:1');
    expect(moved).toMatchObject({ uid: 'meeting-42@example.org', url, sequence: 1, changed: true });
    const cancelled = await act('cancel_event', { uid: 'meeting-42@example.org' }, 'foreign:2');
    expect(cancelled).toMatchObject({ url, status: 'cancelled', sequence: 2 });
    expect((await theEvent('meeting-42@example.org')).event.vevent.getFirstPropertyValue('summary')).toBe('Board meeting');
  });

  test('bad input gets a clear message: end before start, no end, an unknown UID', async () => {
    const backwards = await runToEnd('cal.create', { event: { title: 'Backwards', start: '2025-03-01T10:00:00Z', end: '2025-03-01T09:00:00Z' } });
    expect(backwards.status).toBe('paused');
    expect(backwards.error).toMatchObject({ kind: 'validation' });
    expect(backwards.error!.message).toBe('Arguments for calendar.create_event are invalid: end: the end (2025-03-01T09:00:00Z) is not after the start (2025-03-01T10:00:00Z)');
    const issue = (args: unknown) => CreateEventArgs.safeParse(args).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issue({ title: 'x', start: '2025-03-01', end: '2025-03-01T09:00:00Z' })).toEqual(['end: start and end must both be days (all-day) or both be times with an offset']);
    expect(issue({ title: 'x', start: '2025-03-01T09:00:00Z' })).toEqual(['end: a timed event needs an end']);
    expect(issue({ title: 'x', start: '2025-03-01T09:00:00', end: '2025-03-01T10:00:00' })?.[0]).toMatch(/^start: /); // no offset: ambiguous
    expect(issue({ title: 'x', start: '2025-03-03', end: '2025-03-01' })).toEqual(['end: the end (2025-03-01) is before the start (2025-03-03)']);
    expect(issue({ title: 'x', allDay: '2025-03-03', timezone: 'Europe/Paris' })).toEqual(['timezone: an all-day event has no time zone']);
    expect(issue({ title: 'x', allDay: '2025-03-03', attendees: ['not an address'] })?.[0]).toMatch(/^attendees\.0/);
    expect(issue({ title: 'x', start: '2025-03-01T09:00:00Z', end: '2025-03-01T10:00:00Z', timezone: 'Mars/Olympus' })).toEqual(['timezone: an IANA time zone such as "Europe/Berlin"']);
    const unknown = await actError('move_event', { uid: 'nobody@nowhere', start: '2025-03-01T10:00:00Z', end: '2025-03-01T11:00:00Z' }, 'bad:2');
    expect(unknown.kind).toBe('permanent');
    expect(unknown.details).toMatchObject({ code: 'not_found', uid: 'nobody@nowhere' });
    expect(unknown.message).toBe('There is no event with UID nobody@nowhere on the calendar. Check the UID (create_event returns it).');
  });
});

describe('failures', () => {
  test('a wrong password is auth_failed: permanent, one failed login, the run pauses, nothing stored', async () => {
    await secrets.set(SECRET_ID, 'not the password');
    try {
      const before = radicale.failedLogins();
      const run = await runToEnd('cal.create', { event: { title: 'Never', start: '2025-03-01T10:00:00Z', end: '2025-03-01T11:00:00Z' } });
      expect(run.status).toBe('paused');
      expect(run.error).toMatchObject({ kind: 'permanent', attempts: 1, details: { code: 'auth_failed', status: 401 } });
      expect(run.error!.message).toBe(`The CalDAV server ${radicale.url.slice(0, -1)} refused the login for "keel" (401 Unauthorized). Check the user name and the password in the calendar settings.`);
      expect(radicale.failedLogins() - before).toBe(1); // not retried
      expect(await onServer(eventUidFor(`${run.id}:2`))).toEqual([]);

      // Discovery (no calendar chosen) logs in once too, instead of once per discovery path.
      target.settings = caldavSettings(radicale.url);
      const err = await actError('create_event', { title: 'Never', start: '2025-03-01T10:00:00Z', end: '2025-03-01T11:00:00Z' }, 'auth:2');
      expect(err.details).toMatchObject({ code: 'auth_failed' });
      expect(radicale.failedLogins() - before).toBe(2);
      await expectPasswordNowhere(h.db, 'not the password');
      expect(err.message).not.toContain('not the password');
    } finally {
      target.settings = caldavSettings(radicale.url, work);
      await secrets.set(SECRET_ID, PASSWORD);
    }
  });

  test('without a chosen calendar, events go to the account\'s first calendar; an account without one is told so', async () => {
    target.settings = caldavSettings(radicale.url);
    try {
      const created = await act('create_event', { title: 'First calendar', start: '2025-03-02T10:00:00Z', end: '2025-03-02T11:00:00Z' }, 'first:1');
      expect(created.url!.startsWith(work)).toBe(true);
      await theEvent(created.uid);
    } finally {
      target.settings = caldavSettings(radicale.url, work);
    }
    // Grace's account has no calendar yet.
    const { adapter: graces, secrets: s } = calendarFor(h.db, h.dir, () => ({ ...caldavSettings(radicale.url), username: 'grace', passwordSecretId: 'grace.password' }));
    await s.set('grace.password', 'grace has her own 12');
    const err = await failureOf(runOn(graces, 'create_event', { title: 'x', allDay: '2025-03-03' }, 'grace:1'));
    expect(err).toMatchObject({ kind: 'permanent', details: { code: 'no_calendar' } });
    expect(err.message).toMatch(/has no calendar for events\. Create one in your calendar app/);
  });

  test('a server that is down is cannot_connect, transient; not set up is not_configured', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const { adapter: nowhere } = calendarFor(h.db, h.dir, () => caldavSettings(`http://127.0.0.1:${closed}/`, `http://127.0.0.1:${closed}/keel/work/`));
    const down = await failureOf(runOn(nowhere, 'create_event', { title: 'x', allDay: '2025-03-03' }, 'down:1'));
    expect(down).toMatchObject({ kind: 'transient', details: { code: 'cannot_connect' } });
    expect(down.message).toMatch(/^Cannot connect to the CalDAV server http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)\. Check the server URL, or try again later\.$/);
    const { adapter: unset } = calendarFor(h.db, h.dir, () => null);
    const none = await failureOf(runOn(unset, 'cancel_event', { uid: 'x' }, 'unset:1'));
    expect(none).toMatchObject({ kind: 'permanent', details: { code: 'not_configured' } });
  });
});

describe('kill -9 right after the server stored the event', () => {
  async function crashChild(dataDir: string, calendar: string, fault: string): Promise<void> {
    const { code, sig, output } = await runToFault(join(__dirname, 'calendar-crash-child.ts'), [dataDir, radicale.url, calendar], fault);
    expect({ code, sig }, output).toEqual({ code: null, sig: 'SIGKILL' });
    expect(output).not.toContain('DONE');
  }

  test.each(['calendar.after_put', 'calendar.after_record'])('%s: the restarted run completes with exactly one event on the server', async (fault) => {
    const calendar = await radicale.makeCalendar(USER, `crash-${fault.split('.')[1]}`, 'Crash');
    const dataDir = tempDir();
    await crashChild(dataDir, calendar, fault);
    expect(await radicale.events(USER, calendar)).toHaveLength(1); // the server has it; Keel has not recorded the step

    const { db } = await openDatabase(dataDir);
    const { adapter: restartedAdapter } = calendarFor(db, dataDir, () => caldavSettings(radicale.url, calendar));
    const k = new Kernel({ db, workflows: [createOne], adapters: [restartedAdapter] });
    try {
      await k.start();
      await k.idle();
      const { rows } = await db.query<RunRow>(`SELECT * FROM kernel_runs WHERE idempotency_key = 'crash-calendar'`);
      const run = rows[0]!;
      expect(run.status).toBe('succeeded');
      const uid = eventUidFor(`${run.id}:2`);
      expect(run.output).toMatchObject({ uid, status: 'confirmed', sequence: 0, start: '2025-06-02T07:00:00.000Z' });
      const objects = await radicale.events(USER, calendar);
      expect(objects).toHaveLength(1);
      expect(parseEvent(String(objects[0]!.data)).uid).toBe(uid);
      const sent = await db.query(`SELECT 1 FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.sent'`, [run.id]);
      expect(sent.rows).toHaveLength(1);
      await expectPasswordNowhere(db);
    } finally {
      await k.stop();
      await db.close();
    }
  });
});

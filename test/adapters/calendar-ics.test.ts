import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventUidFor, parseEvent } from '../../main/core/adapters/calendar';
import type { Adapter } from '../../main/core/kernel/adapters/adapter';
import { KernelError } from '../../main/core/kernel/errors';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import type { RunRow } from '../../main/core/kernel/store';
import { CalendarSettings, type CalendarEventResult } from '../../shared/domain/calendar';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { tempDir } from '../support/temp';
import { calendarFor, calendarWorkflows } from './calendar-fixtures';

/** The .ics backend, for operators without a calendar server: one file per event in the workspace. */
let h: KernelHarness;
let adapter: Adapter;
let workspace: string;
const target: { settings: CalendarSettings } = { settings: { backend: 'ics', folder: 'calendar' } };

beforeAll(async () => {
  const dir = tempDir({ lifetime: 'file' });
  workspace = join(dir, 'workspace');
  h = await startKernel({ workflows: calendarWorkflows }, dir);
  ({ adapter } = calendarFor(h.db, dir, () => target.settings));
  await h.restart({ adapters: [adapter] });
});
afterAll(() => h?.close());

const signal = () => new AbortController().signal;
const act = (action: string, args: unknown, key: string, a = adapter) => a.actions[action]!.run(a.actions[action]!.args.parse(args), { idempotencyKey: key, signal: signal() }) as Promise<CalendarEventResult>;
async function actError(action: string, args: unknown, key: string, a = adapter): Promise<KernelError> {
  const err = await act(action, args, key, a).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KernelError);
  return err as KernelError;
}

async function runToEnd(workflow: string, input: unknown): Promise<RunRow> {
  const { id } = await startRun(h.k, { workflow, input });
  await h.k.idle();
  return h.run(id);
}

const read = (file: string) => readFileSync(join(workspace, file), 'utf8');

/** A file is valid iCalendar as another program reads it: ical.js's own parser and Event, CRLF lines of at most 75 octets. */
function validated(file: string): ICAL.Event {
  const text = read(file);
  expect(text.endsWith('\r\n')).toBe(true);
  for (const line of text.split('\r\n')) {
    expect(line.includes('\n')).toBe(false);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75 + 3); // ical.js folds at 75 characters
  }
  const vcal = new ICAL.Component(ICAL.parse(text));
  expect(vcal.getFirstPropertyValue('version')).toBe('2.0');
  expect(vcal.getFirstPropertyValue('prodid')).toBe('-//Keel//Keel Calendar 1.0//EN');
  return new ICAL.Event(vcal.getFirstSubcomponent('vevent')!);
}

describe('.ics files in the workspace', () => {
  test('create, move, cancel: one file per event, valid iCalendar, SEQUENCE bumped by each change', async () => {
    const created = await runToEnd('cal.create', { event: { title: 'Dentist; bring x-rays, forms', start: '2025-11-03T08:30:00-05:00', end: '2025-11-03T09:15:00-05:00', timezone: 'America/New_York', description: 'Line one\nLine two' } });
    expect(created.status).toBe('succeeded');
    const uid = eventUidFor(`${created.id}:2`);
    const file = `calendar/${uid.replace('@keel', '')}.ics`;
    expect(created.output).toEqual({ uid, backend: 'ics', file, status: 'confirmed', sequence: 0, start: '2025-11-03T13:30:00.000Z', end: '2025-11-03T14:15:00.000Z', allDay: false, changed: true });
    let ev = validated(file);
    expect(ev.uid).toBe(uid);
    expect(ev.summary).toBe('Dentist; bring x-rays, forms');
    expect(ev.description).toBe('Line one\nLine two');
    expect(ev.sequence).toBe(0);
    expect(read(file)).toContain('SUMMARY:Dentist\\; bring x-rays\\, forms');
    expect(read(file)).toContain('DESCRIPTION:Line one\\nLine two');
    expect(read(file)).toContain('DTSTART;TZID=America/New_York:20251103T083000'); // after the DST change on 2 November: EST
    expect(read(file)).toMatch(/BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500/);

    const moved = await runToEnd('cal.move', { uid, start: '2025-11-04T10:00:00-05:00', end: '2025-11-04T11:00:00-05:00' });
    expect(moved.output).toMatchObject({ uid, file, sequence: 1, start: '2025-11-04T15:00:00.000Z', changed: true });
    ev = validated(file);
    expect(ev.sequence).toBe(1);
    expect(read(file)).toContain('DTSTART;TZID=America/New_York:20251104T100000'); // the event keeps its zone

    const { id } = await startRun(h.k, { workflow: 'cal.cancel', input: { uid } });
    await h.k.idle();
    const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [id]);
    await decideApproval(h.k, rows[0]!.id, { decision: 'approve' }, 'ada');
    await h.k.idle();
    expect((await h.run(id)).output).toMatchObject({ uid, file, status: 'cancelled', sequence: 2 });
    ev = validated(file);
    expect(ev.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(ev.sequence).toBe(2);
    expect(readdirSync(join(workspace, 'calendar')).filter((n) => n.includes(uid.slice(5, 37)))).toEqual([`${uid.replace('@keel', '')}.ics`]);
    expect(readdirSync(join(workspace, 'calendar')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('compensation cancels the created file\'s event; a replay of the same key writes nothing new', async () => {
    const run = await runToEnd('cal.rollback', { event: { title: 'Offsite', allDay: '2025-12-01' } });
    expect(run.status).toBe('compensated');
    const uid = eventUidFor(`${run.id}:2`);
    const ev = validated(`calendar/${uid.replace('@keel', '')}.ics`);
    expect(ev.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(ev.startDate.isDate).toBe(true);
    expect(ev.startDate.toString()).toBe('2025-12-01');
    expect(ev.endDate.toString()).toBe('2025-12-02'); // exclusive

    const args = { title: 'Replay', start: '2025-12-02', end: '2025-12-04' };
    const first = await act('create_event', args, 'ics-replay:1');
    expect(first).toMatchObject({ allDay: true, start: '2025-12-02', end: '2025-12-04' });
    expect(await act('create_event', args, 'ics-replay:1')).toEqual(first);
    await h.db.query(`DELETE FROM calendar_effects WHERE idempotency_key = 'ics-replay:1'`);
    expect(await act('create_event', args, 'ics-replay:1')).toEqual({ ...first, changed: false });
  });

  test('the operator\'s own edits are kept; an event file dropped in by hand is found by its UID', async () => {
    const created = await act('create_event', { title: 'Call', start: '2025-10-01T10:00:00Z', end: '2025-10-01T10:30:00Z' }, 'ics-edit:1');
    writeFileSync(join(workspace, created.file!), read(created.file!).replace('SUMMARY:Call', 'SUMMARY:Call (dial-in 555)'));
    const moved = await act('move_event', { uid: created.uid, start: '2025-10-01T11:00:00Z', end: '2025-10-01T11:30:00Z' }, 'ics-edit:2');
    expect(moved).toMatchObject({ sequence: 1, changed: true });
    expect(validated(created.file!).summary).toBe('Call (dial-in 555)');

    const mine = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Hand//EN', 'BEGIN:VEVENT', 'UID:by-hand-7@example.org', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250920', 'SUMMARY:Birthday', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    writeFileSync(join(workspace, 'calendar', 'birthday.ics'), mine);
    const cancelled = await act('cancel_event', { uid: 'by-hand-7@example.org' }, 'ics-hand:1');
    expect(cancelled).toMatchObject({ file: 'calendar/birthday.ics', status: 'cancelled', sequence: 1, allDay: true, start: '2025-09-20', end: '2025-09-20' });
    expect(parseEvent(read('calendar/birthday.ics')).status).toBe('cancelled');
  });

  test('a damaged file, an unknown UID and a folder outside the workspace get clear errors', async () => {
    const created = await act('create_event', { title: 'Soon damaged', allDay: '2025-09-09' }, 'ics-bad:1');
    writeFileSync(join(workspace, created.file!), 'this is not a calendar');
    const damaged = await actError('move_event', { uid: created.uid, start: '2025-09-10' }, 'ics-bad:2');
    expect(damaged).toMatchObject({ kind: 'permanent', details: { code: 'bad_response' } });
    expect(damaged.message).toMatch(new RegExp(`^The event at ${created.file!.replace('.', '\\.')} cannot be read: it is not valid iCalendar`));

    const unknown = await actError('cancel_event', { uid: 'nobody@nowhere' }, 'ics-bad:3');
    expect(unknown.details).toMatchObject({ code: 'not_found' });
    expect(unknown.message).toBe('There is no event with UID nobody@nowhere on the calendar folder. Check the UID (create_event returns it).');

    expect(CalendarSettings.safeParse({ backend: 'ics', folder: '../elsewhere' }).success).toBe(false);
    expect(CalendarSettings.safeParse({ backend: 'ics', folder: '/etc' }).success).toBe(false);
    expect(CalendarSettings.safeParse({ backend: 'ics', folder: '.keel/x' }).success).toBe(false);
    const outside = tempDir();
    mkdirSync(workspace, { recursive: true });
    symlinkSync(outside, join(workspace, 'linked'));
    target.settings = { backend: 'ics', folder: 'linked' };
    try {
      const err = await actError('create_event', { title: 'x', allDay: '2025-09-09' }, 'ics-bad:4');
      expect(err).toMatchObject({ kind: 'permanent', details: { code: 'not_configured' } });
      expect(err.message).toBe('The calendar folder "linked" leads outside the workspace through a link.');
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      target.settings = { backend: 'ics', folder: 'calendar' };
    }
    expect(existsSync(join(workspace, 'calendar'))).toBe(true);
  });
});

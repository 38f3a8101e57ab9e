import { describe, expect, test } from 'vitest';
import { buildEvent, describeWhen, parseEvent, whenFromArgs, withWhen } from '../../main/core/adapters/calendar/ical';
import { zonedToUtc } from '../../main/core/adapters/calendar/timezones';

/** iCalendar as other programs write it, read and changed by Keel (no server needed). */
const outlook = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN',
  'BEGIN:VTIMEZONE',
  'TZID:W. Europe Standard Time',
  'BEGIN:STANDARD',
  'DTSTART:16011028T030000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:16010325T020000',
  'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
  'BEGIN:VEVENT',
  'UID:040000008200E00074C5B7101A82E008@outlook',
  'DTSTAMP:20250101T000000Z',
  'DTSTART;TZID=W. Europe Standard Time:20250715T140000',
  'DURATION:PT1H30M',
  'SEQUENCE:2',
  'SUMMARY:Quarterly\\, review',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('iCalendar', () => {
  test('a zone known only by its VTIMEZONE (Outlook) and a DURATION are read as the right instants', () => {
    const p = parseEvent(outlook);
    expect(p).toMatchObject({ uid: '040000008200E00074C5B7101A82E008@outlook', sequence: 2, status: 'confirmed', recurring: false });
    expect(describeWhen(p.when)).toEqual({ start: '2025-07-15T12:00:00.000Z', end: '2025-07-15T13:30:00.000Z', allDay: false });
  });

  test('moving such an event writes UTC times, drops DURATION, keeps everything else, bumps SEQUENCE', () => {
    const moved = withWhen(parseEvent(outlook), whenFromArgs({ start: '2025-07-16T08:00:00Z', end: '2025-07-16T09:00:00Z' }), Date.UTC(2025, 0, 2));
    expect(moved).toContain('DTSTART:20250716T080000Z');
    expect(moved).toContain('DTEND:20250716T090000Z');
    expect(moved).not.toContain('DURATION');
    expect(moved).toContain('SUMMARY:Quarterly\\, review');
    expect(moved).toContain('DTSTAMP:20250102T000000Z');
    expect(parseEvent(moved).sequence).toBe(3);
  });

  test('wall-clock times around DST changes; text with commas, semicolons, backslashes and newlines survives a round trip', () => {
    expect(new Date(zonedToUtc('Europe/Berlin', { year: 2025, month: 3, day: 30, hour: 1, minute: 30, second: 0 })).toISOString()).toBe('2025-03-30T00:30:00.000Z');
    expect(new Date(zonedToUtc('Europe/Berlin', { year: 2025, month: 3, day: 30, hour: 3, minute: 30, second: 0 })).toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(new Date(zonedToUtc('America/Los_Angeles', { year: 2025, month: 11, day: 2, hour: 12, minute: 0, second: 0 })).toISOString()).toBe('2025-11-02T20:00:00.000Z');
    const title = 'a, b; c \\ d';
    const text = buildEvent({ uid: 'u@x', title, description: 'one\ntwo, three', location: 'x;y', when: whenFromArgs({ start: '2025-03-30T00:30:00Z', end: '2025-03-30T02:00:00Z', timezone: 'Europe/Berlin' }), now: 0 });
    expect(text).toContain('SUMMARY:a\\, b\\; c \\\\ d');
    expect(text).toContain('DTSTART;TZID=Europe/Berlin:20250330T013000');
    expect(text).toContain('DTEND;TZID=Europe/Berlin:20250330T040000'); // after the change: CEST
    const back = parseEvent(text);
    expect(back.vevent.getFirstPropertyValue('summary')).toBe(title);
    expect(back.vevent.getFirstPropertyValue('description')).toBe('one\ntwo, three');
    expect(describeWhen(back.when)).toMatchObject({ start: '2025-03-30T00:30:00.000Z', end: '2025-03-30T02:00:00.000Z' });
  });

  test('what is not an event says why', () => {
    expect(() => parseEvent('hello')).toThrow(/not valid iCalendar/);
    expect(() => parseEvent('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n')).toThrow('it holds no VEVENT');
    expect(() => parseEvent('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n')).toThrow('its VEVENT has no DTSTART');
  });
});

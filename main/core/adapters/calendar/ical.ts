import ICAL from 'ical.js';
import { isDay, type Person } from '../../../../shared/domain/calendar';
import { isKnownZone, toLocal, vtimezone, zonedToUtc, type LocalTime } from './timezones';

/**
 * Events as iCalendar text (RFC 5545) through ical.js: what Keel writes (to a CalDAV server or
 * an .ics file) and what it reads back before a move or a cancel. ical.js does the escaping
 * of commas, semicolons, backslashes and newlines in text, and the line folding.
 */

const PRODID = '-//Keel//Keel Calendar 1.0//EN';

/** When an event happens: days (all-day, `endDay` the last day, inclusive) or instants, written in `zone` or UTC. */
export type When = { allDay: true; startDay: string; endDay: string } | { allDay: false; startMs: number; endMs: number; zone: string | null };

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/** The event itself could not be read: a file or a server answer that is not a usable VEVENT. */
export class BadEvent extends Error {
  override name = 'BadEvent';
}

export function whenFromArgs(a: { start?: string; end?: string; allDay?: string; timezone?: string }): When {
  if (a.allDay) return { allDay: true, startDay: a.allDay, endDay: a.allDay };
  const start = a.start!;
  if (isDay(start)) return { allDay: true, startDay: start, endDay: a.end ?? start };
  return { allDay: false, startMs: Date.parse(start), endMs: Date.parse(a.end!), zone: a.timezone ?? null };
}

/** The same times, whatever zone they are written in. */
export function sameWhen(a: When, b: When): boolean {
  if (a.allDay || b.allDay) return a.allDay && b.allDay && a.startDay === b.startDay && a.endDay === b.endDay;
  return a.startMs === b.startMs && a.endMs === b.endMs;
}

/** For results: UTC instants, or days with the last day inclusive. */
export function describeWhen(w: When): { start: string; end: string; allDay: boolean } {
  return w.allDay ? { start: w.startDay, end: w.endDay, allDay: true } : { start: new Date(w.startMs).toISOString(), end: new Date(w.endMs).toISOString(), allDay: false };
}

export interface NewEvent {
  uid: string;
  title: string;
  when: When;
  location?: string;
  description?: string;
  organizer?: Person;
  attendees?: Person[];
  now: number;
}

/** A complete VCALENDAR with one VEVENT, SEQUENCE 0, CRLF line ends. */
export function buildEvent(e: NewEvent): string {
  const vcal = new ICAL.Component('vcalendar');
  vcal.addPropertyWithValue('prodid', PRODID);
  vcal.addPropertyWithValue('version', '2.0');
  vcal.addPropertyWithValue('calscale', 'GREGORIAN');
  const ev = new ICAL.Component('vevent');
  ev.addPropertyWithValue('uid', e.uid);
  ev.addPropertyWithValue('created', utc(e.now));
  stamp(ev, e.now);
  ev.addPropertyWithValue('sequence', 0);
  ev.addPropertyWithValue('status', 'CONFIRMED');
  ev.addPropertyWithValue('summary', e.title);
  if (e.location) ev.addPropertyWithValue('location', e.location);
  if (e.description) ev.addPropertyWithValue('description', e.description);
  if (e.organizer) person(ev, 'organizer', e.organizer);
  for (const a of e.attendees ?? []) {
    const p = person(ev, 'attendee', a);
    p.setParameter('role', 'REQ-PARTICIPANT');
    p.setParameter('partstat', 'NEEDS-ACTION');
  }
  vcal.addSubcomponent(ev);
  setWhen(vcal, ev, e.when);
  return serialise(vcal);
}

export interface ParsedEvent {
  vcal: ICAL.Component;
  vevent: ICAL.Component;
  uid: string;
  sequence: number;
  status: EventStatus;
  recurring: boolean;
  when: When;
}

/** Reads the event (the series' master when there are overrides); throws BadEvent with what is wrong. */
export function parseEvent(text: string): ParsedEvent {
  let vcal: ICAL.Component;
  try {
    vcal = ICAL.Component.fromString(text);
  } catch (err) {
    throw new BadEvent(`it is not valid iCalendar (${(err as Error).message})`);
  }
  if (vcal.name !== 'vcalendar') throw new BadEvent(`it holds a ${vcal.name.toUpperCase()}, not a VCALENDAR`);
  const events = vcal.getAllSubcomponents('vevent');
  const vevent = events.find((v) => !v.hasProperty('recurrence-id')) ?? events[0];
  if (!vevent) throw new BadEvent('it holds no VEVENT');
  const uid = vevent.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || !uid) throw new BadEvent('its VEVENT has no UID');
  const seq = Number(vevent.getFirstPropertyValue('sequence') ?? 0);
  const status = String(vevent.getFirstPropertyValue('status') ?? 'CONFIRMED').toLowerCase();
  return {
    vcal,
    vevent,
    uid,
    sequence: Number.isInteger(seq) && seq >= 0 ? seq : 0,
    status: status === 'cancelled' || status === 'tentative' ? status : 'confirmed',
    recurring: vevent.hasProperty('rrule') || vevent.hasProperty('rdate'),
    when: readWhen(vcal, vevent),
  };
}

/** The event at new times: SEQUENCE bumped, the zone kept when Keel can write it (else UTC). */
export function withWhen(p: ParsedEvent, when: When, now: number): string {
  let w = when;
  if (!w.allDay && w.zone === null && !p.when.allDay && p.when.zone && isKnownZone(p.when.zone)) w = { ...w, zone: p.when.zone };
  setWhen(p.vcal, p.vevent, w);
  revise(p, now);
  return serialise(p.vcal);
}

/** The event cancelled (STATUS:CANCELLED, SEQUENCE bumped): kept, so clients and attendees see it was called off. */
export function withStatus(p: ParsedEvent, status: EventStatus, now: number): string {
  p.vevent.updatePropertyWithValue('status', status.toUpperCase());
  revise(p, now);
  return serialise(p.vcal);
}

/* ---- helpers ---- */

const utc = (ms: number) => ICAL.Time.fromJSDate(new Date(Math.floor(ms / 1000) * 1000), true);

/** DTSTAMP and LAST-MODIFIED: with no METHOD, DTSTAMP is the time of this revision (RFC 5545 §3.8.7.2). */
function stamp(ev: ICAL.Component, now: number): void {
  ev.updatePropertyWithValue('dtstamp', utc(now));
  ev.updatePropertyWithValue('last-modified', utc(now));
}

function revise(p: ParsedEvent, now: number): void {
  p.vevent.updatePropertyWithValue('sequence', p.sequence + 1);
  stamp(p.vevent, now);
}

function person(ev: ICAL.Component, name: 'organizer' | 'attendee', who: Person): ICAL.Property {
  const { email, name: cn } = typeof who === 'string' ? { email: who, name: undefined } : who;
  const prop = ev.addPropertyWithValue(name, `mailto:${email}`);
  if (cn) prop.setParameter('cn', cn);
  return prop;
}

function serialise(vcal: ICAL.Component): string {
  return `${vcal.toString()}\r\n`;
}

const dayTime = (day: string) => ICAL.Time.fromDateString(day);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const prevDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** Writes DTSTART/DTEND (dropping DURATION) and the VTIMEZONE their TZID needs. */
function setWhen(vcal: ICAL.Component, ev: ICAL.Component, w: When): void {
  for (const name of ['dtstart', 'dtend', 'duration']) ev.removeAllProperties(name);
  if (w.allDay) {
    ev.addPropertyWithValue('dtstart', dayTime(w.startDay));
    ev.addPropertyWithValue('dtend', dayTime(nextDay(w.endDay))); // DTEND of a day is exclusive
    return;
  }
  if (!w.zone) {
    ev.addPropertyWithValue('dtstart', utc(w.startMs));
    ev.addPropertyWithValue('dtend', utc(w.endMs));
    return;
  }
  for (const [name, ms] of [['dtstart', w.startMs], ['dtend', w.endMs]] as const) {
    const prop = ev.addPropertyWithValue(name, ICAL.Time.fromData({ ...toLocal(w.zone, Math.floor(ms / 1000) * 1000), isDate: false }));
    prop.setParameter('tzid', w.zone);
  }
  for (const old of [...vcal.getAllSubcomponents('vtimezone')]) if (old.getFirstPropertyValue('tzid') === w.zone) vcal.removeSubcomponent(old);
  // VTIMEZONEs come before the components that use them.
  const vtz = vtimezone(w.zone, w.startMs, w.endMs);
  const rest = [...vcal.getAllSubcomponents()];
  for (const c of rest) vcal.removeSubcomponent(c);
  for (const c of [vtz, ...rest]) vcal.addSubcomponent(c);
}

function readWhen(vcal: ICAL.Component, ev: ICAL.Component): When {
  const startProp = ev.getFirstProperty('dtstart');
  if (!startProp) throw new BadEvent('its VEVENT has no DTSTART');
  const start = startProp.getFirstValue() as ICAL.Time;
  const endProp = ev.getFirstProperty('dtend');
  const duration = ev.getFirstPropertyValue('duration') as ICAL.Duration | null;
  if (start.isDate) {
    const startDay = start.toString();
    const endExclusive = endProp ? (endProp.getFirstValue() as ICAL.Time).toString().slice(0, 10) : duration ? addDuration(start, duration).toString().slice(0, 10) : nextDay(startDay);
    return { allDay: true, startDay, endDay: endExclusive > startDay ? prevDay(endExclusive) : startDay };
  }
  const zone = startProp.getParameter('tzid') as string | undefined;
  const startMs = instant(vcal, startProp);
  const endMs = endProp ? instant(vcal, endProp) : duration ? startMs + duration.toSeconds() * 1000 : startMs;
  return { allDay: false, startMs, endMs, zone: zone ?? null };
}

function addDuration(t: ICAL.Time, d: ICAL.Duration): ICAL.Time {
  const c = t.clone();
  c.addDuration(d);
  return c;
}

const localOf = (t: ICAL.Time): LocalTime => ({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second });

/**
 * The UTC instant of a DTSTART/DTEND: UTC as written; a TZID the runtime knows through its tz
 * database; another TZID (Outlook's "W. Europe Standard Time") through the file's own
 * VTIMEZONE; floating time in this machine's zone.
 */
function instant(vcal: ICAL.Component, prop: ICAL.Property): number {
  const t = prop.getFirstValue() as ICAL.Time;
  const local = localOf(t);
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const tzid = prop.getParameter('tzid') as string | undefined;
  if (!tzid) {
    if (t.zone?.tzid === 'UTC') return wall;
    return zonedToUtc(Intl.DateTimeFormat().resolvedOptions().timeZone, local);
  }
  if (isKnownZone(tzid)) return zonedToUtc(tzid, local);
  const def = vcal.getAllSubcomponents('vtimezone').find((c) => c.getFirstPropertyValue('tzid') === tzid);
  if (!def) throw new BadEvent(`its time zone "${tzid}" is neither known nor defined in the event`);
  const floating = ICAL.Time.fromData({ ...local, isDate: false });
  return wall - new ICAL.Timezone(def).utcOffset(floating) * 1000;
}

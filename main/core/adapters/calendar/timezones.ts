import ICAL from 'ical.js';

/**
 * IANA time zones through the runtime's own tz database (Intl), for events written with a
 * TZID: local wall-clock time ↔ UTC, and the VTIMEZONE an iCalendar file must carry for
 * every TZID it uses (RFC 5545 §3.6.5). ical.js parses and writes, but ships no tz data.
 */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  return f;
}

export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock time and UTC offset (minutes east) in `zone` at an instant. */
export function inZone(zone: string, ms: number): { local: LocalTime; offsetMin: number } {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const m = /GMT(?:([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?)?/.exec(parts.timeZoneName ?? '');
  const offsetMin = m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const local = { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
  return { local, offsetMin };
}

const utcOf = (t: LocalTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/**
 * The instant a wall-clock time in `zone` names. A time skipped by a DST change (02:30 on the
 * spring-forward night) is read with the offset before the change, as calendar apps do.
 */
export function zonedToUtc(zone: string, t: LocalTime): number {
  const wall = utcOf(t);
  let guess = wall - inZone(zone, wall).offsetMin * 60_000;
  guess = wall - inZone(zone, guess).offsetMin * 60_000;
  return guess;
}

export function toLocal(zone: string, ms: number): LocalTime {
  return inZone(zone, ms).local;
}

const DAY = 86_400_000;

/** Offset changes in [from, to): scanned a day at a time, then narrowed to the minute. */
function transitions(zone: string, from: number, to: number): { at: number; fromMin: number; toMin: number }[] {
  const found: { at: number; fromMin: number; toMin: number }[] = [];
  let prev = inZone(zone, from).offsetMin;
  for (let t = from + DAY; t < to + DAY; t += DAY) {
    const cur = inZone(zone, t).offsetMin;
    if (cur === prev) continue;
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (inZone(zone, mid).offsetMin === prev) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, fromMin: prev, toMin: cur });
    prev = cur;
  }
  return found;
}

const asOffset = (min: number) => ICAL.UtcOffset.fromSeconds(min * 60);
const icalLocal = (t: LocalTime) => ICAL.Time.fromData({ ...t, isDate: false });

/**
 * A VTIMEZONE for `zone` valid from the start of the year of `fromMs` to the end of the year of
 * `toMs`: one observance for the offset in force at the start, and one per change after it,
 * each with its exact onset (no RRULE, so it is right for that span whatever the zone's rules).
 */
export function vtimezone(zone: string, fromMs: number, toMs: number): ICAL.Component {
  const start = Date.UTC(new Date(fromMs).getUTCFullYear(), 0, 1);
  const end = Date.UTC(new Date(toMs).getUTCFullYear() + 1, 0, 1);
  const first = inZone(zone, start).offsetMin;
  const changes = transitions(zone, start, end);
  const standard = Math.min(first, ...changes.map((c) => c.toMin));
  const vtz = new ICAL.Component('vtimezone');
  vtz.addPropertyWithValue('tzid', zone);
  const observance = (onsetLocal: LocalTime, fromMin: number, toMin: number) => {
    const c = new ICAL.Component(toMin > standard ? 'daylight' : 'standard');
    c.addPropertyWithValue('dtstart', icalLocal(onsetLocal));
    c.addPropertyWithValue('tzoffsetfrom', asOffset(fromMin));
    c.addPropertyWithValue('tzoffsetto', asOffset(toMin));
    vtz.addSubcomponent(c);
  };
  observance(inZone(zone, start).local, first, first);
  for (const c of changes) {
    // The onset is the wall-clock time just before the change, in the offset it changes from.
    const wall = new Date(c.at + c.fromMin * 60_000);
    observance({ year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: 0 }, c.fromMin, c.toMin);
  }
  return vtz;
}

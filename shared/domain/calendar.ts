import { z } from 'zod';

/** Calendar (DESIGN.md §6) as the API and the core see it, declared once: settings, action arguments, results. */

const OneLine = (max: number) => z.string().max(max).regex(/^[^\r\n]*$/, 'one line, no line breaks');
const IsoDateTime = z.iso.datetime({ offset: true });
const IsoDate = z.iso.date();

/** A moment in an event: an instant with its offset ("2025-03-04T10:00:00+01:00"), or a day ("2025-03-04") for all-day events. */
export const Moment = z.union([IsoDateTime, IsoDate]);
export const isDay = (m: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(m);

/** An IANA time zone the runtime knows ("Europe/Berlin"). */
export const TimeZoneName = z
  .string()
  .min(1)
  .max(100)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as "Europe/Berlin"');

/** The host of a URL is this machine: the only place a password may travel without TLS. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** http(s) without credentials in it; plain http only to this machine, so the password never crosses a network in clear. */
const ServerUrl = z
  .string()
  .trim()
  .max(2000)
  .superRefine((raw, ctx) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a URL such as https://dav.example.com/' });
      return;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'an http(s) URL' });
    else if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'no user name or password in the URL: enter them in their own fields' });
    else if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) ctx.addIssue({ code: 'custom', message: 'https:// is required for a server on another machine (plain http would send the password in clear)' });
  });

/** A folder inside the workspace: relative, no "..", not Keel's reserved ".keel". */
const WorkspaceFolder = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((f) => !/^([A-Za-z]:)?[\\/]/.test(f) && !f.split(/[\\/]/).some((p) => p === '..' || p === '.keel') && !f.includes('\u0000'), 'a folder inside the workspace (relative, no "..", not ".keel")');

const SecretId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/);

/**
 * A CalDAV account. The password is not here: it lives in the secret store under
 * `passwordSecretId`, so these settings can be shown, stored and logged.
 */
export const CalDavSettings = z.strictObject({
  backend: z.literal('caldav'),
  /** Where discovery starts: the server's root or the account's URL (https://dav.example.com/, https://cloud.example.com/remote.php/dav/). */
  serverUrl: ServerUrl,
  username: z.string().min(1).max(320),
  /** The calendar events go to, one of the account's (calendar.test lists them); absent: the first one that holds events. */
  calendarUrl: ServerUrl.optional(),
  passwordSecretId: SecretId,
});
export type CalDavSettings = z.infer<typeof CalDavSettings>;

/** For operators without a calendar server: one .ics file per event, in a folder of the workspace (import or subscribe to them). */
export const IcsSettings = z.strictObject({
  backend: z.literal('ics'),
  folder: WorkspaceFolder.default('calendar'),
});
export type IcsSettings = z.infer<typeof IcsSettings>;

export const CalendarSettings = z.discriminatedUnion('backend', [CalDavSettings, IcsSettings]);
export type CalendarSettings = z.infer<typeof CalendarSettings>;

/** What the operator enters: the settings and, when it changes, the CalDAV password. */
export const CalendarSettingsInput = z.discriminatedUnion('backend', [
  CalDavSettings.omit({ passwordSecretId: true }).extend({ password: z.string().min(1).max(1000).optional() }),
  IcsSettings,
]);
export type CalendarSettingsInput = z.input<typeof CalendarSettingsInput>;

/** The settings as shown: the password only masked ("••••ab12"), never itself. */
export const CalendarSettingsView = z.discriminatedUnion('backend', [
  CalDavSettings.omit({ passwordSecretId: true }).extend({ hasPassword: z.boolean(), passwordMasked: z.string().nullable() }),
  IcsSettings.extend({ folder: z.string() }),
]);
export type CalendarSettingsView = z.infer<typeof CalendarSettingsView>;

export const CalendarErrorCode = z.enum([
  'not_configured',
  'no_password',
  'auth_failed',
  'forbidden',
  'cannot_connect',
  'tls',
  'not_found',
  'no_calendar',
  'conflict',
  'rejected',
  'temporary',
  'bad_response',
  'io',
  'other',
]);
export type CalendarErrorCode = z.infer<typeof CalendarErrorCode>;

export const CalendarInfo = z.object({ url: z.string(), name: z.string() });
export type CalendarInfo = z.infer<typeof CalendarInfo>;

/** A connection check: the account's calendars and the one events go to, or what failed. */
export const CalendarCheck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), calendars: z.array(CalendarInfo), chosen: z.string().nullable() }),
  z.object({ ok: z.literal(false), code: CalendarErrorCode, message: z.string() }),
]);
export type CalendarCheck = z.infer<typeof CalendarCheck>;

/* ---- the adapter's actions ---- */

const Person = z.union([z.email().max(320), z.strictObject({ email: z.email().max(320), name: OneLine(200).optional() })]);
export type Person = z.infer<typeof Person>;
const Uid = z.string().min(1).max(500).regex(/^[^\r\n]*$/, 'one line');

interface Times {
  start?: string;
  end?: string;
  allDay?: string;
  timezone?: string;
}

/**
 * `start`/`end` are both instants with an offset, or both days (an all-day event, `end` the
 * last day, inclusive, default the start day); `allDay` is the one-day shorthand. The end
 * must come after the start, and a time zone only applies to timed events.
 */
function checkTimes(t: Times, ctx: z.RefinementCtx): void {
  if (t.allDay !== undefined) {
    if (t.start !== undefined || t.end !== undefined) ctx.addIssue({ code: 'custom', path: ['allDay'], message: 'give either allDay or start/end, not both' });
    if (t.timezone !== undefined) ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'an all-day event has no time zone' });
    return;
  }
  if (t.start === undefined) return void ctx.addIssue({ code: 'custom', path: ['start'], message: 'give start (and end), or allDay' });
  const day = isDay(t.start);
  if (t.end === undefined) {
    if (!day) ctx.addIssue({ code: 'custom', path: ['end'], message: 'a timed event needs an end' });
    return;
  }
  if (isDay(t.end) !== day) return void ctx.addIssue({ code: 'custom', path: ['end'], message: 'start and end must both be days (all-day) or both be times with an offset' });
  if (day && t.timezone !== undefined) ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'an all-day event has no time zone' });
  const [s, e] = day ? [t.start, t.end] : [Date.parse(t.start), Date.parse(t.end)];
  if (day ? e < s : e <= s) ctx.addIssue({ code: 'custom', path: ['end'], message: `the end (${t.end}) is ${day ? 'before' : 'not after'} the start (${t.start})` });
}

export const CreateEventArgs = z
  .strictObject({
    title: OneLine(500).min(1),
    start: Moment.optional(),
    end: Moment.optional(),
    allDay: IsoDate.optional(),
    /** Writes the times in this zone (TZID), so the event shows and moves with it; default UTC. */
    timezone: TimeZoneName.optional(),
    location: OneLine(1000).optional(),
    description: z.string().max(20_000).optional(),
    organizer: Person.optional(),
    attendees: z.array(Person).max(100).optional(),
  })
  .superRefine(checkTimes);
export type CreateEventArgs = z.infer<typeof CreateEventArgs>;

export const MoveEventArgs = z
  .strictObject({ uid: Uid, start: Moment, end: Moment.optional(), timezone: TimeZoneName.optional() })
  .superRefine(checkTimes);
export type MoveEventArgs = z.infer<typeof MoveEventArgs>;

export const CancelEventArgs = z.strictObject({ uid: Uid });
export type CancelEventArgs = z.infer<typeof CancelEventArgs>;

/**
 * An event as an action leaves it. `start`/`end`: UTC instants, or days for all-day events
 * (`end` the last day). `status` `gone`: the event was deleted on the server by someone else.
 */
export const CalendarEventResult = z.object({
  uid: z.string(),
  backend: z.enum(['caldav', 'ics']),
  /** The event's URL on the CalDAV server. */
  url: z.string().optional(),
  /** The event's file, relative to the workspace. */
  file: z.string().optional(),
  status: z.enum(['confirmed', 'tentative', 'cancelled', 'gone']),
  sequence: z.number().int(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  allDay: z.boolean(),
  /** false when the event already was as asked (a replay, or a second identical move). */
  changed: z.boolean(),
});
export type CalendarEventResult = z.infer<typeof CalendarEventResult>;

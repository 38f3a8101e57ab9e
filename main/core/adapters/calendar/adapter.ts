import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import {
  CalendarSettings,
  CancelEventArgs,
  CreateEventArgs,
  MoveEventArgs,
  type CalendarEventResult,
} from '../../../../shared/domain/calendar';
import { defineAction, type ActionContext, type Adapter } from '../../kernel/adapters/adapter';
import type { Compensation } from '../../kernel/workflow';
import type { SecretStore } from '../../secrets/store';
import type { CalendarBackend } from './backend';
import { caldavBackend, CalDavHttp, chooseCalendar } from './caldav';
import { calendarError, isCalendarError } from './errors';
import { BadEvent, buildEvent, describeWhen, parseEvent, sameWhen, whenFromArgs, withStatus, withWhen, type ParsedEvent, type When } from './ical';
import { icsBackend } from './ics-files';
import { findEventRecord, finishedEffect, recordEffect, saveEventRecord, type EventRecord } from './records';

export interface CalendarDeps {
  db: PGlite;
  secrets: SecretStore;
  /** The workspace folder (the data folder's `workspace/`): .ics files are written inside it. */
  workspace: string;
  /** Read at every action, so a change in the settings applies to the next one. */
  settings: () => Promise<CalendarSettings | null>;
}

/** Reads and conditional writes tried before a conflict is reported: each retry re-reads what someone else wrote. */
const CONFLICT_ROUNDS = 3;

/** The same key gives the same UID, so a replayed create aims at the event it may already have made. */
export function eventUidFor(idempotencyKey: string): string {
  return `keel-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@keel`;
}

/**
 * The compensation for `calendar.create_event`: cancel the event it created when the saga is
 * rolled back. Use as `ctx.effect('calendar', 'create_event', args, { compensate: cancelCreatedEvent() })`.
 */
export function cancelCreatedEvent(): (result: CalendarEventResult) => Compensation {
  return (result) => ({ action: 'cancel_event', args: { uid: result.uid } });
}

/**
 * Events on the operator's calendar (DESIGN.md §6): a CalDAV server, or .ics files in the
 * workspace. Every action is idempotent by its key; see this folder's CONTEXT.md.
 */
export function calendarAdapter(deps: CalendarDeps): Adapter {
  // The first calendar of an account, looked up once per account rather than before every action,
  // and again after a refusal (the calendar may have been deleted, or the account changed).
  const chosen = new Map<string, string>();
  const open = (signal: AbortSignal) => openBackend(deps, chosen, signal);
  const once = (ctx: ActionContext, action: string, act: () => Promise<CalendarEventResult>) =>
    onceByKey(deps, ctx, action, act).catch((err: unknown) => {
      if (isCalendarError(err) && ['not_found', 'forbidden', 'auth_failed'].includes(err.details.code)) chosen.clear();
      throw err;
    });
  return {
    name: 'calendar',
    version: '1.0.0',
    actions: {
      create_event: defineAction({
        risk: 'medium',
        summary: 'Create an event on your calendar (it may invite the attendees).',
        args: CreateEventArgs,
        run: (args, ctx) => once(ctx, 'create_event', () => createEvent(deps, open, args, ctx)),
      }),
      move_event: defineAction({
        risk: 'medium',
        summary: 'Move an event on your calendar to new times.',
        args: MoveEventArgs,
        run: (args, ctx) => once(ctx, 'move_event', () => changeEvent(deps, open, args.uid, ctx, moveTo(whenFromArgs(args)))),
      }),
      cancel_event: defineAction({
        risk: 'high',
        summary: 'Cancel an event on your calendar (attendees see it called off).',
        args: CancelEventArgs,
        run: (args, ctx) => once(ctx, 'cancel_event', () => changeEvent(deps, open, args.uid, ctx, cancel)),
      }),
    },
  };
}

/** An action runs once per key: a replay returns what it did the first time. */
async function onceByKey(deps: CalendarDeps, ctx: ActionContext, action: string, act: () => Promise<CalendarEventResult>): Promise<CalendarEventResult> {
  const done = await finishedEffect(deps.db, ctx.idempotencyKey);
  if (done) return done;
  const result = await act();
  await recordEffect(deps.db, ctx.idempotencyKey, action, result);
  faultPoint('calendar.after_record'); // recorded here, not yet by the kernel
  return result;
}

type Open = (signal: AbortSignal) => Promise<CalendarBackend>;

async function createEvent(deps: CalendarDeps, open: Open, args: CreateEventArgs, ctx: ActionContext): Promise<CalendarEventResult> {
  const uid = eventUidFor(ctx.idempotencyKey);
  const backend = await open(ctx.signal);
  const known = await findEventRecord(deps.db, uid);
  const ref = known && backend.reaches(known.ref) ? known.ref : backend.refFor(uid);
  const text = buildEvent({ uid, title: args.title, when: whenFromArgs(args), location: args.location, description: args.description, organizer: args.organizer, attendees: args.attendees, now: Date.now() });
  const outcome = await backend.create(ref, text);
  if (outcome.kind === 'created') {
    faultPoint('calendar.after_put'); // stored on the server, recorded nowhere yet
    const result = resultOf(backend, ref, parseEvent(text), true);
    await saveEventRecord(deps.db, { uid, backend: backend.kind, ref, etag: outcome.etag, result, summary: args.title, createdKey: ctx.idempotencyKey });
    return result;
  }
  // Already there: this create ran before (the process died after the server stored it). Only ours counts.
  const where = outcome.kind === 'exists' ? ref : await backend.find(uid);
  const stored = where ? await backend.read(where) : null;
  if (!stored) throw calendarError('conflict', `The calendar refused to create event ${uid}: it reports the event exists, but Keel cannot find it.`, { transient: true, uid });
  const parsed = parseStored(stored.text, stored.ref);
  if (parsed.uid !== uid) throw calendarError('conflict', `${describeRef(backend, stored.ref)} already holds another event (UID ${parsed.uid}); Keel leaves it alone.`, { uid });
  const result = resultOf(backend, stored.ref, parsed, false);
  await saveEventRecord(deps.db, { uid, backend: backend.kind, ref: stored.ref, etag: stored.etag, result, summary: args.title, createdKey: ctx.idempotencyKey });
  return result;
}

/** What a change does to the event as read: the new text, or null when it already is that way. */
interface Change {
  (p: ParsedEvent, now: number): string | null;
  /** A deleted event is as cancelled as it gets, but cannot be moved. */
  doneIfGone: boolean;
}

function moveTo(when: When): Change {
  return Object.assign((p: ParsedEvent, now: number) => {
    if (p.status === 'cancelled') throw calendarError('conflict', `Event ${p.uid} is cancelled; Keel does not move a cancelled event back onto the calendar.`, { uid: p.uid });
    if (p.recurring) throw calendarError('rejected', `Event ${p.uid} repeats; Keel moves single events only. Move the series in your calendar app.`, { uid: p.uid });
    return sameWhen(p.when, when) && (when.allDay || when.zone === null || when.zone === (p.when.allDay ? null : p.when.zone)) ? null : withWhen(p, when, now);
  }, { doneIfGone: false });
}

const cancel: Change = Object.assign((p: ParsedEvent, now: number) => (p.status === 'cancelled' ? null : withStatus(p, 'cancelled', now)), { doneIfGone: true });

/**
 * Read, change, write only if unchanged since the read (If-Match / the file's hash). When
 * someone else wrote the event in between, the change is applied again to their version, so
 * their other edits are kept; after CONFLICT_ROUNDS such races it is reported as a conflict.
 */
async function changeEvent(deps: CalendarDeps, open: Open, uid: string, ctx: ActionContext, change: Change): Promise<CalendarEventResult> {
  const backend = await open(ctx.signal);
  const known = await findEventRecord(deps.db, uid);
  const ref = await locate(backend, uid, known);
  for (let round = 0; round < CONFLICT_ROUNDS; round++) {
    const stored = await backend.read(ref);
    if (!stored) return gone(deps, backend, uid, ref, known, change.doneIfGone);
    const parsed = parseStored(stored.text, ref);
    if (parsed.uid !== uid) throw calendarError('conflict', `${describeRef(backend, ref)} now holds another event (UID ${parsed.uid}), not ${uid}.`, { uid });
    const text = change(parsed, Date.now());
    if (text === null) return record(deps, backend, ref, stored.etag, parsed, false);
    const written = await backend.replace(ref, text, stored.etag);
    if (!written.ok) continue;
    faultPoint('calendar.after_put');
    return record(deps, backend, ref, written.etag, parseEvent(text), true);
  }
  throw calendarError('conflict', `Event ${uid} kept changing while Keel was writing it (someone else is editing it); Keel will try again.`, { uid, transient: true });
}

/** Where the event is: where Keel recorded it, else wherever the calendar has this UID. */
async function locate(backend: CalendarBackend, uid: string, known: EventRecord | null): Promise<string> {
  if (known) {
    if (known.backend !== backend.kind || !backend.reaches(known.ref)) {
      const where = known.backend === 'caldav' ? `on the CalDAV server at ${known.ref}` : `in the file ${known.ref}`;
      throw calendarError('not_configured', `Event ${uid} was made ${where}, which the current calendar settings do not reach. Switch the settings back to change it.`, { uid });
    }
    return known.ref;
  }
  const found = await backend.find(uid);
  if (!found) throw calendarError('not_found', `There is no event with UID ${uid} on the calendar${backend.kind === 'ics' ? ' folder' : ''}. Check the UID (create_event returns it).`, { uid });
  return found;
}

/** Deleted by someone else: a cancel of Keel's own event is then done (nothing left to call off); anything else is not found. */
async function gone(deps: CalendarDeps, backend: CalendarBackend, uid: string, ref: string, known: EventRecord | null, done: boolean): Promise<CalendarEventResult> {
  if (!known || !done) throw calendarError('not_found', `The event with UID ${uid} has been deleted from the calendar: ${describeRef(backend, ref)} no longer exists.`, { uid });
  const { rows } = await deps.db.query<{ sequence: number; starts: string | null; ends: string | null; all_day: boolean }>('SELECT sequence, starts, ends, all_day FROM calendar_events WHERE uid = $1', [uid]);
  const r = rows[0]!;
  const result: CalendarEventResult = { uid, backend: backend.kind, ...backend.describe(ref), status: 'gone', sequence: r.sequence, start: r.starts, end: r.ends, allDay: r.all_day, changed: false };
  await saveEventRecord(deps.db, { uid, backend: backend.kind, ref, etag: null, result, summary: null });
  return result;
}

async function record(deps: CalendarDeps, backend: CalendarBackend, ref: string, etag: string | null, p: ParsedEvent, changed: boolean): Promise<CalendarEventResult> {
  const result = resultOf(backend, ref, p, changed);
  await saveEventRecord(deps.db, { uid: p.uid, backend: backend.kind, ref, etag, result, summary: String(p.vevent.getFirstPropertyValue('summary') ?? '') });
  return result;
}

function resultOf(backend: CalendarBackend, ref: string, p: ParsedEvent, changed: boolean): CalendarEventResult {
  return { uid: p.uid, backend: backend.kind, ...backend.describe(ref), status: p.status, sequence: p.sequence, ...describeWhen(p.when), changed };
}

function parseStored(text: string, ref: string): ParsedEvent {
  try {
    return parseEvent(text);
  } catch (err) {
    if (err instanceof BadEvent) throw calendarError('bad_response', `The event at ${ref} cannot be read: ${err.message}.`);
    throw err;
  }
}

const describeRef = (b: CalendarBackend, ref: string) => (b.kind === 'caldav' ? `The calendar resource ${ref}` : `The file ${ref}`);

/** The backend the settings name, with its password, for one action. */
async function openBackend(deps: CalendarDeps, chosen: Map<string, string>, signal: AbortSignal): Promise<CalendarBackend> {
  const raw = await deps.settings();
  if (!raw) throw calendarError('not_configured', 'The calendar is not set up: choose a CalDAV server or .ics files in the calendar settings.');
  const parsed = CalendarSettings.safeParse(raw);
  if (!parsed.success) throw calendarError('not_configured', `The calendar settings are invalid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`);
  const s = parsed.data;
  if (s.backend === 'ics') return icsBackend(deps.workspace, s);
  const password = await loadPassword(deps.secrets, s.passwordSecretId, s.username);
  const http = new CalDavHttp(s, password, signal);
  return caldavBackend(http, await chooseCalendar(http, chosen));
}

export async function loadPassword(secrets: Pick<SecretStore, 'get'>, id: string, user: string): Promise<string> {
  let password: string | null;
  try {
    password = await secrets.get(id);
  } catch (err) {
    throw calendarError('no_password', `The CalDAV password cannot be read: ${(err as Error).message}`);
  }
  if (!password) throw calendarError('no_password', `No CalDAV password is stored for ${user}. Enter it in the calendar settings.`);
  return password;
}

/** Crash-test hook: kills this process at a named point, only when KEEL_FAULT names it. */
function faultPoint(name: string): void {
  if (process.env.KEEL_FAULT === name) process.kill(process.pid, 'SIGKILL');
}

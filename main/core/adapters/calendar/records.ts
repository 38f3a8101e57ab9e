import type { Transaction } from '@electric-sql/pglite';
import type { CalendarEventResult } from '../../../../shared/domain/calendar';

/** The database or a transaction on it. */
export type Db = Pick<Transaction, 'query'>;

/** What Keel knows of an event it created or changed (calendar_events). */
export interface EventRecord {
  uid: string;
  backend: 'caldav' | 'ics';
  /** The event's URL (CalDAV) or its file relative to the workspace (.ics). */
  ref: string;
  etag: string | null;
}

export async function findEventRecord(db: Db, uid: string): Promise<EventRecord | null> {
  const { rows } = await db.query<EventRecord>('SELECT uid, backend, ref, etag FROM calendar_events WHERE uid = $1', [uid]);
  return rows[0] ?? null;
}

/** Kept after every write Keel made (or found already made, on a replay). */
export async function saveEventRecord(db: Db, r: EventRecord & { result: CalendarEventResult; summary: string | null; createdKey?: string }): Promise<void> {
  const { result: e } = r;
  await db.query(
    `INSERT INTO calendar_events (uid, backend, ref, etag, sequence, status, summary, starts, ends, all_day, created_key, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ''), $8, $9, $10, $11, now())
     ON CONFLICT (uid) DO UPDATE SET backend = EXCLUDED.backend, ref = EXCLUDED.ref, etag = EXCLUDED.etag, sequence = EXCLUDED.sequence,
       status = EXCLUDED.status, summary = COALESCE($7, calendar_events.summary), starts = EXCLUDED.starts, ends = EXCLUDED.ends,
       all_day = EXCLUDED.all_day, created_key = COALESCE(calendar_events.created_key, EXCLUDED.created_key), updated_at = now()`,
    [r.uid, r.backend, r.ref, r.etag, e.sequence, e.status, r.summary, e.start, e.end, e.allDay, r.createdKey ?? null],
  );
}

/** The result of the action already done under this key, if it was. */
export async function finishedEffect(db: Db, key: string): Promise<CalendarEventResult | null> {
  const { rows } = await db.query<{ result: CalendarEventResult }>('SELECT result FROM calendar_effects WHERE idempotency_key = $1', [key]);
  return rows[0]?.result ?? null;
}

export async function recordEffect(db: Db, key: string, action: string, result: CalendarEventResult): Promise<void> {
  await db.query(
    `INSERT INTO calendar_effects (idempotency_key, action, uid, result, done_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (idempotency_key) DO NOTHING`,
    [key, action, result.uid, JSON.stringify(result)],
  );
}

import { createHash } from 'node:crypto';

/** An event as stored: its iCalendar text and the version tag a conditional write must match. */
export interface StoredEvent {
  ref: string;
  text: string;
  etag: string | null;
}

export type CreateOutcome =
  /** Stored now. */
  | { kind: 'created'; etag: string | null }
  /** Something is already at that place (If-None-Match failed): read it to see whether it is this event. */
  | { kind: 'exists' }
  /** The server keeps this UID under another name (CalDAV no-uid-conflict): find it by UID. */
  | { kind: 'uid_taken' };

/**
 * Where events live: a calendar on a CalDAV server, or a folder of .ics files. Every write is
 * conditional, so Keel never overwrites what it has not read: create only where nothing is,
 * replace only the version it read.
 */
export interface CalendarBackend {
  readonly kind: 'caldav' | 'ics';
  /** Where a new event with this UID is created: derived from the UID, so a replay aims at the same place. */
  refFor(uid: string): string;
  /** Whether a place recorded earlier can be reached through this backend (the same server, the same workspace). */
  reaches(ref: string): boolean;
  create(ref: string, text: string): Promise<CreateOutcome>;
  /** null: nothing there (deleted). */
  read(ref: string): Promise<StoredEvent | null>;
  /** false: the event changed since it was read (someone else wrote it); read it again. */
  replace(ref: string, text: string, etag: string | null): Promise<{ ok: true; etag: string | null } | { ok: false }>;
  /** The place of an event with this UID that Keel did not record (made by another app), or null. */
  find(uid: string): Promise<string | null>;
  /** How the place shows in results: a URL or a workspace file. */
  describe(ref: string): { url: string } | { file: string };
}

/** The resource or file name for a UID: Keel's own UIDs give `keel-<hash>.ics`, others a hash of the UID. */
export function resourceName(uid: string): string {
  const own = /^(keel-[0-9a-f]{32})@keel$/.exec(uid);
  return `${own ? own[1] : `uid-${createHash('sha256').update(uid).digest('hex').slice(0, 40)}`}.ics`;
}

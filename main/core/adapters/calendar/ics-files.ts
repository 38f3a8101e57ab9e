import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { IcsSettings } from '../../../../shared/domain/calendar';
import { resourceName, type CalendarBackend, type StoredEvent } from './backend';
import { calendarError } from './errors';

/** Files looked through for a UID Keel did not record: a folder an operator keeps by hand stays small. */
const MAX_SCAN = 5_000;

/**
 * The folder events are written to, inside the workspace (a relative path, no "..", no link
 * leading out, not Keel's reserved .keel), created when missing.
 */
export function icsFolder(workspace: string, s: IcsSettings): string {
  const root = resolve(workspace);
  const full = resolve(root, s.folder);
  const back = relative(root, full);
  if (back === '' || back.startsWith('..') || isAbsolute(back) || back.split(sep)[0] === '.keel') {
    throw calendarError('not_configured', `The calendar folder "${s.folder}" must be a folder inside the workspace ${root}.`);
  }
  try {
    mkdirSync(full, { recursive: true });
  } catch (err) {
    throw calendarError('io', `The calendar folder ${full} cannot be created: ${(err as Error).message}`);
  }
  const realRoot = realpathSync(root);
  const real = realpathSync(full);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw calendarError('not_configured', `The calendar folder "${s.folder}" leads outside the workspace through a link.`);
  return full;
}

const tag = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * One .ics file per event, for operators without a calendar server. Refs are paths relative
 * to the workspace. Files are written whole and atomically (a temporary file renamed over the
 * old one), a new one only where none is (a hard link, which fails when the name is taken),
 * and the "ETag" of a file is the hash of its bytes: a file changed by someone else between
 * Keel's read and write is read again, not overwritten.
 */
export function icsBackend(workspace: string, s: IcsSettings): CalendarBackend {
  const root = resolve(workspace);
  const folder = icsFolder(root, s);
  const full = (ref: string) => resolve(root, ref);
  const io = (what: string, ref: string, err: unknown) => calendarError('io', `${what} ${full(ref)} failed: ${(err as Error).message}`);

  const read = (ref: string): StoredEvent | null => {
    let data: Buffer;
    try {
      data = readFileSync(full(ref));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw io('Reading', ref, err);
    }
    return { ref, text: data.toString('utf8'), etag: tag(data) };
  };

  return {
    kind: 'ics',
    refFor: (uid) => relative(root, join(folder, resourceName(uid))).split(sep).join('/'),
    reaches: (ref) => {
      const back = relative(root, full(ref));
      return back !== '' && !back.startsWith('..') && !isAbsolute(back) && ref.endsWith('.ics');
    },
    describe: (ref) => ({ file: ref }),

    async create(ref, text) {
      const target = full(ref);
      const tmp = temporary(target);
      try {
        writeFileSync(tmp, text);
        linkSync(tmp, target);
        return { kind: 'created', etag: tag(text) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { kind: 'exists' };
        throw io('Writing', ref, err);
      } finally {
        rmSync(tmp, { force: true });
      }
    },

    async read(ref) {
      return read(ref);
    },

    async replace(ref, text, etag) {
      const target = full(ref);
      const tmp = temporary(target);
      try {
        writeFileSync(tmp, text);
        const now = read(ref);
        if (!now || now.etag !== etag) return { ok: false };
        renameSync(tmp, target);
        return { ok: true, etag: tag(text) };
      } catch (err) {
        throw io('Writing', ref, err);
      } finally {
        rmSync(tmp, { force: true });
      }
    },

    async find(uid) {
      const own = relative(root, join(folder, resourceName(uid))).split(sep).join('/');
      if (existsSync(full(own))) return own;
      // An event dropped into the folder by hand: the file whose VEVENT has this UID.
      const names = readdirSync(folder).filter((n) => n.toLowerCase().endsWith('.ics')).slice(0, MAX_SCAN);
      const line = new RegExp(`^UID:${uid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r?$`, 'm');
      for (const name of names) {
        const text = readFileSync(join(folder, name), 'utf8');
        if (line.test(text)) return relative(root, join(folder, name)).split(sep).join('/');
      }
      return null;
    },
  };
}

function temporary(target: string): string {
  mkdirSync(dirname(target), { recursive: true });
  return `${target}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
}

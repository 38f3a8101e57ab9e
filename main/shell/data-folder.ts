import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { DataFolderPlan } from '../../shared/api/bridge';
import { acquireDataFolderLock } from '../core/data-folder/lock';
import { dataFolderLayout } from '../core/data-folder/paths';

/**
 * Where the desktop app keeps its data, and moving it. The choice lives outside the data
 * folder (in electron-store, under Electron's userData) because it says where that folder is.
 * The core never moves itself: the shell closes it, copies, records the choice and relaunches.
 */

export class DataFolderChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderChangeError';
  }
}

const isInside = (child: string, parent: string) => {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** A folder Keel has opened before: it holds Keel's database. */
export function isKeelDataFolder(dir: string): boolean {
  return existsSync(join(dir, dataFolderLayout.database)) && statSync(join(dir, dataFolderLayout.database)).isDirectory();
}

/** Keel's files in `dir` as a stranger sees them: everything but a lock file left by a crash. */
const entriesOf = (dir: string) => readdirSync(dir).filter((name) => name !== dataFolderLayout.lock);

/**
 * What choosing `target` would do: an empty or missing folder receives a copy of the current
 * data ('move'); a folder with Keel's data is switched to as it is ('use'). Anything else is
 * refused with the reason, before anything is closed or copied.
 */
export function planDataFolderChange(current: string, target: string): DataFolderPlan {
  if (!isAbsolute(target)) throw new DataFolderChangeError(`Choose a folder by its full path (${target} is relative).`);
  const from = resolve(current);
  const to = resolve(target);
  if (to === from) throw new DataFolderChangeError(`${to} is already Keel's data folder.`);
  if (isInside(to, from)) throw new DataFolderChangeError(`The new folder cannot be inside the current data folder ${from}.`);
  if (isInside(from, to)) throw new DataFolderChangeError(`The new folder cannot contain the current data folder ${from}; choose a folder of its own.`);
  if (!existsSync(to)) {
    if (!existsSync(dirname(to))) throw new DataFolderChangeError(`${dirname(to)} does not exist (an unplugged drive?).`);
    return { kind: 'move', from, to };
  }
  if (!statSync(to).isDirectory()) throw new DataFolderChangeError(`${to} is a file, not a folder.`);
  if (isKeelDataFolder(to)) {
    // Another Keel running on it would make this one fail at restart: say so now.
    acquireDataFolderLock(to).release();
    return { kind: 'use', from, to };
  }
  if (entriesOf(to).length > 0) throw new DataFolderChangeError(`${to} already holds other files. Choose an empty folder, or a folder with Keel's data.`);
  return { kind: 'move', from, to };
}

/**
 * Copies the data folder (closed: no Keel may be running on it) to `to`. The copy is made
 * beside the target under a temporary name and renamed into place only when complete, so a
 * failure or a crash never leaves a half data folder that Keel would open. The original stays
 * as it was; the lock file is not copied.
 */
export async function copyDataFolder(from: string, to: string): Promise<void> {
  const partial = join(dirname(to), `.${basename(to)}.keel-partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  try {
    await cp(from, partial, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true, filter: (src) => src !== join(from, dataFolderLayout.lock) });
    if (existsSync(to)) await rmdir(to); // empty (checked by the plan): only its name is taken
    await rename(partial, to);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw new DataFolderChangeError(`Could not copy Keel's data to ${to}: ${(err as Error).message}. Nothing was changed; Keel keeps using ${from}.`);
  }
}

/**
 * The data folder to start on: KEEL_DATA (tests, power users), else the folder the operator
 * chose, else Electron's userData. A chosen folder that is gone is reported rather than
 * created again empty (an unplugged drive must not become a fresh, empty Keel).
 */
export function dataFolderAtStart(o: { env?: string; chosen: string | null; userData: string }): { dataDir: string; missing: string | null } {
  if (o.env) return { dataDir: o.env, missing: null };
  if (o.chosen && !existsSync(o.chosen)) return { dataDir: o.userData, missing: o.chosen };
  return { dataDir: o.chosen ?? o.userData, missing: null };
}

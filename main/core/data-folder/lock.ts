import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dataFolderLayout } from './paths';

export class DataFolderLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another Keel (process ${pid}) is already using the data folder ${dataDir}. ` +
        `Close that Keel first, or start this one with a different data folder (--data DIR).`,
    );
    this.name = 'DataFolderLockedError';
  }
}

/** Locks this process holds: a second open of the same folder in one process is refused too. */
const heldHere = new Set<string>();

export interface DataFolderLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): number | null {
  try {
    const pid = Number(JSON.parse(readFileSync(path, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // missing, half-written or garbage: treat as stale
  }
}

/**
 * One Keel per data folder: PGlite has no multi-process safety, so a second process
 * must never open the same files. The lock is a file created with O_EXCL holding our pid;
 * a lock whose process is gone (crash, kill -9, reboot) is taken over.
 */
export function acquireDataFolderLock(dataDir: string): DataFolderLock {
  const path = join(dataDir, dataFolderLayout.lock);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      heldHere.add(path);
      return { path, release: () => releaseIfOurs(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    const ours = holder === process.pid;
    if (holder !== null && (ours ? heldHere.has(path) : isAlive(holder))) {
      throw new DataFolderLockedError(dataDir, holder);
    }
    // Stale (dead holder, unreadable, or our pid reused after a reboot): remove and retry.
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`Could not take the lock ${path}: it keeps reappearing; is another Keel starting right now?`);
}

function releaseIfOurs(path: string): void {
  if (!heldHere.delete(path) || readHolder(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing to release
  }
}

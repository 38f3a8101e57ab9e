import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';

/** Headless default; the desktop shell passes Electron's userData folder instead. */
export function defaultDataDir(): string {
  return join(homedir(), '.keel');
}

/** Makes the data folder (private to the user) and returns its absolute path. */
export function prepareDataDir(dir: string): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  return abs;
}

export const dataFolderLayout = {
  lock: 'keel.lock',
  database: 'db',
  token: 'server-token',
  /** Where the files adapter may write: agents' output, never outside it. */
  workspace: 'workspace',
} as const;

import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataFolderLayout } from './paths';

/**
 * The per-install access token: created on first start, kept in the data folder readable by
 * the owner only (0600). Anyone who can read it can drive Keel, so permissions are repaired
 * if someone loosened them.
 */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, dataFolderLayout.token);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      return token;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps an existing file's mode
  return token;
}

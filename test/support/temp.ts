import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';

const perTest: string[] = [];
const perFile: string[] = [];

/**
 * A fresh folder under the OS temp dir. Removed after the current test, or, with
 * `{ lifetime: 'file' }` (for beforeAll fixtures), after the whole test file.
 */
export function tempDir(options: { lifetime?: 'test' | 'file' } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-test-'));
  (options.lifetime === 'file' ? perFile : perTest).push(dir);
  return dir;
}

const remove = (dirs: string[]) => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};
afterEach(() => remove(perTest));
afterAll(() => remove(perFile));

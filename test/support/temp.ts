import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
// Outside vitest (a benchmark reusing the tests' servers) there are no hooks: removed at exit.
if (process.env.VITEST) {
  // Imported only under vitest: importing it elsewhere throws.
  const { afterAll, afterEach } = await import('vitest');
  afterEach(() => remove(perTest));
  afterAll(() => remove(perFile));
} else {
  process.once('exit', () => remove([...perTest, ...perFile]));
}

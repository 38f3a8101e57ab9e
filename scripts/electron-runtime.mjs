// Where the Electron binary is, if it is installed. Electron 45 fetches its runtime lazily on
// first use; `fetch: true` lets it try (quietly), `fetch: false` only looks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronRuntime({ fetch }) {
  const require = createRequire(import.meta.url);
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const installed = () => {
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  };
  if (installed()) return { path: installed() };
  if (!fetch) return { path: null, reason: 'the Electron runtime is not installed' };
  const attempt = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  const bin = attempt.status === 0 ? installed() : null;
  return bin ? { path: bin } : { path: null, reason: 'the Electron runtime could not be fetched' };
}

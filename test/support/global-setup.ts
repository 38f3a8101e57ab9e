import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Builds the app once per test run: process and browser tests run the real built server
 * (`out/main/server.js`, the same file `npm run serve` starts) and its real renderer.
 */
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

#!/usr/bin/env node
// `npm run package [-- electron-builder options]`: installers for this platform (AppImage and
// deb on Linux, dmg on macOS, NSIS on Windows; see electron-builder.yml), built from the
// Electron runtime in node_modules/electron/dist, so nothing is downloaded while packaging.
// Without that runtime it says so in one sentence and exits 1, before spending a build on it.
// `--electron-dist <dir>` (or ELECTRON_OVERRIDE_DIST_PATH) points at another unpacked Electron.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The runtime's executable inside an unpacked Electron, per platform (as electron-builder expects it). */
const BINARY = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

/** Where the Electron runtime is expected. Never `require('electron')`: that starts a download. */
export function defaultElectronDist(env = process.env) {
  return env.ELECTRON_OVERRIDE_DIST_PATH || join(root, 'node_modules', 'electron', 'dist');
}

/** Null when `distDir` holds the runtime; otherwise the one sentence that says how to get it. */
export function missingRuntime(distDir, platform = process.platform) {
  if (existsSync(join(distDir, BINARY[platform] ?? 'electron'))) return null;
  return (
    `Packaging needs the Electron runtime, which is not in ${distDir}: ` +
    'run `npx install-electron` on a machine that can reach GitHub (or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45), then npm run package again.'
  );
}

/** `--electron-dist <dir>` is ours; everything else goes to electron-builder. */
export function parseArgs(argv) {
  const at = argv.indexOf('--electron-dist');
  if (at < 0) return { distDir: null, builderArgs: argv };
  return { distDir: argv[at + 1] ? resolve(argv[at + 1]) : null, builderArgs: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

function run(script, args) {
  return spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

function main() {
  const { distDir, builderArgs } = parseArgs(process.argv.slice(2));
  const electronDist = distDir ?? defaultElectronDist();
  const missing = missingRuntime(electronDist);
  if (missing) {
    console.error(missing);
    return 1;
  }
  if (run('node_modules/electron-vite/bin/electron-vite.js', ['build']) !== 0) {
    console.error('The build failed (see above); fix it and run npm run package again.');
    return 1;
  }
  return run('node_modules/electron-builder/cli.js', ['--config', 'electron-builder.yml', `-c.electronDist=${electronDist}`, '--publish', 'never', ...builderArgs]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();

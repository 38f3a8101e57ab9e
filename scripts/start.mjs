#!/usr/bin/env node
// `npm start`: build, then launch the desktop app. Where there is no display, or the Electron
// runtime is not installed and cannot be fetched, say so in one sentence and start the
// headless server instead (it prints the URL to open).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronRuntime } from './electron-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const passThrough = process.argv.slice(2);

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('The build failed (see above); fix it and run npm start again.');
  process.exit(build.status ?? 1);
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const runtime = hasDisplay ? electronRuntime({ fetch: true }) : null;

if (runtime?.path) {
  run(runtime.path, ['.', ...passThrough]);
} else {
  const why = !hasDisplay
    ? 'There is no display here'
    : 'The Electron runtime is not installed and could not be fetched';
  console.log(`${why}, so Keel starts headless instead: open the URL below in your browser.`);
  run(process.execPath, [join(root, 'out/main/server.js'), ...passThrough]);
}

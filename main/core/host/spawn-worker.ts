import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CoreWorkerData } from './worker-protocol';

/** File name of the bundled worker; electron.vite.config.ts emits it beside the main entries. */
export const BUILT_WORKER_FILE = 'core-worker.js';

/**
 * Starts the core worker. Built (Electron, `npm run serve`): the bundled `core-worker.js`
 * next to this chunk. From source (vitest, tsx): the TypeScript entry, loaded through tsx,
 * because a worker thread does not inherit the parent's TypeScript loader.
 */
export function spawnCoreWorker(data: CoreWorkerData): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${BUILT_WORKER_FILE}`, import.meta.url), { workerData: data });
  const entry = pathToFileURL(join(dirname(here), 'worker-entry.ts')).href;
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  return new Worker(boot, { eval: true, workerData: data });
}

import { Worker, type ResourceLimits } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CoreWorkerData } from './worker-protocol';

/**
 * The worker entries of main/core, by their bundled name. electron.vite.config.ts emits each
 * one beside the main entries (`out/main/<name>.js`); from source they are the .ts files.
 */
export const WORKER_ENTRIES = {
  'core-worker': 'host/worker-entry.ts',
  'parse-worker': 'memory/parse/parse-worker.ts',
  'embed-worker': 'memory/embed/embed-worker.ts',
} as const;
export type WorkerName = keyof typeof WORKER_ENTRIES;

const coreRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts one of Keel's worker threads. Built (Electron, `npm run serve`): the bundled file
 * next to this chunk. From source (vitest, tsx): the TypeScript entry, loaded through tsx,
 * because a worker thread does not inherit the parent's TypeScript loader.
 */
export function spawnWorker(name: WorkerName, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData, resourceLimits });
  const entry = pathToFileURL(join(coreRoot, WORKER_ENTRIES[name])).href;
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  return new Worker(boot, { eval: true, workerData, resourceLimits });
}

export function spawnCoreWorker(data: CoreWorkerData): Worker {
  return spawnWorker('core-worker', data);
}


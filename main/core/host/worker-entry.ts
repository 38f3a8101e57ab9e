import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type OpenDatabase } from '../db/database';
import { workerHandlers, type WorkerContext } from './worker-handlers';
import type { CoreWorkerData, FromWorker, ToWorker } from './worker-protocol';
import type { ApiResult } from '../../../shared/api/errors';
import type { CallName } from '../../../shared/api/contract';

/**
 * The core worker: owns the database (and, later, embeddings and the kernel) so that
 * nothing heavy runs on the thread that talks to the window or serves the API.
 */
const port = parentPort!;
const { dataDir } = workerData as CoreWorkerData;
const post = (msg: FromWorker) => port.postMessage(msg);

let opened: OpenDatabase | null = null;
const opening = openDatabase(dataDir).then(
  (result) => {
    opened = result;
    post({ type: 'database', state: 'ready', schemaVersion: result.migrations.schemaVersion });
  },
  (err: unknown) => {
    post({ type: 'database', state: 'failed', error: err instanceof Error ? err.message : String(err) });
  },
);

async function handle(method: string, input: unknown): Promise<ApiResult> {
  await opening;
  if (!opened) return { ok: false, error: { code: 'unavailable', message: 'The database is not open.' } };
  const handler = workerHandlers[method as CallName] as ((ctx: WorkerContext, input: unknown) => Promise<unknown>) | undefined;
  if (!handler) return { ok: false, error: { code: 'unknown_method', message: `No handler for ${method}.` } };
  const ctx: WorkerContext = { db: opened.db, emit: (event, payload) => post({ type: 'event', event, payload }) };
  try {
    return { ok: true, output: await handler(ctx, input) };
  } catch (err) {
    console.error(`[core] ${method} failed:`, err);
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'call') {
    void handle(msg.method, msg.input).then((result) => post({ type: 'result', id: msg.id, result }));
  } else if (msg.type === 'shutdown') {
    void opening
      .then(() => opened?.db.close())
      .catch((err: unknown) => console.error('[core] closing the database failed:', err))
      .finally(() => post({ type: 'closed' }));
  }
});

import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { CallName } from '../../../shared/api/contract';
import { ApiError, type ApiResult } from '../../../shared/api/errors';
import { openDatabase, type OpenDatabase } from '../db/database';
import type { WorkflowDefinition } from '../kernel/workflow';
import { sealedKeyCipher, SecretStore } from '../secrets';
import { assembleCore, type Assembled } from './assemble';
import { workerHandlers, type WorkerContext } from './worker-handlers';
import type { CoreWorkerData, FromWorker, ToWorker } from './worker-protocol';
import type { MemoryOverrides } from '../../../shared/api/memory-calls';

/**
 * The core worker: owns the database and the kernel (and, later, embeddings) so that
 * nothing heavy runs on the thread that talks to the window or serves the API.
 */
const port = parentPort!;
const { dataDir, workflowModules = [], memory: memoryOptions, secretKey } = workerData as CoreWorkerData;
const post = (msg: FromWorker) => port.postMessage(msg);

async function loadWorkflows(): Promise<WorkflowDefinition[]> {
  const found: WorkflowDefinition[] = [];
  for (const path of workflowModules) {
    const mod = (await import(pathToFileURL(path).href)) as { workflows?: WorkflowDefinition[] };
    if (!Array.isArray(mod.workflows)) throw new Error(`${path} does not export a "workflows" array.`);
    found.push(...mod.workflows);
  }
  return found;
}

/** KEEL_NO_MODEL_DOWNLOAD=1 (CI, tests, offline machines) keeps Keel from fetching a model unless told to. */
function noDownload(overrides: MemoryOverrides | undefined): MemoryOverrides | undefined {
  if (process.env.KEEL_NO_MODEL_DOWNLOAD !== '1') return overrides;
  return { ...overrides, embedding: { ...overrides?.embedding, autoDownload: overrides?.embedding?.autoDownload ?? false } };
}

/** Ingestion runs at most this many files at once, so other agents' runs still get slots. */
const INGEST_CONCURRENCY = 3;

async function open(): Promise<WorkerContext & { opened: OpenDatabase; core: Assembled }> {
  const opened = await openDatabase(dataDir);
  const notify = (event: string, payload: unknown) => post({ type: 'event', event, payload });
  const core = await assembleCore({
    db: opened.db,
    dataDir,
    adapters: [],
    workflows: await loadWorkflows(),
    // Desktop: secrets under the key the OS keychain sealed; headless: the 0600 key file (assembleCore's default).
    ...(secretKey ? { secrets: new SecretStore(opened.db, sealedKeyCipher(Buffer.from(secretKey, 'base64'))) } : {}),
    limits: { global: 4, perAgent: { ingest: INGEST_CONCURRENCY } },
    memory: { overrides: noDownload(memoryOptions?.overrides), modelsDir: memoryOptions?.modelsDir },
    notify,
  });
  return { opened, db: opened.db, kernel: core.kernel, memory: core.memory, models: core.models, agents: core.agents, email: core.email, imap: core.imap, calendar: core.calendar, apps: core.apps, mcp: core.mcp, inbox: core.inbox, core };
}

let ctx: (WorkerContext & { opened: OpenDatabase; core: Assembled }) | null = null;
const opening = open().then(
  (result) => {
    ctx = result;
    post({ type: 'database', state: 'ready', schemaVersion: result.opened.migrations.schemaVersion });
  },
  (err: unknown) => {
    post({ type: 'database', state: 'failed', error: err instanceof Error ? err.message : String(err) });
  },
);

async function handle(method: string, input: unknown): Promise<ApiResult> {
  await opening;
  if (!ctx) return { ok: false, error: { code: 'unavailable', message: 'The database is not open.' } };
  const handler = workerHandlers[method as CallName] as ((c: WorkerContext, i: unknown) => Promise<unknown>) | undefined;
  if (!handler) return { ok: false, error: { code: 'unknown_method', message: `No handler for ${method}.` } };
  try {
    return { ok: true, output: await handler(ctx, input) };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err.toBody() };
    console.error(`[core] ${method} failed:`, err);
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

async function shutdown(): Promise<void> {
  await opening;
  if (!ctx) return;
  await ctx.core.stop();
  await ctx.db.close();
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'call') {
    void handle(msg.method, msg.input).then((result) => post({ type: 'result', id: msg.id, result }));
  } else if (msg.type === 'shutdown') {
    void shutdown()
      .catch((err: unknown) => console.error('[core] closing failed:', err))
      .finally(() => post({ type: 'closed' }));
  }
});

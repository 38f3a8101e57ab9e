import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { CallName, EventName, EventPayload } from '../../../shared/api/contract';
import { isEventName } from '../../../shared/api/contract';
import type { ApiErrorBody, ApiResult } from '../../../shared/api/errors';
import { validateCall, validateEventPayload, validateOutput } from '../../../shared/api/validate';
import type { SystemStatus } from '../../../shared/domain/system';
import type { EmbeddingState } from '../../../shared/domain/memory';
import { acquireDataFolderLock, type DataFolderLock } from '../data-folder/lock';
import { prepareDataDir } from '../data-folder/paths';
import { latestSchemaVersion } from '../db/migrations';
import { APP_VERSION } from '../version';
import { spawnCoreWorker } from './spawn-worker';
import type { CoreWorkerData, FromWorker, ToWorker } from './worker-protocol';

export interface CoreOptions {
  dataDir: string;
  mode: SystemStatus['mode'];
  /** Modules exporting `workflows` to register in the kernel (apps, tests, benchmarks). */
  workflowModules?: string[];
  /** Memory settings that win over stored ones, and where embedding models live. */
  memory?: CoreWorkerData['memory'];
  /** The desktop's data key for secrets, opened from the OS keychain (see secrets/cipher.ts). */
  secretKey?: Buffer;
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

type HostHandler = (input: unknown) => unknown;

export class CoreStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoreStartError';
  }
}

/**
 * The core as the shell and the server see it: one object with `call` and `subscribe`.
 * It lives on the API-serving thread and stays light: it validates every call against the
 * contract, answers `system.*` itself, and forwards the rest to the core worker that owns
 * the database.
 */
export class Core {
  readonly dataDir: string;
  /** Resolves when the database is open and migrated; rejects with a sentence a person can act on. */
  readonly ready: Promise<void>;
  private readonly lock: DataFolderLock;
  private readonly worker: Worker;
  private readonly emitter = new EventEmitter();
  private readonly pending = new Map<number, (result: ApiResult) => void>();
  private nextId = 1;
  private state: SystemStatus;
  private closing: Promise<void> | null = null;
  private exited = false;
  private readonly hostHandlers: Partial<Record<CallName, HostHandler>> = {
    'system.ping': (input) => ({ pong: true, ...(input as { echo?: string }), serverTime: new Date().toISOString() }),
    'system.status': () => this.status(),
  };

  /** Takes the data folder's lock synchronously (throws `DataFolderLockedError`) and starts the worker. */
  static start(options: CoreOptions): Core {
    return new Core(options);
  }

  private constructor(options: CoreOptions) {
    this.dataDir = prepareDataDir(options.dataDir);
    this.lock = acquireDataFolderLock(this.dataDir);
    this.emitter.setMaxListeners(0);
    this.state = {
      appVersion: APP_VERSION,
      schemaVersion: latestSchemaVersion,
      databaseSchemaVersion: null,
      dataDir: this.dataDir,
      mode: options.mode,
      database: { state: 'opening' },
      embeddingModel: { state: 'loading', message: null, progress: null, pending: 0 },
      agentsPaused: false,
      startedAt: new Date().toISOString(),
    };
    let settle!: { resolve: () => void; reject: (err: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined); // observed through status too; never an unhandled rejection
    try {
      this.worker = spawnCoreWorker({ dataDir: this.dataDir, workflowModules: options.workflowModules, memory: options.memory, secretKey: options.secretKey?.toString('base64') });
    } catch (err) {
      this.lock.release();
      throw err;
    }
    this.worker.on('message', (msg: FromWorker) => this.onWorkerMessage(msg, settle));
    this.worker.on('error', (err) => this.onWorkerGone(`The core worker crashed: ${err.message}`, settle));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.onWorkerGone(`The core worker exited (code ${code}).`, settle);
    });
  }

  status(): SystemStatus {
    return structuredClone(this.state);
  }

  /** Pauses or resumes every agent (the tray's "Pause all agents") through the kernel. */
  async setAgentsPaused(paused: boolean): Promise<ApiResult> {
    return this.call(paused ? 'kernel.pause' : 'kernel.resume', {});
  }

  /** The one entry for every transport: validates, dispatches, and always answers an envelope. */
  async call(method: unknown, input: unknown): Promise<ApiResult> {
    const checked = validateCall(method, input);
    if (!checked.ok) return checked;
    try {
      const host = this.hostHandlers[checked.method];
      const result: ApiResult = host
        ? { ok: true, output: await host(checked.input) }
        : await this.forward(checked.method, checked.input);
      return result.ok ? validateOutput(checked.method, result.output) : result;
    } catch (err) {
      console.error(`[core] ${checked.method} failed:`, err);
      return fail('internal', `${checked.method} failed unexpectedly; see the log for details.`);
    }
  }

  subscribe(listener: EventListener): () => void {
    const wrapped = (event: EventName, payload: unknown) => listener(event, payload as never);
    this.emitter.on('event', wrapped);
    return () => this.emitter.off('event', wrapped);
  }

  /** Flushes and closes the database, stops the worker and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.exited) return this.lock.release();
    const closed = new Promise<void>((resolve) => {
      const onMessage = (msg: FromWorker) => msg.type === 'closed' && resolve();
      this.worker.on('message', onMessage);
      this.worker.once('exit', () => resolve());
    });
    this.post({ type: 'shutdown' });
    await closed;
    await this.worker.terminate();
    this.lock.release();
  }

  private async forward(method: CallName, input: unknown): Promise<ApiResult> {
    if (this.closing) return fail('unavailable', 'Keel is shutting down.');
    if (this.state.database.state === 'failed') {
      return fail('unavailable', `The database is unavailable: ${this.state.database.error ?? 'it failed to open'}`);
    }
    const id = this.nextId++;
    return new Promise<ApiResult>((resolve) => {
      this.pending.set(id, resolve);
      this.post({ type: 'call', id, method, input });
    });
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private onWorkerMessage(msg: FromWorker, settle: { resolve: () => void; reject: (err: Error) => void }): void {
    switch (msg.type) {
      case 'result': {
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.(msg.result);
        break;
      }
      case 'database':
        this.updateStatus({
          database: msg.error ? { state: msg.state, error: msg.error } : { state: msg.state },
          databaseSchemaVersion: msg.schemaVersion ?? this.state.databaseSchemaVersion,
        });
        if (msg.state === 'ready') settle.resolve();
        if (msg.state === 'failed') settle.reject(new CoreStartError(msg.error ?? 'The database failed to open.'));
        break;
      case 'event':
        if (!isEventName(msg.event) || !validateEventPayload(msg.event, msg.payload)) {
          console.error(`[core] dropped a malformed event from the worker: ${String(msg.event)}`);
          break;
        }
        this.emit(msg.event, msg.payload);
        if (msg.event === 'kernel.changed') this.updateStatus({ agentsPaused: (msg.payload as { paused: boolean }).paused });
        if (msg.event === 'embeddings.changed') this.updateStatus({ embeddingModel: embeddingStatus(msg.payload as EmbeddingState) });
        break;
      case 'closed':
        break;
    }
  }

  private onWorkerGone(reason: string, settle: { reject: (err: Error) => void }): void {
    if (this.closing) return;
    for (const resolve of this.pending.values()) resolve(fail('unavailable', reason));
    this.pending.clear();
    if (this.state.database.state !== 'failed') this.updateStatus({ database: { state: 'failed', error: reason } });
    settle.reject(new CoreStartError(reason));
  }

  private updateStatus(patch: Partial<SystemStatus>): void {
    this.state = { ...this.state, ...patch };
    this.emit('system.statusChanged', this.status());
  }

  private emit(event: EventName, payload: unknown): void {
    this.emitter.emit('event', event, payload);
  }
}

/** The status bar's view of the embedding model. */
function embeddingStatus(e: EmbeddingState): SystemStatus['embeddingModel'] {
  return { state: e.state, model: e.modelId, message: e.message, progress: e.progress, pending: e.pending };
}

function fail(code: ApiErrorBody['code'], message: string): ApiResult {
  return { ok: false, error: { code, message } };
}

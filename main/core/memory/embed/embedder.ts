import { assertModelId, downloadModel, isModelInstalled, type DownloadProgress } from './download';
import type { EmbedDtype } from './protocol';
import { EmbedWorkerClient } from './worker-client';

export type { EmbedDtype } from './protocol';

export interface EmbedderModel {
  /** A Hugging Face id ("Xenova/all-MiniLM-L6-v2"); the folder `${modelsDir}/${modelId}`. */
  modelId: string;
  dtype: EmbedDtype;
  /** Where downloads come from; Hugging Face when unset. */
  baseUrl?: string;
}

export interface EmbedderOptions extends EmbedderModel {
  modelsDir: string;
  /** Download a missing model on start() (the desktop app); otherwise wait for install(). */
  autoDownload: boolean;
  /** Texts per request to the worker; also the unit an interactive call can overtake. */
  batchSize?: number;
}

type StateBody =
  | { status: 'absent'; message: string }
  /** `progress` is 0..1, or null while the download's size is unknown. */
  | { status: 'downloading'; progress: number | null; file: string }
  | { status: 'loading' }
  | { status: 'ready'; dims: number }
  | { status: 'failed'; message: string };

/** Every state names the model it is about, so a listener can tell a switch from a reload. */
export type EmbedderState = StateBody & { modelId: string; dtype: EmbedDtype };

export type EmbedPriority = 'interactive' | 'bulk';

export const MODEL_NOT_INSTALLED = 'semantic search off: model not installed';

/** embed() called while there is no model to run; callers fall back to keyword search. */
export class EmbedderNotReady extends Error {
  constructor(readonly state: EmbedderState) {
    super(notReadyMessage(state));
    this.name = 'EmbedderNotReady';
  }
}

function notReadyMessage(state: EmbedderState): string {
  switch (state.status) {
    case 'absent':
      return state.message;
    case 'downloading':
      return `semantic search off: the embedding model ${state.modelId} is still downloading`;
    case 'loading':
      return `semantic search off: the embedding model ${state.modelId} is still loading`;
    case 'failed':
      return `semantic search off: ${state.message}`;
    case 'ready':
      return 'the embedder is ready';
  }
}

/** One embed() call, cut into batches that may finish in any order. */
class Job {
  settled = false;
  private readonly rows: Float32Array[];
  private remaining: number;

  constructor(
    size: number,
    batches: number,
    private readonly done: (rows: Float32Array[]) => void,
    private readonly failed: (err: Error) => void,
  ) {
    this.rows = new Array<Float32Array>(size);
    this.remaining = batches;
  }

  fill(offset: number, rows: Float32Array[]): void {
    rows.forEach((row, i) => (this.rows[offset + i] = row));
    if (--this.remaining === 0 && !this.settled) {
      this.settled = true;
      this.done(this.rows);
    }
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.failed(err);
  }
}

interface Batch {
  job: Job;
  offset: number;
  texts: string[];
}

type BringUp = 'load-if-present' | 'download-if-missing';

const sameState = (a: EmbedderState, b: EmbedderState) => JSON.stringify(a) === JSON.stringify(b);

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Local embeddings for the database thread. The model runs in its own worker so that
 * embedding a folder never stalls queries; this object owns that worker, the download of a
 * missing model, and two queues so that a search is served before queued ingestion batches.
 * Failures never throw out of start()/install()/recheck(): they become the `failed` state.
 */
export class Embedder {
  private options: EmbedderOptions & { batchSize: number };
  private current: EmbedderState;
  private readonly listeners = new Set<(state: EmbedderState) => void>();
  private client: EmbedWorkerClient | null = null;
  private flow: Promise<EmbedderState> | null = null;
  /** Bumped by setModel()/close(): work started under an older generation stops quietly. */
  private generation = 0;
  private downloadAbort: AbortController | null = null;
  private readonly interactive: Batch[] = [];
  private readonly bulk: Batch[] = [];
  private inFlight: Batch | null = null;
  private closed = false;

  constructor(options: EmbedderOptions) {
    assertModelId(options.modelId);
    this.options = { ...options, batchSize: Math.max(1, options.batchSize ?? 32) };
    this.current = this.withModel({ status: 'absent', message: MODEL_NOT_INSTALLED });
  }

  get state(): EmbedderState {
    return this.current;
  }

  /** Calls `listener` on every state change; returns the function that stops it. */
  onState(listener: (state: EmbedderState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the model if installed, else downloads it (autoDownload) or stays `absent`. */
  start(): Promise<EmbedderState> {
    return this.bringUp(this.options.autoDownload ? 'download-if-missing' : 'load-if-present');
  }

  /** Downloads the model on demand (from `absent` or `failed`), then loads it. */
  install(): Promise<EmbedderState> {
    return this.bringUp('download-if-missing');
  }

  /** From `absent`: look again, because someone may have copied the model folder in. */
  recheck(): Promise<EmbedderState> {
    if (this.current.status !== 'absent') return this.flow ?? Promise.resolve(this.current);
    return this.bringUp('load-if-present');
  }

  /**
   * Switches to another model: queued work is rejected, the old worker ends, and the state
   * walks through loading (or absent/downloading) again, so listeners know to re-embed.
   */
  async setModel(model: EmbedderModel): Promise<EmbedderState> {
    if (this.closed) throw new Error('the embedder is closed');
    assertModelId(model.modelId);
    const oldEnded = this.teardown(new Error(`the embedding model changed to ${model.modelId}`));
    this.options = { ...this.options, ...model, baseUrl: model.baseUrl ?? this.options.baseUrl };
    // Start at once so the state names the new model from this tick on; the old worker's
    // exit need not be waited for before the new one starts (they are separate processes).
    const next = this.start();
    await oldEnded;
    return next;
  }

  /**
   * Embeds texts, in order, as unit vectors. `interactive` (a search) goes before queued
   * `bulk` batches (ingestion). Rejects with EmbedderNotReady when there is no model.
   */
  embed(texts: string[], priority: EmbedPriority): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new Error('the embedder is closed'));
    if (this.current.status !== 'ready' || !this.client) return Promise.reject(new EmbedderNotReady(this.current));
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const size = this.options.batchSize;
      const job = new Job(texts.length, Math.ceil(texts.length / size), resolve, reject);
      const queue = priority === 'interactive' ? this.interactive : this.bulk;
      for (let offset = 0; offset < texts.length; offset += size) {
        queue.push({ job, offset, texts: texts.slice(offset, offset + size) });
      }
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.teardown(new Error('the embedder is closed'));
  }

  /** Test hook: ends the worker the way a crash would. */
  async crashWorkerForTest(): Promise<void> {
    await this.client?.crash();
  }

  private bringUp(mode: BringUp): Promise<EmbedderState> {
    if (this.closed) return Promise.reject(new Error('the embedder is closed'));
    if (this.flow) return this.flow;
    if (this.client) return Promise.resolve(this.current);
    const generation = this.generation;
    const { modelsDir, modelId, dtype } = this.options;
    const installed = isModelInstalled(modelsDir, modelId, dtype);
    if (!installed && mode === 'load-if-present') {
      this.emit(generation, { status: 'absent', message: MODEL_NOT_INSTALLED });
      return Promise.resolve(this.current);
    }
    const flow = this.runBringUp(generation, installed)
      .catch((err: unknown) => this.emit(generation, { status: 'failed', message: asError(err).message }))
      .then(() => this.current)
      .finally(() => {
        if (this.flow === flow) this.flow = null;
      });
    this.flow = flow;
    return flow;
  }

  /** Runs synchronously up to its first await, so the first state is announced at once. */
  private async runBringUp(generation: number, installed: boolean): Promise<void> {
    const { modelsDir, modelId, dtype } = this.options;
    if (!installed) await this.download(generation);
    if (generation !== this.generation) return;
    this.emit(generation, { status: 'loading' });
    const client = await EmbedWorkerClient.open({ modelsDir, modelId, dtype }, (reason) => this.onWorkerDeath(client, reason));
    if (generation !== this.generation) return client.terminate();
    this.client = client;
    this.emit(generation, { status: 'ready', dims: client.dims });
    this.pump();
  }

  private async download(generation: number): Promise<void> {
    const abort = new AbortController();
    this.downloadAbort = abort;
    this.emit(generation, { status: 'downloading', progress: 0, file: '' });
    try {
      await downloadModel({ ...this.options, signal: abort.signal, onProgress: this.progressReporter(generation) });
    } finally {
      if (this.downloadAbort === abort) this.downloadAbort = null;
    }
  }

  /** Turns byte counts into at most ~100 state changes: listeners may cross a thread. */
  private progressReporter(generation: number): (p: DownloadProgress) => void {
    let last = 0;
    let lastFile = '';
    return (p) => {
      const progress = p.done ? 1 : p.totalBytes ? Math.min(p.loadedBytes / p.totalBytes, 1) : null;
      const worth =
        progress === null ? p.file !== lastFile : progress - last >= 0.01 || (progress === 1 && last < 1);
      if (!worth) return;
      last = progress ?? last;
      lastFile = p.file;
      this.emit(generation, { status: 'downloading', progress, file: p.file });
    };
  }

  /** Sends the next batch, interactive first; one at a time so that order is ours to choose. */
  private pump(): void {
    const client = this.client;
    if (!client || this.inFlight) return;
    const batch = this.nextBatch();
    if (!batch) return;
    this.inFlight = batch;
    client
      .embed(batch.texts)
      .then(
        (rows) => batch.job.fill(batch.offset, rows),
        (err: unknown) => batch.job.fail(asError(err)),
      )
      .finally(() => {
        if (this.inFlight !== batch) return;
        this.inFlight = null;
        this.pump();
      });
  }

  /** Skips batches of jobs that already failed: their answer would be thrown away. */
  private nextBatch(): Batch | undefined {
    for (;;) {
      const batch = this.interactive.shift() ?? this.bulk.shift();
      if (!batch || !batch.job.settled) return batch;
    }
  }

  private onWorkerDeath(client: EmbedWorkerClient, reason: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.failQueued(reason);
    this.emit(this.generation, { status: 'failed', message: reason.message });
  }

  /**
   * Stops whatever is running (download, load, worker) and rejects all queued work, at once;
   * the promise is the old worker's exit.
   */
  private async teardown(reason: Error): Promise<void> {
    this.generation++;
    this.flow = null;
    this.downloadAbort?.abort();
    this.downloadAbort = null;
    this.failQueued(reason);
    const client = this.client;
    this.client = null;
    await client?.terminate(reason);
  }

  private failQueued(reason: Error): void {
    for (const batch of [...this.interactive.splice(0), ...this.bulk.splice(0)]) batch.job.fail(reason);
    this.inFlight?.job.fail(reason);
    this.inFlight = null;
  }

  /** Announces a state; a repeat of the current one (recheck() finding nothing) is not news. */
  private emit(generation: number, body: StateBody): void {
    if (generation !== this.generation) return;
    const next = this.withModel(body);
    if (sameState(next, this.current)) return;
    this.current = next;
    for (const listener of this.listeners) {
      // A faulty listener must not leave the state machine half-way through a transition.
      try {
        listener(next);
      } catch (err) {
        console.error('An embedder state listener failed:', err);
      }
    }
  }

  private withModel(body: StateBody): EmbedderState {
    return { ...body, modelId: this.options.modelId, dtype: this.options.dtype };
  }
}

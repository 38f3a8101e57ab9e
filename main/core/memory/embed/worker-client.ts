import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EmbedDtype, FromEmbedWorker, ToEmbedWorker } from './protocol';

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

export interface LoadRequest {
  modelsDir: string;
  modelId: string;
  dtype: EmbedDtype;
}

/**
 * Starts embed-worker as a child process, not a worker thread. onnxruntime-node 1.21's addon
 * keeps per-environment handles in C++ statics and registers itself only on the first dlopen:
 * a second thread that loads it after the first has ended gets "Module did not self-register",
 * and keeping it loaded elsewhere to avoid that corrupts the heap when threads come and go
 * (both seen in this repository). A process is also what isolates a native crash from the
 * database. Built: the bundled `embed-worker.js` beside this chunk (electron.vite.config.ts);
 * from source (vitest, tsx): the TypeScript entry through tsx's loader. In Electron, fork()
 * runs the Electron binary as Node (ELECTRON_RUN_AS_NODE, on unless the RunAsNode fuse is off).
 */
function forkEmbedWorker(): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  // 'advanced' serialisation carries Float32Array as such; stdin is of no use to the worker.
  const options: ForkOptions = { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  if (!here.endsWith('.ts')) return fork(fileURLToPath(new URL('./embed-worker.js', import.meta.url)), [], { ...options, execArgv: [] });
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const loader = pathToFileURL(join(tsxRoot, 'dist/loader.mjs')).href;
  return fork(join(dirname(here), 'embed-worker.ts'), [], { ...options, execArgv: ['--import', loader] });
}

/**
 * One embed worker with a model loaded in it: request/answer matching by id, and one place
 * that notices the worker ending. Internal to the Embedder.
 */
export class EmbedWorkerClient {
  dims = 0;
  private readonly waiters = new Map<number, Waiter<Float32Array[]>>();
  private loading: Waiter<number> | null = null;
  private nextId = 1;
  private loaded = false;
  private stopping = false;
  private ended = false;
  private lastError: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly onDeath: (reason: Error) => void,
  ) {
    child.on('message', (msg: FromEmbedWorker) => this.onMessage(msg));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(this.onExit(code === null ? `signal ${signal}` : `exit code ${code}`)));
      // Emitted instead of 'exit' when the process could not be started at all.
      child.once('error', (err) => {
        this.lastError = err;
        if (child.pid === undefined) resolve(this.onExit('not started'));
      });
    });
  }

  /**
   * Starts a worker and loads the model; rejects, with the worker ended, if loading fails.
   * `onDeath` is called if the worker later ends without terminate() (a crash, a kill).
   */
  static async open(load: LoadRequest, onDeath: (reason: Error) => void): Promise<EmbedWorkerClient> {
    const client = new EmbedWorkerClient(forkEmbedWorker(), onDeath);
    try {
      client.dims = await new Promise<number>((resolve, reject) => {
        client.loading = { resolve, reject };
        client.post({ type: 'load', ...load });
      });
    } catch (err) {
      await client.terminate();
      throw err;
    }
    client.loaded = true;
    return client;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const id = this.nextId++;
    const rows = await new Promise<Float32Array[]>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.post({ type: 'embed', id, texts });
    });
    // A silent mismatch would file vectors under the wrong chunks.
    if (rows.length !== texts.length) throw new Error(`the model returned ${rows.length} vectors for ${texts.length} texts`);
    return rows;
  }

  /** Ends the worker on purpose: pending requests reject, onDeath is not called. */
  async terminate(reason = new Error('the embedding model was unloaded')): Promise<void> {
    this.stopping = true;
    this.failAll(reason);
    if (!this.ended) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Ends the worker the way a crash would (for tests of the failure path). */
  async crash(): Promise<void> {
    if (!this.ended) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A send to a worker that is gone fails its request now rather than never. */
  private post(msg: ToEmbedWorker): void {
    const failed = (err: Error | null) => {
      if (!err) return;
      if (msg.type === 'embed') this.settle(msg.id, (w) => w.reject(err));
      else this.loading?.reject(err);
    };
    if (!this.child.connected) return failed(new Error('the embedding worker is not running'));
    this.child.send(msg, failed);
  }

  private onMessage(msg: FromEmbedWorker): void {
    if (msg.type === 'loaded') this.loading?.resolve(msg.dims);
    else if (msg.type === 'embedded') this.settle(msg.id, (w) => w.resolve(splitRows(msg.vectors, msg.dims)));
    else if (msg.id === undefined) this.loading?.reject(new Error(msg.message));
    else this.settle(msg.id, (w) => w.reject(new Error(msg.message)));
    if (msg.type === 'loaded' || msg.id === undefined) this.loading = null;
  }

  private settle(id: number, how: (waiter: Waiter<Float32Array[]>) => void): void {
    const waiter = this.waiters.get(id);
    this.waiters.delete(id);
    if (waiter) how(waiter);
  }

  private onExit(how: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stopping) return;
    const reason = new Error(`the embedding worker stopped (${this.lastError?.message ?? how})`);
    this.failAll(reason);
    if (this.loaded) this.onDeath(reason);
  }

  private failAll(reason: Error): void {
    this.loading?.reject(reason);
    this.loading = null;
    for (const waiter of this.waiters.values()) waiter.reject(reason);
    this.waiters.clear();
  }
}

/** One flat buffer of n * dims floats into n independent vectors. */
function splitRows(flat: Float32Array, dims: number): Float32Array[] {
  const rows: Float32Array[] = [];
  if (dims <= 0) return rows;
  for (let offset = 0; offset < flat.length; offset += dims) rows.push(flat.slice(offset, offset + dims));
  return rows;
}

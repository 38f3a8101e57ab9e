import { fork, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProviderError, type GenerateRequest, type GenerateResult, type ModelProvider } from '../provider';
import type { FromLocalGgufWorker, GenerateJob, ToLocalGgufWorker, WorkerErrorCode } from './local-gguf-worker';

export interface LocalGgufOptions {
  modelPath: string;
  /** Tokens the context holds; default: the model's training context, at most 4096. */
  contextSize?: number;
  /** CPU threads for inference; default: all cores but one, which the rest of Keel keeps. */
  threads?: number;
}

export interface LocalGgufAvailability {
  ok: boolean;
  reason?: string;
}

interface Pending {
  resolve: (result: GenerateResult) => void;
  reject: (err: ProviderError) => void;
  onToken?: (text: string) => void;
  started: number;
}

/** Without a maxTokens, a story model with context shifting would write for ever. */
const DEFAULT_MAX_TOKENS = 512;
const PROBE_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 3_000;

/**
 * Starts local-gguf-worker as a child process, not a worker thread: terminating a thread
 * while llama.cpp evaluates aborts the whole process ("terminate called after throwing an
 * instance of 'Napi::Error'", seen here with node-llama-cpp 3.22), and the core worker is
 * itself a thread that its host terminates. A process is also what confines a native crash.
 * Built: the bundled `local-gguf-worker.js` beside this chunk (an entry in
 * electron.vite.config.ts); from source (vitest, tsx): the TypeScript file through tsx.
 */
function forkWorker(): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  const stdio: ('ignore' | 'inherit' | 'ipc')[] = ['ignore', 'inherit', 'inherit', 'ipc'];
  if (!here.endsWith('.ts')) return fork(fileURLToPath(new URL('./local-gguf-worker.js', import.meta.url)), [], { stdio, execArgv: [] });
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const loader = pathToFileURL(join(tsxRoot, 'dist/loader.mjs')).href;
  return fork(join(dirname(here), 'local-gguf-worker.ts'), [], { stdio, execArgv: ['--import', loader] });
}

const defaultThreads = () => Math.max(1, availableParallelism() - 1);

function send(child: ChildProcess, msg: ToLocalGgufWorker): void {
  if (child.connected) child.send(msg);
}

/** The IPC channel holds the event loop as much as the process does: both or neither. */
function hold(child: ChildProcess, on: boolean): void {
  if (on) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

/** Fails early, and by name, for the two mistakes a user makes when picking a file. */
async function checkModelFile(path: string): Promise<void> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new ProviderError('permanent', `model file not found: ${path}`);
    throw new ProviderError('permanent', `model file cannot be read: ${path}: ${err.message}`);
  });
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead < 4 || buffer.toString('latin1') !== 'GGUF') throw new ProviderError('permanent', `not a GGUF model: ${path}`);
  } catch (err) {
    throw err instanceof ProviderError ? err : new ProviderError('permanent', `not a GGUF model: ${path} (${(err as Error).message})`);
  } finally {
    await handle.close();
  }
}

function errorFor(code: WorkerErrorCode, message: string, modelPath: string): ProviderError {
  switch (code) {
    case 'unavailable':
      return new ProviderError('permanent', `local models are unavailable: node-llama-cpp could not load: ${message}`);
    case 'load':
      if (/GGUF magic/i.test(message)) return new ProviderError('permanent', `not a GGUF model: ${modelPath}`);
      return new ProviderError('permanent', `could not load model ${modelPath}: ${message}`);
    case 'schema':
      return new ProviderError('permanent', `the output schema cannot be enforced by a grammar: ${message}`);
    case 'too-long':
      return new ProviderError('permanent', `the request does not fit the model's context: ${message}`);
    case 'cancelled':
      return new ProviderError('cancelled', 'cancelled');
    default:
      return new ProviderError('permanent', `local model failed: ${message}`);
  }
}

const FINISH: Record<string, GenerateResult['finishReason']> = { maxTokens: 'length' };

/**
 * A GGUF model run in-process by node-llama-cpp, in a child process of its own that is
 * started on the first call and kept, with the model loaded, until close().
 *
 * - Prompt: the model's chat template when it has one; otherwise (stories260K) the message
 *   contents joined by blank lines, continued as plain text.
 * - Cancellation: an aborted `signal` rejects at once with ProviderError('cancelled') and
 *   nothing reaches onToken after it; the worker stops generating at the next token.
 *   (finishReason 'cancelled' is therefore never returned.)
 * - Usage: llama.cpp's token meter: the prompt as evaluated, and the tokens generated.
 * - Structured output: a grammar made from `schema.jsonSchema`, so the text is JSON of it.
 */
export class LocalGgufProvider implements ModelProvider {
  readonly kind = 'local-gguf' as const;
  private static availability: Promise<LocalGgufAvailability> | null = null;
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private fileChecked = false;
  private closed = false;

  constructor(private readonly options: LocalGgufOptions) {}

  /** Whether node-llama-cpp and its prebuilt binary load here (asked once, in a worker). */
  static available(): Promise<LocalGgufAvailability> {
    LocalGgufProvider.availability ??= probe();
    return LocalGgufProvider.availability;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new ProviderError('permanent', 'the local model provider is closed');
    if (request.signal?.aborted) throw new ProviderError('cancelled', 'cancelled before it started');
    const started = performance.now();
    if (!this.fileChecked) await checkModelFile(this.options.modelPath);
    this.fileChecked = true;
    return new Promise<GenerateResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, onToken: request.onToken, started });
      const child = this.worker();
      hold(child, true);
      send(child, this.job(id, request));
      this.watchAbort(id, request.signal);
    });
  }

  /** Stops the worker (which frees the model); a worker that does not leave in time is killed. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    send(child, { type: 'close' });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private job(id: number, request: GenerateRequest): GenerateJob {
    const { modelPath, contextSize, threads } = this.options;
    return {
      type: 'generate',
      id,
      modelPath,
      contextSize,
      threads: threads ?? defaultThreads(),
      messages: request.messages,
      jsonSchema: request.schema?.jsonSchema,
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      temperature: request.temperature,
    };
  }

  /** Forgetting the request first is what guarantees no token is delivered after abort. */
  private watchAbort(id: number, signal: AbortSignal | undefined): void {
    const cancel = () => {
      const waiter = this.settle(id);
      if (!waiter) return;
      if (this.child) send(this.child, { type: 'abort', id });
      waiter.reject(new ProviderError('cancelled', 'cancelled'));
    };
    // It may have been aborted while the model file was being checked.
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
  }

  private worker(): ChildProcess {
    if (this.child) return this.child;
    const child = forkWorker();
    child.on('message', (msg: FromLocalGgufWorker) => this.onMessage(msg));
    child.once('exit', (code, signal) => this.onExit(child, code === null ? `signal ${signal}` : `exit code ${code}`));
    // Emitted instead of 'exit' when the process could not be started at all.
    child.once('error', (err) => this.onExit(child, err.message));
    this.child = child;
    return child;
  }

  private onMessage(msg: FromLocalGgufWorker): void {
    if (msg.type === 'probe') return;
    if (msg.type === 'token') return this.pending.get(msg.id)?.onToken?.(msg.text);
    const waiter = this.settle(msg.id);
    if (!waiter) return;
    if (msg.type === 'error') return waiter.reject(errorFor(msg.code, msg.message, this.options.modelPath));
    waiter.resolve({
      text: msg.text,
      usage: { inputTokens: msg.inputTokens, outputTokens: msg.outputTokens },
      finishReason: FINISH[msg.stopReason] ?? 'stop',
      latencyMs: performance.now() - waiter.started,
    });
  }

  /** Takes a request off the books; an idle worker must not keep the core's event loop alive. */
  private settle(id: number): Pending | undefined {
    const waiter = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && this.child) hold(this.child, false);
    return waiter;
  }

  /** A worker that dies mid-call (a native crash, an OOM kill) is restarted on the next call. */
  private onExit(child: ChildProcess, how: string): void {
    if (this.child !== child) return;
    this.child = null;
    const err = this.closed
      ? new ProviderError('permanent', 'the local model provider is closed')
      : new ProviderError('transient', `the local model process ended unexpectedly (${how})`);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }
}

/** Loads node-llama-cpp and its binary in a throwaway worker, so a failure costs nothing here. */
function probe(): Promise<LocalGgufAvailability> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = forkWorker();
    } catch (err) {
      return resolve({ ok: false, reason: `could not start the local model worker: ${(err as Error).message}` });
    }
    let answered = false;
    const finish = (answer: LocalGgufAvailability) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve(answer);
      send(child, { type: 'close' });
      setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS).unref();
      hold(child, false);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'node-llama-cpp did not load in time' }), PROBE_TIMEOUT_MS);
    child.on('message', (msg: FromLocalGgufWorker) => msg.type === 'probe' && finish({ ok: msg.ok, reason: msg.reason }));
    child.once('exit', (code) => finish({ ok: false, reason: `the local model worker exited (code ${code}) before answering` }));
    child.once('error', (err) => finish({ ok: false, reason: err.message }));
    send(child, { type: 'probe', threads: 1 });
  });
}

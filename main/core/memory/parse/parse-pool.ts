import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { IngestLimits } from '../../../../shared/domain/documents';
import { spawnWorker } from '../../host/spawn-worker';
import type { ParseReply, ParseRequest } from './parse-worker';
import { IngestFailure, type ParsedDocument } from './types';

/** Heap for one parse: a 100 MB PDF or CSV needs several times its size while parsing. */
const WORKER_HEAP_MB = 1536;

interface Job {
  request: ParseRequest;
  resolve: (doc: ParsedDocument) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer?: NodeJS.Timeout;
}

/**
 * Parses files in worker threads (parse-worker.ts), one job per worker at a time, the rest
 * queued. Each job runs under `limits.parseTimeoutMs`: past it the worker is terminated and
 * the job fails with `timeout`; a worker that dies (out of memory) fails its job with
 * `too_complex`. Either way a fresh worker takes the next job; other jobs carry on.
 * Idle workers are unref'd, so the pool never keeps a process alive.
 */
export class ParsePool {
  private readonly size: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: { size?: number } = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism() - 1));
  }

  /**
   * Parses one file. The bytes are transferred to the worker: afterwards the caller's array
   * is empty (detached), unless it was a view on a larger buffer, which is copied instead.
   */
  parse(bytes: Uint8Array, name: string, limits: IngestLimits): Promise<ParsedDocument> {
    if (this.closed) return Promise.reject(new Error('the parse pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, bytes: transferable(bytes), name, limits }, resolve, reject });
      this.pump();
    });
  }

  /** Terminates every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = new Error('the parse pool was closed');
    for (const job of this.queue.splice(0)) job.reject(closing);
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) this.release(slot)?.reject(closing);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.idleSlot();
      if (!slot) return;
      this.run(slot, this.queue.shift()!);
    }
  }

  private idleSlot(): Slot | null {
    for (const slot of this.slots) if (!slot.job) return slot;
    return this.slots.size < this.size ? this.spawn() : null;
  }

  private spawn(): Slot {
    const worker = spawnWorker('parse-worker', null, { maxOldGenerationSizeMb: WORKER_HEAP_MB });
    const slot: Slot = { worker, job: null };
    worker.on('message', (reply: ParseReply) => this.onReply(slot, reply));
    worker.on('error', (err) => this.onDeath(slot, err));
    worker.on('exit', (code) => this.onDeath(slot, new Error(`the parse worker exited with code ${code}`)));
    worker.unref();
    this.slots.add(slot);
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref(); // a running parse keeps the process alive, as any pending I/O does
    slot.timer = setTimeout(() => this.onTimeout(slot), job.request.limits.parseTimeoutMs);
    try {
      slot.worker.postMessage(job.request, [job.request.bytes.buffer as ArrayBuffer]);
    } catch (err) {
      // Bytes already handed to another parse (a detached buffer) cannot be sent again.
      this.release(slot);
      job.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Frees a slot of its job (stopping its timer) and returns the job. */
  private release(slot: Slot): Job | null {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = null;
    slot.worker.unref();
    return job;
  }

  private onReply(slot: Slot, reply: ParseReply): void {
    if (slot.job?.request.id !== reply.id) return;
    const job = this.release(slot)!;
    if (reply.ok) job.resolve(reply.doc);
    else job.reject(new IngestFailure(reply.error.code, reply.error.message));
    this.pump();
  }

  private onTimeout(slot: Slot): void {
    const seconds = Number(((slot.job?.request.limits.parseTimeoutMs ?? 0) / 1000).toFixed(3));
    this.retire(slot)?.reject(new IngestFailure('timeout', `parsing took longer than the ${seconds} s limit`));
    void slot.worker.terminate();
    this.pump();
  }

  /** A worker ended on its own: out of memory, or a crash. Its job fails; the pool goes on. */
  private onDeath(slot: Slot, err: Error): void {
    const job = this.retire(slot);
    const outOfMemory = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    job?.reject(
      outOfMemory
        ? new IngestFailure('too_complex', `parsing needed more than the ${WORKER_HEAP_MB} MB of memory a file may use`)
        : new IngestFailure('corrupt', `the parser crashed on this file: ${err.message}`),
    );
    this.pump();
  }

  /** Takes a slot out of the pool (its worker is not reused) and returns its job, if any. */
  private retire(slot: Slot): Job | null {
    if (!this.slots.delete(slot)) return null;
    return this.release(slot);
  }
}

/** The worker gets the bytes by transfer; a view on a shared or larger buffer is copied first. */
function transferable(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

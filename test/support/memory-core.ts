import { Core, type CoreOptions } from '../../main/core/host/core';
import type { CallName, CallOutput, EventName, EventPayload } from '../../shared/api/contract';
import { MODELS } from './fixtures';
import { tempDir } from './temp';

/** The fixture embedding model (32-d bag of words through the real transformers.js path). */
export const TINY_EMBEDDER = { modelId: 'tiny-embedder', dtype: 'fp32' as const, autoDownload: false };

export interface MemoryCore {
  core: Core;
  dataDir: string;
  /** Calls the API; throws with the error's code and message on failure. */
  call<N extends CallName>(method: N, input?: unknown): Promise<CallOutput<N>>;
  /** Resolves on the first pushed event matching `pred` (including ones already seen). */
  waitFor<E extends EventName>(event: E, pred?: (p: EventPayload<E>) => boolean): Promise<EventPayload<E>>;
  /** Waits until no document is queued, parsing or embedding. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Core (worker thread, PGlite on disk in a temp folder) with the memory layer; by
 * default with the tiny embedder from the shared fixtures, or with no model (`model: null`).
 */
export type ModelSettings = { modelId: string; dtype: 'fp32' | 'fp16' | 'q8' | 'q4'; autoDownload: boolean; baseUrl?: string };

export async function startMemoryCore(options: { model?: ModelSettings | null; dataDir?: string; modelsDir?: string } & Partial<CoreOptions> = {}): Promise<MemoryCore> {
  const dataDir = options.dataDir ?? tempDir({ lifetime: 'file' });
  const model = options.model === undefined ? TINY_EMBEDDER : options.model;
  const core = Core.start({
    dataDir,
    mode: 'headless',
    workflowModules: options.workflowModules,
    memory: {
      modelsDir: options.modelsDir ?? (model ? MODELS : undefined),
      overrides: { embedding: model ?? { modelId: 'absent-model', dtype: 'fp32', autoDownload: false } },
    },
  });
  const seen: { event: EventName; payload: unknown }[] = [];
  const waiters: { event: EventName; pred: (p: never) => boolean; resolve: (p: never) => void }[] = [];
  core.subscribe((event, payload) => {
    seen.push({ event, payload });
    for (const w of [...waiters]) {
      if (w.event === event && w.pred(payload as never)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload as never);
      }
    }
  });
  await core.ready;
  const call = async <N extends CallName>(method: N, input: unknown = {}): Promise<CallOutput<N>> => {
    const r = await core.call(method, input);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code}: ${r.error.message}`), { code: r.error.code });
    return r.output as CallOutput<N>;
  };
  const waitFor = <E extends EventName>(event: E, pred: (p: EventPayload<E>) => boolean = () => true) => {
    const hit = seen.find((s) => s.event === event && pred(s.payload as EventPayload<E>));
    if (hit) return Promise.resolve(hit.payload as EventPayload<E>);
    return new Promise<EventPayload<E>>((resolve) => waiters.push({ event, pred: pred as (p: never) => boolean, resolve: resolve as (p: never) => void }));
  };
  return {
    core,
    dataDir,
    call,
    waitFor,
    async idle() {
      // Progress is pushed after every status change; poll the counts the push is made of.
      for (;;) {
        const { counts } = await call('documents.list', { limit: 1 });
        if (counts.queued + counts.parsing + counts.embedding === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => core.close(),
  };
}

/** The error a call ended with; fails the test when the call succeeds. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected the call to fail');
}

/** Polls `probe` until it gives a value (a condition, never a fixed wait). */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

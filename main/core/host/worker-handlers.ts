import type { PGlite } from '@electric-sql/pglite';
import type { CallName, CallOutput } from '../../../shared/api/contract';
import type { z } from 'zod';
import type { calls } from '../../../shared/api/contract';

/** What a worker-side handler gets: the open database and a way to push events. */
export interface WorkerContext {
  db: PGlite;
  emit(event: string, payload: unknown): void;
}

export type WorkerHandler<N extends CallName> = (
  ctx: WorkerContext,
  input: z.output<(typeof calls)[N]['input']>,
) => Promise<CallOutput<N>>;

/**
 * Calls served inside the worker, next to the database. Calls about the process itself
 * (`system.*`) are answered on the main thread by `Core`, so they work while the database opens.
 * Later capabilities (kernel, memory) register their calls here.
 */
export const workerHandlers: { [N in CallName]?: WorkerHandler<N> } = {};

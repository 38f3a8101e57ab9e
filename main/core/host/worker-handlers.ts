import type { PGlite } from '@electric-sql/pglite';
import type { z } from 'zod';
import type { CallName, CallOutput, calls } from '../../../shared/api/contract';
import { kernelHandlers } from '../kernel/api';
import type { Kernel } from '../kernel/kernel';
import { memoryHandlers } from '../memory/api';
import type { MemoryService } from '../memory/memory';

/** What a worker-side handler gets: the open database and the kernel. */
export interface WorkerContext {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
}

export type WorkerHandler<N extends CallName> = (ctx: WorkerContext, input: z.output<(typeof calls)[N]['input']>) => Promise<CallOutput<N>>;

type Handlers = { [N in CallName]?: (ctx: WorkerContext, input: never) => Promise<unknown> };

/**
 * Calls served inside the worker, next to the database. Calls about the process itself
 * (`system.*`) are answered on the main thread by `Core`, so they work while the database opens.
 */
export const workerHandlers: Handlers = {
  ...Object.fromEntries(
    Object.entries(kernelHandlers).map(([name, handler]) => [name, (ctx: WorkerContext, input: never) => (handler as (k: Kernel, i: never) => Promise<unknown>)(ctx.kernel, input)]),
  ),
  ...Object.fromEntries(
    Object.entries(memoryHandlers).map(([name, handler]) => [name, (ctx: WorkerContext, input: never) => (handler as (m: MemoryService, i: never) => Promise<unknown>)(ctx.memory, input)]),
  ),
};

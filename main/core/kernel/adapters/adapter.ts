import type { z } from 'zod';
import type { Risk } from '../../../../shared/domain/kernel';

export interface ActionContext {
  /** The same on every replay of the same effect: the adapter must honour it. */
  idempotencyKey: string;
  signal: AbortSignal;
}

export interface AdapterAction<A = unknown, R = unknown> {
  risk: Risk;
  summary: string;
  args: z.ZodType<A>;
  run(args: A, ctx: ActionContext): Promise<R>;
}

/** A registered connection to the outside world with typed, risk-rated actions. */
export interface Adapter {
  name: string;
  version: string;
  actions: Record<string, AdapterAction<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const defineAction = <A, R>(action: AdapterAction<A, R>): AdapterAction<A, R> => action;

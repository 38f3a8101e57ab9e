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
  /** The arguments' JSON Schema when it comes from elsewhere (an MCP tool's): upgrades are compared by it. */
  schema?: unknown;
  /** What the operator should know about this action (e.g. an MCP tool description that addresses the model). */
  flags?: string[];
  run(args: A, ctx: ActionContext): Promise<R>;
}

/** A registered connection to the outside world with typed, risk-rated actions. */
export interface Adapter {
  name: string;
  version: string;
  /** Actions of differing argument types; each call's arguments are checked by its schema. */
  actions: Record<string, AdapterAction<any, any>>;
}

export const defineAction = <A, R>(action: AdapterAction<A, R>): AdapterAction<A, R> => action;

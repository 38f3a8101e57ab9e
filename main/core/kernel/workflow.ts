import type { z } from 'zod';
import type { ApprovalDecision, Risk } from '../../../shared/domain/kernel';
import type { MemoryKind, SearchFilters, SearchHit } from '../../../shared/domain/memory';
import type { StepPolicy } from './policy';

export interface StepScope {
  signal: AbortSignal;
  attempt: number;
  /** What this step spent; recorded with the step and counted against budgets. */
  reportCost(cost: { usd?: number; tokens?: number }): void;
  /** Facts about the step for its ledger event (e.g. the model, tokens in and out, the prompt's hash). */
  annotate(data: Record<string, unknown>): void;
}

export interface ApprovalRequest {
  title: string;
  kind?: string;
  risk?: Risk;
  proposal: unknown;
  rationale?: string;
  /**
   * The effect this approval is about. Approving it also passes that effect's gate, once, when
   * the workflow then calls exactly this action with exactly these arguments; anything else
   * is gated as usual. So "approve this draft" and "allow email.send" are one decision.
   */
  authorises?: { adapter: string; action: string; args: unknown };
}

export type ApprovalResult = ApprovalDecision & { decidedBy: string };

export interface Compensation {
  action: string;
  args: unknown;
}

export interface EffectOptions<R> {
  /** The undo action on the same adapter, fixed or computed from the effect's result. */
  compensate?: Compensation | ((result: R, args: unknown) => Compensation);
  policy?: StepPolicy;
}

/** What triggered the run, when a schedule did. */
export type RunTrigger =
  | { kind: 'cron' | 'interval'; scheduleId: string; scheduledFor: string }
  | { kind: 'event'; scheduleId: string; event: string; payload: unknown };

/** What a workflow asks memory to keep; provenance (the run and step) is added by the kernel. */
export interface RememberRequest {
  kind: MemoryKind;
  text: string;
  entityId?: string | null;
  attribute?: string | null;
  value?: string | null;
  confidence?: number;
  validFrom?: string;
  /** Memories this one replaces (superseded, validity closed). */
  replaces?: string[];
}

export interface WorkingItem {
  seq: number;
  kind: string;
  content: unknown;
  tokens: number;
}

/** Memory as the kernel sees it: the memory layer implements it (DESIGN.md §3-4). */
export interface MemoryPort {
  recall(query: string, options: { filters?: SearchFilters; limit?: number }, runId: string): Promise<SearchHit[]>;
  remember(memory: RememberRequest, origin: { runId: string; step: number; actor: string }): Promise<{ id: string }>;
  addWorking(runId: string, kind: string, content: unknown): Promise<void>;
  listWorking(runId: string): Promise<WorkingItem[]>;
  /** Entity types by id (unknown ids are left out): for agents whose memory scope names entity types. */
  entityTypes(ids: string[]): Promise<Map<string, string>>;
}

/**
 * Everything a workflow does that is not pure goes through its context, so that a replay
 * after a crash takes the same path and returns recorded results instead of acting again.
 */
export interface WorkflowContext {
  readonly runId: string;
  readonly traceId: string;
  readonly trigger: RunTrigger | null;
  step<T>(name: string, fn: (scope: StepScope) => Promise<T> | T, policy?: StepPolicy): Promise<T>;
  effect<R = unknown>(adapter: string, action: string, args: unknown, options?: EffectOptions<R>): Promise<R>;
  approval(request: ApprovalRequest): Promise<ApprovalResult>;
  sleep(durationMsOrUntil: number | Date): Promise<void>;
  child<O = unknown>(workflow: string, input: unknown, options?: { priority?: number; policy?: StepPolicy }): Promise<O>;
  now(): Promise<number>;
  uuid(): Promise<string>;
  /** Searches memory (a recorded step: a replay sees the same hits); hits join the run's working memory. */
  recall(query: string, options?: { filters?: SearchFilters; limit?: number }): Promise<SearchHit[]>;
  /** Keeps a long-term memory with this run as its provenance (once, even across replays). */
  remember(memory: RememberRequest): Promise<{ id: string }>;
  /** The run's working memory: bounded, dropped when the run ends. */
  working: { add(kind: string, content: unknown): Promise<void>; list(): Promise<WorkingItem[]> };
}

export interface WorkflowDefinition<I = unknown, O = unknown> {
  name: string;
  version: number;
  input: z.ZodType<I>;
  /** The agent and app this workflow works for (budgets, concurrency limits, ledger actor). */
  agent?: string;
  app?: string;
  /** Adapter actions it may call: `files.write`, `http.*`. Anything else is refused. */
  permissions?: string[];
  /** Step policy used where a step gives none. */
  defaults?: StepPolicy;
  run(ctx: WorkflowContext, input: I): Promise<O>;
}

/**
 * A workflow of any input and output, as registries hold them. `any` because a registry
 * mixes workflows whose input types differ; each run's input is checked by its schema.
 */
export type AnyWorkflow = WorkflowDefinition<any, any>;

export const defineWorkflow = <I, O>(def: WorkflowDefinition<I, O>): WorkflowDefinition<I, O> => def;

export function permits(def: WorkflowDefinition, adapter: string, action: string): boolean {
  return listPermits(def.permissions ?? [], adapter, action);
}

/** Whether a permission list (`email.send`, `http.*`, `*`) covers an adapter action. */
export function listPermits(list: readonly string[], adapter: string, action: string): boolean {
  return list.some((p) => p === `${adapter}.${action}` || p === `${adapter}.*` || p === '*');
}

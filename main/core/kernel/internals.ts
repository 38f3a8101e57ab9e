import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Risk } from '../../../shared/domain/kernel';
import type { Adapter } from './adapters/adapter';
import type { AdapterRegistry } from './adapters/registry';
import type { Clock } from './clock';
import type { Ledger, NewLedgerEvent } from './ledger';
import type { RunRow } from './store';
import type { AnyWorkflow, MemoryPort } from './workflow';

export type Log = (event: NewLedgerEvent) => void;

export interface NewStep {
  no: number;
  name: string;
  kind: string;
  status: 'completed' | 'failed' | 'waiting';
  output?: unknown;
  error?: unknown;
  attempts?: number;
  costUsd?: number;
  tokens?: number;
  compensation?: { adapter: string; action: string; args: unknown } | null;
  startedAt: number;
  /** The step has a row already (it failed or waited before): replace it. */
  replace?: boolean;
}

/** What the context, the runner and the operator actions share of the kernel. */
export interface KernelInternals {
  readonly db: PGlite;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly workflows: Map<string, AnyWorkflow>;
  readonly adapters: Map<string, Adapter>;
  readonly adapterRegistry: AdapterRegistry;
  /** The workflow a run executes: the version it started on while registered, else the current one. */
  workflowFor(name: string, version: number): AnyWorkflow | undefined;
  riskThreshold(): Risk;
  isStopping(): boolean;
  isCancelRequested(runId: string): boolean;
  /** A transaction whose ledger events are chained and inserted with it. */
  commit<T>(fn: (tx: Transaction, log: Log) => Promise<T>): Promise<T>;
  /** The hot path: one statement that records a step and its ledger event. */
  recordStep(run: RunRow, step: NewStep, event: Omit<NewLedgerEvent, 'actor'> & { actor?: NewLedgerEvent['actor'] }): Promise<void>;
  /** Pushes a change to API subscribers. */
  notify(event: string, payload: unknown): void;
  /** Asks the scheduler for another pass soon. */
  kick(): void;
  /** Memory for ctx.recall/remember; throws a permanent error where none is installed. */
  memory(): MemoryPort;
  /** A registered agent's own limits (what it may call, what always needs approval); none for other actors. */
  agentPolicy(agent: string | null): AgentPolicy | undefined;
}

/** An agent's least privilege, on top of its workflow's permissions (DESIGN.md §7). */
export interface AgentPolicy {
  permissions: string[];
  /** Adapter actions that pass the approval gate whatever their risk. */
  approvals: string[];
  /** Memory kinds the agent may recall and remember, and about which entity types (empty: any): its memory scope. */
  memory?: { read: string[]; write: string[]; entityTypes: string[] };
}

/** The ledger's view of who acted: the run's agent, else its workflow. */
export function runActor(run: RunRow): NewLedgerEvent['actor'] {
  return run.agent ? { kind: 'agent', name: run.agent } : { kind: 'system', name: `workflow:${run.workflow}` };
}

/** Fields every event about a run carries: trace, span, agent, app. */
export function runEventBase(run: RunRow): Pick<NewLedgerEvent, 'runId' | 'traceId' | 'spanId' | 'parentSpan' | 'agent' | 'app' | 'actor'> {
  return {
    runId: run.id,
    traceId: run.trace_id,
    spanId: run.id,
    parentSpan: run.parent_run_id,
    agent: run.agent,
    app: run.app,
    actor: runActor(run),
  };
}

export const jsonSafe = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** Postgres text and jsonb cannot hold NUL; say so instead of failing deep in the database. */
export function nulProblem(value: unknown, what: string): string | null {
  const json = value === undefined ? '' : JSON.stringify(value);
  return json.includes('\\u0000') ? `${what} contains a NUL character (\\u0000), which cannot be stored.` : null;
}
export const isoAt = (ms: number): string => new Date(ms).toISOString();

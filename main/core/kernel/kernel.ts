import { hostname } from 'node:os';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Risk } from '../../../shared/domain/kernel';
import type { Adapter } from './adapters/adapter';
import { AdapterRegistry } from './adapters/registry';
import { systemClock, type Clock } from './clock';
import { newId } from './ids';
import { isoAt, jsonSafe, runEventBase, type AgentPolicy, type KernelInternals, type Log, type NewStep } from './internals';
import { LEDGER_COLUMNS, Ledger, ledgerInsert, ledgerInsertLiteral, ledgerValues, type LedgerRow, type NewLedgerEvent } from './ledger';
import { assertStandardStrings, jsonLit, lit } from './sql-literal';
import { executeRun } from './runner';
import type { RunRow } from './store';
import { fireDueSchedules, fireEventTriggers } from './triggers';
import type { AnyWorkflow, MemoryPort } from './workflow';
import { permanent } from './errors';

export interface ConcurrencyLimits {
  /** Runs executing at once in this process. */
  global: number;
  /** Per agent (by name), with `*` as the default for agents not named. */
  perAgent?: Record<string, number>;
  /** Per app (by name), with `*` as the default. */
  perApp?: Record<string, number>;
}

export interface KernelOptions {
  db: PGlite;
  clock?: Clock;
  adapters?: Adapter[];
  workflows?: AnyWorkflow[];
  limits?: Partial<ConcurrencyLimits>;
  /** Effects at or above this risk always wait for the operator's approval. */
  riskThreshold?: Risk;
  /** Pushed changes (runs, approvals, escalations, ...) for the API. */
  onEvent?: (event: string, payload: unknown) => void;
  /** What ctx.recall and ctx.remember reach. */
  memory?: MemoryPort;
}

const STEP_COLUMNS = 'run_id, step_no, name, kind, status, output, error, attempts, cost_usd, tokens, compensation, started_at, finished_at';
const RECORD_STEP = 'keel_record_step';
const RECORD_STEP_TYPES =
  'text, integer, text, text, text, jsonb, jsonb, integer, double precision, integer, jsonb, timestamptz, timestamptz, ' +
  'bigint, timestamptz, text, text, text, text, integer, text, text, text, text, text, double precision, integer, jsonb, text, text';

const CLAIMABLE = `lease_owner IS NULL AND ((status IN ('pending', 'sleeping') AND due_at <= $1) OR status = 'compensating')`;

/**
 * The durable execution engine: picks runs by priority and due time under concurrency
 * limits, leases them to this process, executes them through RunContext, and keeps every
 * state change and its ledger event in one transaction.
 */
export class Kernel implements KernelInternals {
  readonly db: PGlite;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly workflows = new Map<string, AnyWorkflow>();
  private readonly workflowVersions = new Map<string, AnyWorkflow>();
  readonly adapterRegistry = new AdapterRegistry();
  readonly adapters = this.adapterRegistry.current;
  readonly owner = `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  readonly limits: ConcurrencyLimits;
  private threshold: Risk;
  /**
   * How long a decided approval's run waits before it goes on, so the operator can take the
   * decision back (`approvals.undo`). Set from the operator's preferences; 0 goes on at once.
   */
  undoWindowMs = 0;
  private paused = false;
  private started = false;
  private stopping = false;
  private readonly executing = new Map<string, { agent: string | null; app: string | null; done: Promise<void> }>();
  private readonly cancels = new Set<string>();
  private passQueued = false;
  private passChain: Promise<void> = Promise.resolve();
  private disarm: (() => void) | null = null;
  private readonly onEvent: (event: string, payload: unknown) => void;
  private memoryPort: MemoryPort | null;
  private agentPolicies: ((agent: string) => AgentPolicy | undefined) | null = null;

  constructor(options: KernelOptions) {
    this.memoryPort = options.memory ?? null;
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.ledger = new Ledger(() => this.clock.now());
    this.limits = { global: 4, ...options.limits };
    this.threshold = options.riskThreshold ?? 'high';
    this.onEvent = options.onEvent ?? (() => undefined);
    for (const adapter of options.adapters ?? []) this.adapterRegistry.add(adapter);
    for (const workflow of options.workflows ?? []) this.register(workflow);
  }

  /**
   * Adds a workflow, or a version of one. New runs start on the highest version; a run goes on
   * with the version it started on while that is registered (an app's older version stays
   * registered until its runs end), else with the current one.
   */
  register(def: AnyWorkflow): void {
    this.workflowVersions.set(`${def.name}@${def.version}`, def);
    const current = this.workflows.get(def.name);
    if (!current || def.version >= current.version) this.workflows.set(def.name, def);
  }

  /** Removes every version of a workflow (an app uninstalled); its unfinished runs then wait, saying why. */
  unregister(name: string): void {
    this.workflows.delete(name);
    for (const k of [...this.workflowVersions.keys()]) if (k.startsWith(`${name}@`)) this.workflowVersions.delete(k);
  }

  workflowFor(name: string, version: number): AnyWorkflow | undefined {
    return this.workflowVersions.get(`${name}@${version}`) ?? this.workflows.get(name);
  }

  /**
   * Adds an adapter, or a new version of one (the old version stays loaded for runs that
   * started with it). Resolves once recorded, so runs started after it pin this version.
   */
  async registerAdapter(adapter: Adapter): Promise<void> {
    this.adapterRegistry.add(adapter);
    if (this.started) await this.syncAdapters();
  }

  /** Removes an adapter (a server removed, an app uninstalled). */
  async unregisterAdapter(name: string): Promise<void> {
    this.adapterRegistry.remove(name);
    if (this.started) await this.syncAdapters();
  }

  private syncAdapters(): Promise<void> {
    return this.adapterRegistry.sync(this.db, (fn) => this.commit(fn), this.clock.now());
  }

  /** Installs memory (the memory layer is built on the kernel, so it arrives after construction). */
  setMemory(port: MemoryPort): void {
    this.memoryPort = port;
  }

  /** Installs the agents' policies (the agent registry is built on the kernel, so it arrives after construction). */
  setAgentPolicies(lookup: (agent: string) => AgentPolicy | undefined): void {
    this.agentPolicies = lookup;
  }

  agentPolicy(agent: string | null): AgentPolicy | undefined {
    return agent ? this.agentPolicies?.(agent) : undefined;
  }

  memory(): MemoryPort {
    if (!this.memoryPort) throw permanent('Memory is not available in this Keel: ctx.recall and ctx.remember need the memory layer.');
    return this.memoryPort;
  }

  // ---- KernelInternals ----

  riskThreshold(): Risk {
    return this.threshold;
  }
  isStopping(): boolean {
    return this.stopping || this.paused;
  }
  isCancelRequested(runId: string): boolean {
    return this.cancels.has(runId);
  }
  notify(event: string, payload: unknown): void {
    this.onEvent(event, payload);
  }

  commit<T>(fn: (tx: Transaction, log: Log) => Promise<T>): Promise<T> {
    return this.ledger.write(async (stage) => {
      const rows: LedgerRow[] = [];
      const result = await this.db.transaction(async (tx) => {
        const out = await fn(tx, (event) => rows.push(stage(event)));
        if (rows.length) {
          const insert = ledgerInsert(rows);
          await tx.query(insert.sql, insert.params);
        }
        return out;
      });
      this.announce(rows);
      return result;
    });
  }

  recordStep(run: RunRow, step: NewStep, event: Omit<NewLedgerEvent, 'actor'> & { actor?: NewLedgerEvent['actor'] }): Promise<void> {
    return this.ledger.write(async (stage) => {
      const row = stage({ ...runEventBase(run), ...event });
      const stepValues = [
        lit(run.id),
        lit(step.no),
        lit(step.name),
        lit(step.kind),
        lit(step.status),
        jsonLit(step.output),
        jsonLit(step.error),
        lit(step.attempts ?? 1),
        lit(step.costUsd ?? 0),
        lit(step.tokens ?? 0),
        jsonLit(step.compensation),
        lit(isoAt(step.startedAt)),
        step.status === 'waiting' ? 'NULL' : lit(row.at),
      ];
      // One round trip that commits the step and its ledger event together. New steps (the
      // hot path) go through a prepared statement; a step recorded again after a failure
      // replaces its row.
      const sql = step.replace
        ? `INSERT INTO kernel_steps (${STEP_COLUMNS}) VALUES (${stepValues.join(', ')})
           ON CONFLICT (run_id, step_no) DO UPDATE SET ${STEP_COLUMNS.split(', ').slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')};
           ${ledgerInsertLiteral([row])};`
        : `EXECUTE ${RECORD_STEP}(${[...stepValues, ...ledgerValues(row)].join(', ')})`;
      await this.db.exec(sql);
      this.announce([row]);
    });
  }

  /** Prepared once per database session (a restarted kernel on the same session reuses it). */
  private async prepare(): Promise<void> {
    const { rows } = await this.db.query('SELECT 1 FROM pg_prepared_statements WHERE name = $1', [RECORD_STEP]);
    if (rows.length) return;
    await this.db.exec(`PREPARE ${RECORD_STEP} (${RECORD_STEP_TYPES}) AS
      WITH step AS (INSERT INTO kernel_steps (${STEP_COLUMNS}) VALUES (${STEP_COLUMNS.split(', ').map((_, i) => `$${i + 1}`).join(', ')}) RETURNING 1)
      INSERT INTO kernel_ledger (${LEDGER_COLUMNS.join(', ')}) VALUES (${LEDGER_COLUMNS.map((_, i) => `$${i + 14}`).join(', ')})`);
  }

  kick(): void {
    if (this.passQueued || !this.started || this.stopping) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      this.passChain = this.passChain.then(() => this.pass()).catch((err) => console.error('[kernel] scheduling pass failed:', err));
    });
  }

  private announce(rows: LedgerRow[]): void {
    for (const row of rows) this.onEvent('ledger.appended', { seq: row.seq, type: row.type, runId: row.run_id, at: row.at });
  }

  // ---- lifecycle ----

  /** Loads state, reclaims leases of a dead process, and starts scheduling. */
  async start(): Promise<void> {
    await assertStandardStrings(this.db);
    await this.prepare();
    await this.ledger.load(this.db);
    const settings = await this.db.query<{ key: string; value: unknown }>(`SELECT key, value FROM kernel_settings`);
    for (const s of settings.rows) {
      if (s.key === 'paused') this.paused = s.value === true;
      if (s.key === 'riskThreshold') this.threshold = s.value as Risk;
      if (s.key === 'concurrency' && typeof s.value === 'number') this.limits.global = s.value;
    }
    const cancels = await this.db.query<{ id: string }>(`SELECT id FROM kernel_runs WHERE cancel_requested`);
    for (const r of cancels.rows) this.cancels.add(r.id);
    await this.reclaimLeases();
    await this.syncAdapters();
    this.started = true;
    this.stopping = false;
    // Hosts learn the persisted pause state and threshold the same way as later changes.
    this.notify('kernel.changed', { paused: this.paused, riskThreshold: this.threshold });
    this.kick();
  }

  /** Stops claiming; running runs suspend at their next step boundary. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.disarm?.();
    await this.passChain;
    await Promise.allSettled([...this.executing.values()].map((e) => e.done));
    this.started = false;
  }

  /** This process holds the data folder's lock, so any lease left in the database belongs to a dead process. */
  private async reclaimLeases(): Promise<void> {
    const now = isoAt(this.clock.now());
    const reclaimed = await this.commit(async (tx, log) => {
      const { rows } = await tx.query<RunRow>(
        `UPDATE kernel_runs SET lease_owner = NULL, status = CASE WHEN status = 'running' THEN 'pending' ELSE status END,
           due_at = COALESCE(due_at, $1) WHERE lease_owner IS NOT NULL RETURNING *`,
        [now],
      );
      for (const run of rows) log({ ...runEventBase(run), actor: { kind: 'system', name: 'kernel' }, type: 'run.lease_reclaimed', data: { status: run.status } });
      return rows.length;
    });
    if (reclaimed) console.log(`[kernel] resumed ${reclaimed} run(s) left by a stopped process`);
  }

  private async pass(): Promise<void> {
    if (!this.started || this.stopping) return;
    await fireDueSchedules(this);
    if (!this.paused) await this.claim();
    await this.arm();
  }

  private limitFor(map: Record<string, number> | undefined, name: string | null): number {
    if (!map || name === null) return Infinity;
    return map[name] ?? map['*'] ?? Infinity;
  }

  private count(key: 'agent' | 'app', name: string | null): number {
    let n = 0;
    for (const e of this.executing.values()) if (name !== null && e[key] === name) n++;
    return n;
  }

  /** Picks runnable runs by priority, then due time, under the global, per-agent and per-app limits. */
  private async claim(): Promise<void> {
    const free = this.limits.global - this.executing.size;
    if (free <= 0) return;
    const now = isoAt(this.clock.now());
    const { rows } = await this.db.query<{ id: string; agent: string | null; app: string | null }>(
      `SELECT id, agent, app FROM kernel_runs WHERE ${CLAIMABLE} ORDER BY priority DESC, due_at ASC, created_at ASC LIMIT $2`,
      [now, free + this.executing.size + 50],
    );
    for (const candidate of rows) {
      if (this.executing.size >= this.limits.global) break;
      if (this.executing.has(candidate.id)) continue;
      if (this.count('agent', candidate.agent) >= this.limitFor(this.limits.perAgent, candidate.agent)) continue;
      if (this.count('app', candidate.app) >= this.limitFor(this.limits.perApp, candidate.app)) continue;
      const claimed = await this.db.query<RunRow>(
        `UPDATE kernel_runs SET lease_owner = $2, status = CASE WHEN status = 'compensating' THEN status ELSE 'running' END, updated_at = $1
         WHERE id = $3 AND ${CLAIMABLE} RETURNING *`,
        [now, this.owner, candidate.id],
      );
      const run = claimed.rows[0];
      if (!run) continue;
      const done = executeRun(this, run)
        .catch((err) => console.error(`[kernel] run ${run.id} crashed the runner:`, err))
        .finally(() => {
          this.executing.delete(run.id);
          this.kick();
        });
      this.executing.set(run.id, { agent: run.agent, app: run.app, done });
      this.notify('runs.changed', { id: run.id, status: run.status });
    }
  }

  /** One timer for the earliest future wake-up: a sleeping run or a schedule. */
  private async arm(): Promise<void> {
    this.disarm?.();
    const now = isoAt(this.clock.now());
    const { rows } = await this.db.query<{ next: Date | null }>(
      `SELECT min(t) AS next FROM (
         SELECT min(due_at) AS t FROM kernel_runs WHERE lease_owner IS NULL AND status IN ('pending', 'sleeping') AND due_at > $1
         UNION ALL SELECT min(next_fire_at) FROM kernel_schedules WHERE NOT paused AND next_fire_at > $1) s`,
      [now],
    );
    const next = rows[0]?.next;
    if (next) this.disarm = this.clock.at(next.getTime(), () => this.kick());
  }

  /** Resolves when nothing is executing and nothing is runnable now (for tests and tools). */
  async idle(): Promise<void> {
    for (;;) {
      await this.passChain;
      await Promise.allSettled([...this.executing.values()].map((e) => e.done));
      await new Promise((r) => setImmediate(r));
      if (this.executing.size === 0 && !this.passQueued) {
        const { rows } = await this.db.query(`SELECT 1 FROM kernel_runs WHERE ${CLAIMABLE} LIMIT 1`, [isoAt(this.clock.now())]);
        if (rows.length === 0 || this.paused || !this.started) return;
        this.kick();
      }
    }
  }

  // ---- operator-level state ----

  isPaused(): boolean {
    return this.paused;
  }

  runningCount(): number {
    return this.executing.size;
  }

  async setPaused(paused: boolean, actor = 'operator'): Promise<void> {
    await this.setSetting('paused', paused, { type: paused ? 'kernel.paused' : 'kernel.resumed', actor: { kind: 'operator', name: actor }, data: {} });
    this.paused = paused;
    this.notify('kernel.changed', { paused, riskThreshold: this.threshold });
    if (!paused) this.kick();
  }

  async setRiskThreshold(risk: Risk, actor = 'operator'): Promise<void> {
    await this.setSetting('riskThreshold', risk, { type: 'kernel.risk_threshold_set', actor: { kind: 'operator', name: actor }, data: { risk } });
    this.threshold = risk;
    this.notify('kernel.changed', { paused: this.paused, riskThreshold: risk });
  }

  /** How many runs execute at once (all agents together); kept across restarts. */
  async setConcurrency(global: number, actor = 'operator'): Promise<void> {
    await this.setSetting('concurrency', global, { type: 'kernel.concurrency_set', actor: { kind: 'operator', name: actor }, data: { global } });
    this.limits.global = global;
    this.kick();
  }

  private setSetting(key: string, value: unknown, event: NewLedgerEvent): Promise<void> {
    return this.commit(async (tx, log) => {
      await tx.query(`INSERT INTO kernel_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, JSON.stringify(value)]);
      log(event);
    });
  }

  /**
   * Raises a named event (`document.ingested`, a custom one): recorded in the ledger, and
   * every event schedule listening to it starts its run in the same transaction.
   */
  async emitEvent(name: string, payload: unknown, actor: NewLedgerEvent['actor'] = { kind: 'operator', name: 'operator' }): Promise<number> {
    return this.commit((tx, log) => this.raiseIn(tx, log, name, payload, actor));
  }

  /**
   * emitEvent inside a change already being committed (a stored document raises
   * `document.ingested`): the runs it starts exist exactly when the change does, so a crash
   * can neither lose them nor start them twice.
   */
  raiseIn(tx: Transaction, log: Log, name: string, payload: unknown, actor: NewLedgerEvent['actor']): Promise<number> {
    log({ type: 'event.emitted', actor, data: { event: name, payload: jsonSafe(payload) } });
    return fireEventTriggers(this, tx, log, name, jsonSafe(payload));
  }

  requestCancel(runId: string): void {
    this.cancels.add(runId);
  }
  clearCancel(runId: string): void {
    this.cancels.delete(runId);
  }
}


import { randomUUID } from 'node:crypto';
import { RISK_ORDER, type KernelErrorBody, type OnExhausted } from '../../../shared/domain/kernel';
import { checkBudget } from './budgets';
import { BudgetExceeded, Cancelled, DeterminismViolation, KernelError, StepFailed, Suspend, type Signal } from './errors';
import { derivedId, effectKey, newId } from './ids';
import { isoAt, jsonSafe, nulProblem, runEventBase, type AgentPolicy, type KernelInternals } from './internals';
import { DEFAULT_ON_EXHAUSTED, runWithPolicy, type StepPolicy } from './policy';
import type { RunRow, StepRow } from './store';
import { insertWaitingStep, parkRun } from './runs';
import type { MemoryKind, SearchFilters, SearchHit } from '../../../shared/domain/memory';
import { listPermits, permits, type ApprovalRequest, type ApprovalResult, type EffectOptions, type RememberRequest, type RunTrigger, type StepScope, type WorkflowContext, type WorkflowDefinition, type WorkingItem } from './workflow';

type GateOutput = { required: false } | { required: true; approvedAtStep: number } | ApprovalResult;

/** Arguments compared as the JSON they are stored as. */
const canonical = (args: unknown) => JSON.stringify(jsonSafe(args) ?? null);

/**
 * One execution (or replay) of a run. Steps are numbered in call order; a step already
 * recorded returns its recorded output, a new one runs and is recorded before the workflow
 * continues. Signals (suspend, failure, cancel, budget, determinism) unwind to the runner;
 * once raised they stick, so a workflow that catches one still cannot carry on.
 */
export class RunContext implements WorkflowContext {
  private stepNo = 0;
  signal: Signal | null = null;
  /** Effects approved through ctx.approval({ authorises }) in this execution, not yet used. */
  private authorised: { effect: string; args: string; stepNo: number }[] = [];

  constructor(
    private readonly k: KernelInternals,
    private readonly run: RunRow,
    private readonly def: WorkflowDefinition,
    private readonly recorded: Map<number, StepRow>,
  ) {}

  get runId(): string {
    return this.run.id;
  }
  get traceId(): string {
    return this.run.trace_id;
  }
  get trigger(): RunTrigger | null {
    return this.run.trigger;
  }

  private raise<S extends Signal>(signal: S): S {
    this.signal = signal;
    return signal;
  }

  private policy(policy?: StepPolicy): StepPolicy {
    return { ...this.def.defaults, ...policy };
  }

  private fail(no: number, name: string, kind: string, error: Omit<KernelErrorBody, 'step'>, onExhausted?: OnExhausted): StepFailed {
    return this.raise(new StepFailed({ ...error, step: { no, name } }, onExhausted ?? this.policy().onExhausted ?? DEFAULT_ON_EXHAUSTED, kind));
  }

  /** Numbers the next step and checks it against the record (the determinism check). */
  private begin(name: string, kind: StepRow['kind']): { no: number; rec: StepRow | undefined } {
    if (this.signal) throw this.signal;
    const no = ++this.stepNo;
    const rec = this.recorded.get(no);
    if (rec && (rec.name !== name || rec.kind !== kind)) {
      throw this.raise(
        new DeterminismViolation({
          kind: 'determinism',
          message:
            `Step ${no} was "${rec.name}" (${rec.kind}) when this run first executed, but the workflow now asks for ` +
            `"${name}" (${kind}). Check that the workflow is deterministic: time, randomness and I/O must go through ctx, ` +
            `and changed workflow code needs a new workflow version.`,
          step: { no, name },
        }),
      );
    }
    if (rec?.status !== 'completed') {
      // Checked only before new work, so a replay never stops in the middle of recorded steps.
      if (this.k.isCancelRequested(this.run.id)) throw this.raise(new Cancelled());
      if (this.k.isStopping()) throw this.raise(new Suspend('shutdown'));
    }
    return { no, rec };
  }

  private async budget(no: number, name: string, policy: StepPolicy): Promise<void> {
    try {
      await checkBudget(this.k, this.run, policy.estimate);
    } catch (err) {
      if (err instanceof BudgetExceeded) throw this.raise(new BudgetExceeded({ ...err.error, step: { no, name } }));
      throw err;
    }
  }

  private async attempt<T>(no: number, name: string, kind: string, fn: (signal: AbortSignal, attempt: number) => Promise<T>, policy: StepPolicy) {
    try {
      return await runWithPolicy(fn, policy, { no, name });
    } catch (err) {
      if (err instanceof StepFailed) throw this.raise(new StepFailed(err.error, err.onExhausted, kind));
      throw err;
    }
  }

  async step<T>(name: string, fn: (scope: StepScope) => Promise<T> | T, policy?: StepPolicy): Promise<T> {
    const { no, rec } = this.begin(name, 'step');
    if (rec?.status === 'completed') return rec.output as T;
    const p = this.policy(policy);
    await this.budget(no, name, p);
    const startedAt = this.k.clock.now();
    let cost = { usd: 0, tokens: 0 };
    let notes: Record<string, unknown> = {};
    const { value, attempts } = await this.attempt(
      no,
      name,
      'step',
      async (signal, attempt) => {
        cost = { usd: 0, tokens: 0 };
        notes = {};
        const reportCost = (c: { usd?: number; tokens?: number }) => {
          cost.usd += c.usd ?? 0;
          cost.tokens += c.tokens ?? 0;
        };
        const annotate = (data: Record<string, unknown>) => void Object.assign(notes, jsonSafe(data));
        return fn({ signal, attempt, reportCost, annotate });
      },
      p,
    );
    const output = jsonSafe(value);
    const unstorable = nulProblem(output, `The output of step "${name}"`);
    if (unstorable) throw this.fail(no, name, 'step', { kind: 'validation', message: unstorable }, p.onExhausted);
    await this.k.recordStep(
      this.run,
      { no, name, kind: 'step', status: 'completed', output, attempts, costUsd: cost.usd, tokens: cost.tokens, startedAt, replace: rec !== undefined },
      { type: 'step.completed', stepNo: no, costUsd: cost.usd, tokens: cost.tokens, data: { ...notes, name, attempts } },
    );
    return output as T;
  }

  async effect<R = unknown>(adapterName: string, action: string, args: unknown, options: EffectOptions<R> = {}): Promise<R> {
    const name = `${adapterName}.${action}`;
    const p = this.policy(options.policy);
    const gate = await this.gate(name, adapterName, action, args, p);
    let effectiveArgs = args;
    if ('decision' in gate) {
      if (gate.decision === 'reject') {
        const why = gate.note ? `: ${gate.note}` : '.';
        // The gate step (just numbered) carries the failure: the effect itself never ran.
        throw this.fail(this.stepNo, `gate:${name}`, 'gate', { kind: 'policy', message: `The operator rejected ${name}${why}` }, p.onExhausted);
      }
      if (gate.decision === 'edit' && gate.editedProposal && typeof gate.editedProposal === 'object' && 'args' in gate.editedProposal) {
        effectiveArgs = (gate.editedProposal as { args: unknown }).args;
      }
    }
    const { no, rec } = this.begin(name, 'effect');
    if (rec?.status === 'completed') return rec.output as R;
    const adapter = this.adapterFor(no, name, 'effect', adapterName, action, p)!;
    const act = adapter.actions[action]!;
    const parsed = act.args.safeParse(effectiveArgs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.fail(no, name, 'effect', { kind: 'validation', message: `Arguments for ${name} are invalid: ${issue?.path.join('.') || '(args)'}: ${issue?.message}` }, p.onExhausted);
    }
    await this.budget(no, name, p);
    const startedAt = this.k.clock.now();
    const key = effectKey(this.run.id, no);
    const { value, attempts } = await this.attempt(no, name, 'effect', (signal) => this.tracked(adapterName, () => act.run(parsed.data, { idempotencyKey: key, signal })), p);
    const output = jsonSafe(value);
    const unstorable = nulProblem(output, `The result of ${name}`);
    if (unstorable) throw this.fail(no, name, 'effect', { kind: 'validation', message: unstorable }, p.onExhausted);
    const undo = typeof options.compensate === 'function' ? options.compensate(output as R, parsed.data) : options.compensate;
    const compensation = undo ? { adapter: adapterName, action: undo.action, args: jsonSafe(undo.args) } : null;
    await this.k.recordStep(
      this.run,
      { no, name, kind: 'effect', status: 'completed', output, attempts, compensation, startedAt, replace: rec !== undefined },
      { type: 'effect.sent', stepNo: no, data: { adapter: adapterName, adapterVersion: adapter.version, action, idempotencyKey: key, risk: act.risk, attempts, compensation: compensation?.action ?? null } },
    );
    return output as R;
  }

  /** Before every effect: permission, existence and the risk gate, recorded so replays agree. */
  private async gate(name: string, adapterName: string, action: string, args: unknown, p: StepPolicy): Promise<GateOutput> {
    const gateName = `gate:${name}`;
    const { no, rec } = this.begin(gateName, 'gate');
    if (rec?.status === 'completed') return rec.output as GateOutput;
    if (rec?.status === 'waiting') throw await this.stillWaiting('waiting_approval', 'approval');
    const act = this.adapterFor(no, gateName, 'gate', adapterName, action, p)?.actions[action];
    if (!act) throw this.fail(no, gateName, 'gate', { kind: 'validation', message: `There is no adapter action ${name}.` }, p.onExhausted);
    if (!permits(this.def, adapterName, action)) {
      throw this.fail(no, gateName, 'gate', { kind: 'policy', message: `Workflow ${this.def.name} has no permission for ${name}; add it to its permissions to allow it.` }, p.onExhausted);
    }
    const agent = this.k.agentPolicy(this.run.agent);
    if (agent && !listPermits(agent.permissions, adapterName, action)) {
      throw this.fail(no, gateName, 'gate', { kind: 'policy', message: `Agent ${this.run.agent} is not permitted to call ${name}; grant it in the agent's permissions to allow it.`, details: { agent: this.run.agent, action: name } }, p.onExhausted);
    }
    const startedAt = this.k.clock.now();
    const approved = this.takeAuthorised(name, args);
    if (approved !== null) {
      const output = { required: true, approvedAtStep: approved } as const;
      await this.k.recordStep(this.run, { no, name: gateName, kind: 'gate', status: 'completed', output, startedAt, replace: rec !== undefined }, { type: 'gate.passed', stepNo: no, data: { effect: name, risk: act.risk, approvedAtStep: approved } });
      return output;
    }
    const mustAsk = agent ? listPermits(agent.approvals, adapterName, action) : false;
    if (!mustAsk && RISK_ORDER[act.risk] < RISK_ORDER[this.k.riskThreshold()]) {
      const output = { required: false } as const;
      await this.k.recordStep(this.run, { no, name: gateName, kind: 'gate', status: 'completed', output, startedAt, replace: rec !== undefined }, { type: 'gate.passed', stepNo: no, data: { effect: name, risk: act.risk } });
      return output;
    }
    await this.requestApproval(no, gateName, 'gate', {
      title: `Allow ${name}?`,
      kind: 'effect',
      risk: act.risk,
      proposal: { adapter: adapterName, action, args },
      rationale: mustAsk ? `${act.summary} Agent ${this.run.agent} always asks before ${name}.` : `${act.summary} Its risk (${act.risk}) is at or above your approval threshold (${this.k.riskThreshold()}).`,
    });
    throw this.raise(new Suspend('approval'));
  }

  /**
   * The adapter version this run started with (or one with the same schema for this action);
   * an upgrade that changed the action fails the step with the reason (adapters/registry.ts).
   */
  private adapterFor(no: number, name: string, kind: string, adapterName: string, action: string, p: StepPolicy) {
    try {
      return this.k.adapterRegistry.resolve(adapterName, action, this.run.adapter_versions?.[adapterName]);
    } catch (err) {
      if (!(err instanceof KernelError)) throw err;
      throw this.fail(no, name, kind, { kind: err.kind, message: err.message, details: err.details }, p.onExhausted);
    }
  }

  /** Each attempt's outcome is the adapter's health (last success, last error, login expired). */
  private async tracked<T>(adapterName: string, call: () => Promise<T>): Promise<T> {
    try {
      const out = await call();
      await this.k.adapterRegistry.record(this.k.db, adapterName, this.k.clock.now());
      return out;
    } catch (err) {
      await this.k.adapterRegistry.record(this.k.db, adapterName, this.k.clock.now(), err);
      throw err;
    }
  }

  /** An approved request's effect, used once: the step number of the approval, or null. */
  private takeAuthorised(effect: string, args: unknown): number | null {
    const i = this.authorised.findIndex((a) => a.effect === effect && a.args === canonical(args));
    if (i < 0) return null;
    return this.authorised.splice(i, 1)[0]!.stepNo;
  }

  async approval(request: ApprovalRequest): Promise<ApprovalResult> {
    const name = `approval:${request.kind ?? 'general'}`;
    const { no, rec } = this.begin(name, 'approval');
    if (rec?.status === 'completed') {
      const result = rec.output as ApprovalResult;
      const a = request.authorises;
      if (a && (result.decision === 'approve' || result.decision === 'approve_partial')) this.authorised.push({ effect: `${a.adapter}.${a.action}`, args: canonical(a.args), stepNo: no });
      return result;
    }
    if (rec?.status === 'waiting') throw await this.stillWaiting('waiting_approval', 'approval');
    await this.requestApproval(no, name, 'approval', request);
    throw this.raise(new Suspend('approval'));
  }

  private async requestApproval(no: number, name: string, kind: 'approval' | 'gate', request: ApprovalRequest): Promise<void> {
    const id = newId();
    const now = this.k.clock.now();
    const risk = request.risk ?? 'medium';
    await this.k.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO kernel_approvals (id, run_id, step_no, title, kind, risk, proposal, rationale, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)`,
        [id, this.run.id, no, request.title, request.kind ?? 'general', risk, JSON.stringify(jsonSafe(request.proposal)), request.rationale ?? null, isoAt(now)],
      );
      await insertWaitingStep(tx, this.run.id, no, name, kind, { approvalId: id }, now);
      await parkRun(tx, this.run.id, 'waiting_approval', now);
      log({ ...runEventBase(this.run), type: 'approval.requested', stepNo: no, data: { approvalId: id, title: request.title, kind: request.kind ?? 'general', risk, authorises: request.authorises ? `${request.authorises.adapter}.${request.authorises.action}` : null } });
    });
    this.k.notify('approvals.changed', { id, runId: this.run.id, status: 'pending' });
  }

  /** A replay met a step still waiting (only after a crash): put the run back to waiting. */
  private async stillWaiting(status: 'waiting_approval' | 'waiting_child', reason: 'approval' | 'child'): Promise<Suspend> {
    await parkRun(this.k.db, this.run.id, status, this.k.clock.now());
    return this.raise(new Suspend(reason));
  }

  async sleep(durationMsOrUntil: number | Date): Promise<void> {
    const { no, rec } = this.begin('sleep', 'sleep');
    const until = rec ? (rec.output as { until: number }).until : durationMsOrUntil instanceof Date ? durationMsOrUntil.getTime() : this.k.clock.now() + durationMsOrUntil;
    const now = this.k.clock.now();
    if (!rec) {
      await this.k.commit(async (tx, log) => {
        await tx.query(
          `INSERT INTO kernel_steps (run_id, step_no, name, kind, status, output, started_at, finished_at) VALUES ($1, $2, 'sleep', 'sleep', 'completed', $3, $4, $4)`,
          [this.run.id, no, JSON.stringify({ until }), isoAt(now)],
        );
        if (until > now) await parkRun(tx, this.run.id, 'sleeping', now, until);
        log({ ...runEventBase(this.run), type: 'run.sleeping', stepNo: no, data: { until: isoAt(until) } });
      });
    } else if (until > now) {
      await parkRun(this.k.db, this.run.id, 'sleeping', now, until);
    }
    if (until > now) throw this.raise(new Suspend('sleep'));
  }

  async child<O = unknown>(workflow: string, input: unknown, options: { priority?: number; policy?: StepPolicy } = {}): Promise<O> {
    const name = `child:${workflow}`;
    const { no, rec } = this.begin(name, 'child');
    const p = this.policy(options.policy);
    if (rec?.status === 'completed') return rec.output as O;
    if (rec?.status === 'failed') throw this.fail(no, name, 'child', rec.error ?? { kind: 'permanent', message: 'The child run failed.' }, p.onExhausted);
    if (rec?.status === 'waiting') throw await this.stillWaiting('waiting_child', 'child');
    const def = this.k.workflows.get(workflow);
    if (!def) throw this.fail(no, name, 'child', { kind: 'validation', message: `There is no workflow named ${workflow}.` }, p.onExhausted);
    const parsed = def.input.safeParse(input);
    if (!parsed.success) throw this.fail(no, name, 'child', { kind: 'validation', message: `Input for child ${workflow} is invalid: ${parsed.error.issues[0]?.message}` }, p.onExhausted);
    const childId = derivedId(this.run.id, no);
    const at = this.k.clock.now();
    const now = isoAt(at);
    await this.k.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO kernel_runs (id, workflow, workflow_version, input, status, priority, due_at, agent, app, parent_run_id, parent_step_no, trace_id, created_at, updated_at, adapter_versions)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $6, $6, (SELECT adapter_versions FROM kernel_runs WHERE id = $9)) ON CONFLICT (id) DO NOTHING`,
        // A child keeps its parent's adapter versions: one piece of work, one set of versions.
        [childId, workflow, def.version, JSON.stringify(jsonSafe(parsed.data)), options.priority ?? this.run.priority, now, def.agent ?? this.run.agent, def.app ?? this.run.app, this.run.id, no, this.run.trace_id],
      );
      await insertWaitingStep(tx, this.run.id, no, name, 'child', { childRunId: childId }, at);
      await parkRun(tx, this.run.id, 'waiting_child', at);
      log({ ...runEventBase(this.run), type: 'child.started', stepNo: no, data: { childRunId: childId, workflow } });
      log({ type: 'run.started', actor: { kind: 'system', name: `run:${this.run.id}` }, runId: childId, traceId: this.run.trace_id, spanId: childId, parentSpan: this.run.id, agent: def.agent ?? this.run.agent, app: def.app ?? this.run.app, data: { workflow, parentRunId: this.run.id } });
    });
    this.k.kick();
    throw this.raise(new Suspend('child'));
  }

  recall(query: string, options: { filters?: SearchFilters; limit?: number } = {}): Promise<SearchHit[]> {
    return this.step('recall', async () => {
      const policy = this.k.agentPolicy(this.run.agent);
      const filters = withinScope(policy, options.filters);
      if (filters === null) return [];
      if (filters?.entityId) await this.checkEntityScope(filters.entityId, 'read about');
      const hits = await this.onlyAllowedEntities(policy, await this.k.memory().recall(query, { ...options, filters }, this.run.id));
      await this.k.memory().addWorking(this.run.id, 'recall', { query, hits: hits.map((h) => ({ id: h.id, type: h.type, title: h.title, snippet: h.snippet.text })) });
      return hits;
    });
  }

  remember(memory: RememberRequest): Promise<{ id: string }> {
    // The step's number makes the memory's key: a replay after a crash finds it instead of adding it twice.
    const step = this.stepNo + 1;
    const actor = this.run.agent ? `agent:${this.run.agent}` : `workflow:${this.run.workflow}`;
    return this.step('remember', async () => {
      const scope = this.k.agentPolicy(this.run.agent)?.memory;
      if (scope && !scope.write.includes(memory.kind)) {
        throw new KernelError('policy', `Agent ${this.run.agent} may not write ${memory.kind} memories (its memory scope allows ${scope.write.join(', ') || 'none'}); widen its scope to allow it.`);
      }
      if (memory.entityId) await this.checkEntityScope(memory.entityId, 'write about');
      return this.k.memory().remember(memory, { runId: this.run.id, step, actor });
    });
  }

  /** An agent whose scope names entity types may read and write only about entities of those types. */
  private async checkEntityScope(entityId: string, verb: string): Promise<void> {
    const allowed = this.k.agentPolicy(this.run.agent)?.memory?.entityTypes;
    if (!allowed?.length) return;
    const type = (await this.k.memory().entityTypes([entityId])).get(entityId);
    if (type && !allowed.includes(type)) {
      throw new KernelError('policy', `Agent ${this.run.agent} may not ${verb} ${type} entities (its memory scope allows ${allowed.join(', ')}); widen its scope to allow it.`);
    }
  }

  /** Recalled memories about entities outside the agent's scope are left out. */
  private async onlyAllowedEntities(policy: AgentPolicy | undefined, hits: SearchHit[]): Promise<SearchHit[]> {
    const allowed = policy?.memory?.entityTypes;
    if (!allowed?.length) return hits;
    const about = (h: SearchHit) => (h.source.type === 'memory' ? h.source.entityId : null);
    const types = await this.k.memory().entityTypes([...new Set(hits.map(about).filter((id): id is string => id !== null))]);
    return hits.filter((h) => {
      const id = about(h);
      return id === null || allowed.includes(types.get(id) ?? '');
    });
  }

  readonly working = {
    add: (kind: string, content: unknown): Promise<void> => this.step('working.add', () => this.k.memory().addWorking(this.run.id, kind, content)),
    list: (): Promise<WorkingItem[]> => this.step('working.list', () => this.k.memory().listWorking(this.run.id)),
  };

  async now(): Promise<number> {
    return this.recordedValue('now', 'now', () => this.k.clock.now());
  }

  async uuid(): Promise<string> {
    return this.recordedValue('uuid', 'uuid', () => randomUUID());
  }

  private async recordedValue<T>(name: string, kind: 'now' | 'uuid', make: () => T): Promise<T> {
    const { no, rec } = this.begin(name, kind);
    if (rec?.status === 'completed') return rec.output as T;
    const value = make();
    await this.k.recordStep(this.run, { no, name, kind, status: 'completed', output: value, startedAt: this.k.clock.now(), replace: rec !== undefined }, { type: `step.${kind}`, stepNo: no, data: {} });
    return value;
  }
}

/**
 * An agent recalls only the memory kinds its scope lets it read (documents stay readable):
 * the requested kinds narrowed to the scope; null when nothing at all is left to search.
 */
function withinScope(policy: AgentPolicy | undefined, filters: SearchFilters | undefined): SearchFilters | undefined | null {
  const read = policy?.memory?.read;
  if (!read) return filters;
  const kinds = (filters?.kinds ?? (read as MemoryKind[])).filter((k) => read.includes(k));
  const types = filters?.types ?? ['chunk', 'memory'];
  if (kinds.length) return { ...filters, kinds };
  const rest = types.filter((t) => t !== 'memory');
  return rest.length ? { ...filters, types: rest, kinds: undefined } : null;
}

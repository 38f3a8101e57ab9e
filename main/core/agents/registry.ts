import type { PGlite, Transaction } from '@electric-sql/pglite';
import { Agent, AgentUpdate, type AgentVersion } from '../../../shared/domain/agents';
import { ApiError } from '../../../shared/api/errors';
import type { Log } from '../kernel/internals';
import type { Kernel } from '../kernel/kernel';
import { writeBudget } from '../kernel/operator';

/** A built-in agent as shipped: everything but the bookkeeping fields. */
export type AgentSeed = Omit<Agent, 'version' | 'builtin' | 'updatedAt' | 'enabled'>;

interface AgentRow {
  name: string;
  role: string;
  tier: Agent['tier'];
  memory_scope: Agent['memoryScope'];
  permissions: string[];
  approvals: string[];
  budget: Agent['budget'];
  concurrency: number;
  enabled: boolean;
  builtin: boolean;
  current_version: number;
  updated_at: Date;
  instructions: string;
}

// An agent's budget is its kernel budget (the kernel's cap check reads that table), shown as one cap.
const SELECT = `SELECT a.*, v.instructions,
  (SELECT jsonb_build_object('period', b.period, 'maxUsd', b.max_usd, 'maxTokens', b.max_tokens) FROM kernel_budgets b
    WHERE b.scope = 'agent' AND b.name = a.name ORDER BY b.period LIMIT 1) AS budget
  FROM agents a JOIN agent_versions v ON v.name = a.name AND v.version = a.current_version`;

function toAgent(r: AgentRow): Agent {
  return Agent.parse({
    name: r.name,
    role: r.role,
    instructions: r.instructions,
    version: r.current_version,
    tier: r.tier,
    memoryScope: r.memory_scope,
    permissions: r.permissions,
    approvals: r.approvals,
    budget: r.budget,
    concurrency: r.concurrency,
    enabled: r.enabled,
    builtin: r.builtin,
    updatedAt: new Date(r.updated_at).toISOString(),
  });
}

/**
 * Agents as registered definitions (DESIGN.md §1): the operator reads and edits their
 * instructions (each edit a new version), tier, permissions, budgets and concurrency. The
 * kernel asks this registry, synchronously, what an agent may call (its cache is kept
 * current by every change).
 */
export class AgentRegistry {
  private cache = new Map<string, Agent>();

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; notify?: (event: string, payload: unknown) => void }) {}

  /** Adds the built-in agents that are missing (an operator's edits to present ones stay). */
  async start(seeds: AgentSeed[]): Promise<void> {
    await this.deps.kernel.commit(async (tx, log) => {
      for (const s of seeds) {
        const { rows } = await tx.query(
          `INSERT INTO agents (name, role, tier, memory_scope, permissions, approvals, concurrency, builtin, current_version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, true, 1, now()) ON CONFLICT (name) DO NOTHING RETURNING name`,
          [s.name, s.role, s.tier, JSON.stringify(s.memoryScope), s.permissions, s.approvals, s.concurrency],
        );
        if (!rows.length) continue;
        if (s.budget) await writeBudget(tx, log, { scope: 'agent', name: s.name, ...s.budget }, 'keel');
        await tx.query(`INSERT INTO agent_versions (name, version, instructions, note, created_by, created_at) VALUES ($1, 1, $2, 'as shipped', 'keel', now())`, [s.name, s.instructions]);
        log({ type: 'agent.registered', actor: { kind: 'system', name: 'agents' }, data: { agent: s.name, tier: s.tier, permissions: s.permissions } });
      }
    });
    await this.reload();
    this.deps.kernel.setAgentPolicies((name) => {
      const a = this.cache.get(name);
      return a ? { permissions: a.permissions, approvals: a.approvals, memory: { read: a.memoryScope.read, write: a.memoryScope.write, entityTypes: a.memoryScope.entityTypes } } : undefined;
    });
  }

  /**
   * An app's agents, in the app's install or upgrade transaction: added, or (on upgrade) given
   * the app's new role, permissions and instructions as a new version, like an operator's edit.
   */
  async writeAppAgents(tx: Transaction, log: Log, app: string, seeds: AgentSeed[]): Promise<void> {
    for (const s of seeds) {
      const { rows } = await tx.query<{ current_version: number; instructions: string | null }>(
        `SELECT a.current_version, v.instructions FROM agents a LEFT JOIN agent_versions v ON v.name = a.name AND v.version = a.current_version WHERE a.name = $1`,
        [s.name],
      );
      const version = rows[0] ? rows[0].current_version + (rows[0].instructions === s.instructions ? 0 : 1) : 1;
      await tx.query(
        `INSERT INTO agents (name, role, tier, memory_scope, permissions, approvals, concurrency, builtin, current_version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, now())
         ON CONFLICT (name) DO UPDATE SET role = $2, tier = $3, memory_scope = $4, permissions = $5, approvals = $6, concurrency = $7, current_version = $8, updated_at = now()`,
        [s.name, s.role, s.tier, JSON.stringify(s.memoryScope), s.permissions, s.approvals, s.concurrency, version],
      );
      await tx.query(`INSERT INTO agent_versions (name, version, instructions, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (name, version) DO NOTHING`, [s.name, version, s.instructions, `app ${app}`, `app:${app}`]);
      if (s.budget) await writeBudget(tx, log, { scope: 'agent', name: s.name, ...s.budget }, `app:${app}`);
      log({ type: 'agent.registered', actor: { kind: 'system', name: `app:${app}` }, data: { agent: s.name, app, tier: s.tier, permissions: s.permissions } });
    }
  }

  /** An app's agents removed with everything they registered (versions, budgets). */
  async deleteAppAgents(tx: Transaction, log: Log, app: string, names: string[]): Promise<void> {
    for (const name of names) {
      await tx.query('DELETE FROM agents WHERE name = $1 AND NOT builtin', [name]);
      await tx.query(`DELETE FROM kernel_budgets WHERE scope = 'agent' AND name = $1`, [name]);
      log({ type: 'agent.removed', actor: { kind: 'system', name: `app:${app}` }, data: { agent: name, app } });
    }
  }

  /** Re-reads every agent (after an app changed some in its own transaction). */
  async reload(): Promise<void> {
    const { rows } = await this.deps.db.query<AgentRow>(`${SELECT} ORDER BY a.name`);
    this.cache = new Map(rows.map((r) => [r.name, toAgent(r)]));
    for (const a of this.cache.values()) {
      const limits = this.deps.kernel.limits;
      limits.perAgent = { ...limits.perAgent, [a.name]: a.concurrency };
    }
  }

  list(): Agent[] {
    return [...this.cache.values()];
  }

  get(name: string): Agent {
    const a = this.cache.get(name);
    if (!a) throw new ApiError({ code: 'not_found', message: `There is no agent named "${name}".` });
    return a;
  }

  async versions(name: string): Promise<AgentVersion[]> {
    this.get(name);
    const { rows } = await this.deps.db.query<{ version: number; instructions: string; note: string | null; created_by: string; created_at: Date }>(
      'SELECT * FROM agent_versions WHERE name = $1 ORDER BY version DESC',
      [name],
    );
    return rows.map((r) => ({ version: r.version, instructions: r.instructions, note: r.note, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() }));
  }

  /** One change, one transaction and one ledger event; new instructions make a new version. */
  async update(input: AgentUpdate, actor = 'operator'): Promise<Agent> {
    const u = AgentUpdate.parse(input);
    const before = this.get(u.name);
    const next = { ...before, ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) } as Agent;
    const newVersion = u.instructions !== undefined && u.instructions !== before.instructions;
    if (newVersion) next.version = before.version + 1;
    await this.deps.kernel.commit(async (tx, log) => {
      if (newVersion) {
        await tx.query(`INSERT INTO agent_versions (name, version, instructions, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, now())`, [u.name, next.version, next.instructions, u.note ?? null, actor]);
      }
      await tx.query(
        `UPDATE agents SET tier = $2, permissions = $3, approvals = $4, concurrency = $5, enabled = $6, current_version = $7, memory_scope = $8, updated_at = now() WHERE name = $1`,
        [u.name, next.tier, next.permissions, next.approvals, next.concurrency, next.enabled, next.version, JSON.stringify(next.memoryScope)],
      );
      if (u.budget !== undefined) await replaceBudget(tx, log, u.name, before.budget, u.budget, actor);
      const changed = Object.keys(u).filter((k) => k !== 'name' && k !== 'note');
      log({ type: 'agent.updated', actor: { kind: 'operator', name: actor }, agent: u.name, data: { agent: u.name, changed, version: next.version } });
    });
    await this.reload();
    this.deps.notify?.('agents.changed', { name: u.name });
    if (u.budget !== undefined) this.deps.kernel.notify('budgets.changed', { scope: 'agent', name: u.name });
    return this.get(u.name);
  }

  /** Goes back to an earlier version's instructions, as a new version (history is never rewritten). */
  async revert(name: string, version: number, actor = 'operator'): Promise<Agent> {
    const v = (await this.versions(name)).find((x) => x.version === version);
    if (!v) throw new ApiError({ code: 'not_found', message: `Agent "${name}" has no version ${version}.` });
    return this.update({ name, instructions: v.instructions, note: `reverted to version ${version}` }, actor);
  }
}

/** The agent's one cap replaces its previous one (a cap of another period is removed). */
async function replaceBudget(tx: Transaction, log: Log, agent: string, before: Agent['budget'], after: Agent['budget'], actor: string): Promise<void> {
  if (before && before.period !== after?.period) await writeBudget(tx, log, { scope: 'agent', name: agent, period: before.period, maxUsd: null, maxTokens: null }, actor);
  if (after) await writeBudget(tx, log, { scope: 'agent', name: agent, ...after }, actor);
}

import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { ApiError } from '../../../shared/api/errors';
import type { AppManifest, AppPreview, AppRecord, AppSource, InstalledApp } from '../../../shared/domain/apps';
import { TERMINAL_STATUSES } from '../../../shared/domain/kernel';
import type { AgentRegistry, AgentSeed } from '../agents/registry';
import { readableDocument } from '../agents/documents';
import type { MemoryService } from '../memory/memory';
import type { ModelService } from '../models/model-service';
import { isoAt, jsonSafe, type Log } from '../kernel/internals';
import type { Kernel } from '../kernel/kernel';
import { cancelRun } from '../kernel/operator';
import { cronProblem, nextFire } from '../kernel/triggers';
import { listPermits } from '../kernel/workflow';
import { newId } from '../kernel/ids';
import { canonicalJson } from '../kernel/ledger';
import { permanent } from '../kernel/errors';
import { appAgentName, appWorkflow, appWorkflowName, type InterpreterDeps } from './interpreter';
import { assertValid, checkManifest, MANIFEST_FILE, readManifest } from './manifest';
import { compareVersions } from './versions';
import { AppRecords } from './records';

interface AppRow {
  id: string;
  version: string;
  manifest: AppManifest;
  source: string;
  consent: { permissions: string[]; at: string; by: string };
  settings: Record<string, string | number | boolean>;
  installed_at: Date;
  updated_at: Date;
}

const ACTOR = (app: string) => ({ kind: 'system' as const, name: `app:${app}` });
const OPEN_STATUSES = `(${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** The apps Keel ships (resources/apps): beside the built app, or in a packaged app's resources. */
export function bundledAppsDir(): string | null {
  const env = process.env.KEEL_APPS_DIR;
  if (env) return env;
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'apps'))) return join(packaged, 'apps');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'apps'))) return join(dir, 'resources', 'apps');
    dir = dirname(dir);
  }
  return null;
}

/**
 * Apps (DESIGN.md §6): previewed, installed with the operator's consent to exactly the
 * permissions they ask for, upgraded (data migrated, runs in flight kept on their version),
 * uninstalled with everything they registered. Each change is one transaction with its
 * ledger events; the kernel's registries follow once it commits.
 */
export class AppsService {
  readonly records: AppRecords;
  private readonly apps = new Map<string, AppRow>();
  /** Per app, the kernel version of its installed manifest (1 for the first version installed, 2 for the next...). */
  private readonly kernelVersions = new Map<string, number>();

  constructor(
    private readonly deps: { db: PGlite; kernel: Kernel; memory: MemoryService; agents: AgentRegistry; models: ModelService; bundledDir?: string | null; notify: (event: string, payload: unknown) => void },
  ) {
    this.records = new AppRecords(deps.db, (id) => deps.notify('apps.changed', { id }));
  }

  /** Registers every installed app's workflows, every version installed (runs in flight keep theirs). */
  async start(): Promise<void> {
    const { rows } = await this.deps.db.query<AppRow>('SELECT * FROM apps ORDER BY id');
    for (const row of rows) {
      this.apps.set(row.id, row);
      await this.registerVersions(row.id);
    }
  }

  private async registerVersions(id: string): Promise<void> {
    const { rows } = await this.deps.db.query<{ manifest: AppManifest }>('SELECT manifest FROM app_versions WHERE app_id = $1 ORDER BY installed_at, version', [id]);
    this.kernelVersions.set(id, rows.length);
    rows.forEach((r, i) => {
      for (const wf of r.manifest.workflows) this.deps.kernel.register(appWorkflow(r.manifest, wf, i + 1, this.interpreterDeps()));
    });
  }

  private interpreterDeps(): InterpreterDeps {
    return {
      kernel: this.deps.kernel,
      models: this.deps.models,
      agents: this.deps.agents,
      records: this.records,
      settings: async (id) => this.settingsOf(id),
      installed: (id) => this.installedVersion(id),
      document: (id) => readableDocument(this.deps.memory, id),
    };
  }

  /** The installed manifest and its kernel version (records are kept in its shape). */
  private installedVersion(id: string): { manifest: AppManifest; version: number } {
    const row = this.apps.get(id);
    if (!row) throw permanent(`App ${id} is not installed any more.`);
    return { manifest: row.manifest, version: this.kernelVersions.get(id) ?? 1 };
  }

  private settingsOf(id: string): Record<string, unknown> {
    const row = this.apps.get(id);
    if (!row) return {};
    return { ...Object.fromEntries(row.manifest.settings.map((s) => [s.key, s.default])), ...row.settings };
  }

  private folderOf(source: AppSource): string {
    if ('bundled' in source) {
      const dir = this.deps.bundledDir === undefined ? bundledAppsDir() : this.deps.bundledDir;
      if (!dir || !existsSync(join(dir, source.bundled, MANIFEST_FILE))) throw new ApiError({ code: 'not_found', message: `Keel ships no app named "${source.bundled}".` });
      return join(dir, source.bundled);
    }
    if (!isAbsolute(source.path)) throw new ApiError({ code: 'invalid_input', message: `Give the app's folder as an absolute path (got "${source.path}").` });
    return resolvePath(source.path);
  }

  private world() {
    return {
      workflows: (name: string) => this.deps.kernel.workflows.has(name),
      adapterVersion: (name: string) => this.deps.kernel.adapters.get(name)?.version ?? null,
    };
  }

  /** The apps Keel ships, with the version each would install. */
  bundled(): { id: string; name: string; version: string; description: string; installed: string | null }[] {
    const dir = this.deps.bundledDir === undefined ? bundledAppsDir() : this.deps.bundledDir;
    if (!dir || !existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, MANIFEST_FILE)))
      .map((d) => {
        const m = readManifest(join(dir, d.name));
        return { id: m.id, name: m.name, version: m.version, description: m.description, installed: this.apps.get(m.id)?.version ?? null };
      });
  }

  /** What installing would do and ask, for the operator to read before consenting. */
  preview(source: AppSource): AppPreview {
    const m = readManifest(this.folderOf(source));
    const installed = this.apps.get(m.id);
    const before = installed?.consent.permissions ?? [];
    return {
      id: m.id,
      name: m.name,
      version: m.version,
      description: m.description,
      installed: installed?.version ?? null,
      permissions: m.permissions.map((p) => ({ permission: p, risk: this.riskOf(p), new: !before.includes(p) })),
      adapters: m.adapters.map((a) => ({ name: a.name, major: a.major, available: this.deps.kernel.adapters.get(a.name)?.version ?? null })),
      agents: m.agents.map((a) => ({ name: appAgentName(m.id, a.name), role: a.role, permissions: a.permissions })),
      schedules: m.schedules.map((s) => ({ name: s.name, trigger: s.trigger.kind === 'event' ? `on ${s.trigger.event}${s.trigger.where ? ` where ${JSON.stringify(s.trigger.where)}` : ''}` : s.trigger.kind === 'cron' ? `cron ${s.trigger.expr}` : `every ${Math.round(s.trigger.everyMs / 60_000)} min` })),
      entities: m.entities.map((e) => e.name),
      migrations: installed ? m.migrations.filter((x) => compareVersions(x.to, installed.version) > 0).map((x) => ({ to: x.to, entity: x.entity, ops: x.ops.length })) : [],
      problems: checkManifest(m, this.world()),
    };
  }

  /** The highest risk among the actions a permission covers (null: no such adapter here). */
  private riskOf(permission: string): AppPreview['permissions'][number]['risk'] {
    const [adapter] = permission.split('.');
    const a = this.deps.kernel.adapters.get(adapter!);
    if (!a) return null;
    const order = ['low', 'medium', 'high', 'critical'] as const;
    const risks = Object.entries(a.actions).filter(([name]) => listPermits([permission], adapter!, name)).map(([, act]) => order.indexOf(act.risk));
    return risks.length ? order[Math.max(...risks)]! : null;
  }

  /**
   * Installs or upgrades. `consent` must list every permission the app asks for: the operator
   * read them in the preview and agreed; anything less is refused, naming what is missing.
   */
  async install(source: AppSource, consent: string[], actor = 'operator'): Promise<InstalledApp> {
    const folder = this.folderOf(source);
    const m = readManifest(folder);
    assertValid(m, this.world());
    for (const s of m.schedules) {
      const problem = cronProblem(s.trigger);
      if (problem) throw new ApiError({ code: 'invalid_input', message: `schedules (${s.name}): ${problem}` });
    }
    const missing = m.permissions.filter((p) => !consent.includes(p));
    if (missing.length) throw new ApiError({ code: 'conflict', message: `Installing ${m.name} needs your consent to ${missing.join(', ')}; nothing was installed.` });
    const old = this.apps.get(m.id);
    if (old && compareVersions(m.version, old.version) < 0) throw new ApiError({ code: 'conflict', message: `${m.name} ${old.version} is installed; ${m.version} is older. Uninstall it first to go back.` });
    // Compared whatever the key order (manifests stored before migration 10 were reordered by jsonb).
    if (old && old.version === m.version && canonicalJson(old.manifest) !== canonicalJson(m)) throw new ApiError({ code: 'conflict', message: `${m.name} ${m.version} is installed with a different manifest; give the changed app a new version.` });
    const sourceText = 'bundled' in source ? `bundled:${source.bundled}` : folder;
    const now = this.deps.kernel.clock.now();
    const kernelVersion = await this.deps.kernel.commit(async (tx, log) => {
      const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM app_versions WHERE app_id = $1', [m.id]);
      const already = await tx.query('SELECT 1 FROM app_versions WHERE app_id = $1 AND version = $2', [m.id, m.version]);
      const version = already.rows.length ? rows[0]!.n : rows[0]!.n + 1;
      if (!already.rows.length) await tx.query('INSERT INTO app_versions (app_id, version, manifest, installed_at) VALUES ($1, $2, $3, $4)', [m.id, m.version, JSON.stringify(m), isoAt(now)]);
      const migrated = old ? await this.records.migrate(tx, old.manifest, m, version) : 0;
      await tx.query(
        `INSERT INTO apps (id, version, manifest, source, consent, installed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (id) DO UPDATE SET version = $2, manifest = $3, source = $4, consent = $5, updated_at = $6`,
        [m.id, m.version, JSON.stringify(m), sourceText, JSON.stringify({ permissions: m.permissions, at: isoAt(now), by: actor }), isoAt(now)],
      );
      await this.deps.agents.writeAppAgents(tx, log, m.id, m.agents.map((a) => seedOf(m.id, a)));
      if (old) await this.deps.agents.deleteAppAgents(tx, log, m.id, old.manifest.agents.filter((a) => !m.agents.some((b) => b.name === a.name)).map((a) => appAgentName(m.id, a.name)));
      await this.replaceSchedules(tx, log, m, now);
      log({ type: old ? 'app.upgraded' : 'app.installed', actor: { kind: 'operator', name: actor }, app: m.id, data: { app: m.id, version: m.version, from: old?.version ?? null, permissions: m.permissions, migratedRecords: migrated } });
      return version;
    });
    const { rows } = await this.deps.db.query<AppRow>('SELECT * FROM apps WHERE id = $1', [m.id]);
    this.apps.set(m.id, rows[0]!);
    this.kernelVersions.set(m.id, kernelVersion);
    // New runs start on the new version; runs already in flight keep the version they started on.
    for (const wf of m.workflows) this.deps.kernel.register(appWorkflow(m, wf, kernelVersion, this.interpreterDeps()));
    await this.deps.agents.reload();
    this.deps.notify('apps.changed', { id: m.id });
    return this.get(m.id);
  }

  /** Schedules and subscriptions are the manifest's: replaced whole at each install or upgrade. */
  private async replaceSchedules(tx: Transaction, log: Log, m: AppManifest, now: number): Promise<void> {
    await this.deleteSchedules(tx, log, m.id);
    for (const s of m.schedules) {
      const next = nextFire(s.trigger, now);
      const wf = m.workflows.find((w) => w.name === s.workflow)!;
      const id = newId();
      await tx.query(
        `INSERT INTO kernel_schedules (id, name, workflow, input, trigger, priority, agent, app, paused, next_fire_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7, false, $8, $9, $9)`,
        [id, `${m.id}:${s.name}`, appWorkflowName(m.id, s.workflow), JSON.stringify(jsonSafe(s.input ?? {})), JSON.stringify(s.trigger), appAgentName(m.id, wf.agent), m.id, next === null ? null : isoAt(next), isoAt(now)],
      );
      log({ type: 'schedule.created', actor: ACTOR(m.id), app: m.id, data: { scheduleId: id, name: `${m.id}:${s.name}`, workflow: appWorkflowName(m.id, s.workflow), trigger: s.trigger } });
    }
  }

  private async deleteSchedules(tx: Transaction, log: Log, app: string): Promise<void> {
    const { rows } = await tx.query<{ id: string; name: string }>('DELETE FROM kernel_schedules WHERE app = $1 RETURNING id, name', [app]);
    for (const r of rows) log({ type: 'schedule.deleted', actor: ACTOR(app), app, data: { scheduleId: r.id, name: r.name } });
  }

  /**
   * Removes the app and everything it registered: schedules and subscriptions, agents (with
   * their budgets), workflows; its records kept or removed as the operator chooses. Runs still
   * in flight are refused unless `cancelRuns` (then cancelled, their effects compensated).
   */
  async uninstall(id: string, opts: { keepData: boolean; cancelRuns?: boolean }, actor = 'operator'): Promise<{ cancelledRuns: number; removedRecords: number }> {
    const app = this.mustGet(id);
    const open = await this.deps.db.query<{ id: string }>(`SELECT id FROM kernel_runs WHERE app = $1 AND status NOT IN ${OPEN_STATUSES}`, [id]);
    if (open.rows.length && !opts.cancelRuns) {
      throw new ApiError({ code: 'conflict', message: `${app.manifest.name} has ${open.rows.length} run(s) in flight; let them finish, or uninstall with cancelRuns to cancel them (their effects are undone).` });
    }
    for (const r of open.rows) await cancelRun(this.deps.kernel, r.id, { compensate: true }, actor);
    // The cancelled runs undo their effects with the app's workflows: they stay registered until then.
    await this.untilEnded(open.rows.map((r) => r.id));
    const removedRecords = await this.deps.kernel.commit(async (tx, log) => {
      await this.deleteSchedules(tx, log, id);
      await this.deps.agents.deleteAppAgents(tx, log, id, app.manifest.agents.map((a) => appAgentName(id, a.name)));
      await tx.query('DELETE FROM apps WHERE id = $1', [id]);
      await tx.query('DELETE FROM app_versions WHERE app_id = $1', [id]);
      const removed = opts.keepData ? 0 : (await tx.query('DELETE FROM app_records WHERE app_id = $1', [id])).affectedRows ?? 0;
      log({ type: 'app.uninstalled', actor: { kind: 'operator', name: actor }, app: id, data: { app: id, version: app.version, keptData: opts.keepData, removedRecords: removed, cancelledRuns: open.rows.length } });
      return removed;
    });
    for (const wf of app.manifest.workflows) this.deps.kernel.unregister(appWorkflowName(id, wf.name));
    this.apps.delete(id);
    this.kernelVersions.delete(id);
    await this.deps.agents.reload();
    this.deps.notify('apps.changed', { id });
    return { cancelledRuns: open.rows.length, removedRecords };
  }

  /** Waits (at most 30 s: a compensation that escalates waits for the operator) for runs to reach an end. */
  private async untilEnded(ids: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (ids.length && Date.now() < deadline) {
      const { rows } = await this.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_runs WHERE id = ANY($1) AND status NOT IN ${OPEN_STATUSES}`, [ids]);
      if (rows[0]!.n === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async setSettings(id: string, values: Record<string, string | number | boolean>, actor = 'operator'): Promise<InstalledApp> {
    const app = this.mustGet(id);
    for (const [key, value] of Object.entries(values)) {
      const decl = app.manifest.settings.find((s) => s.key === key);
      if (!decl) throw new ApiError({ code: 'invalid_input', message: `${app.manifest.name} has no setting "${key}" (it has ${app.manifest.settings.map((s) => s.key).join(', ') || 'none'}).` });
      if (typeof value !== decl.type) throw new ApiError({ code: 'invalid_input', message: `${app.manifest.name}'s setting ${key} is a ${decl.type}; got ${JSON.stringify(value)}.` });
    }
    const settings = { ...app.settings, ...values };
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query('UPDATE apps SET settings = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(settings)]);
      log({ type: 'app.settings_saved', actor: { kind: 'operator', name: actor }, app: id, data: { app: id, keys: Object.keys(values) } });
    });
    this.apps.set(id, { ...app, settings });
    this.deps.notify('apps.changed', { id });
    return this.get(id);
  }

  private mustGet(id: string): AppRow {
    const app = this.apps.get(id);
    if (!app) throw new ApiError({ code: 'not_found', message: `There is no installed app "${id}".` });
    return app;
  }

  async get(id: string): Promise<InstalledApp> {
    const app = this.mustGet(id);
    const counts = await this.records.counts(id);
    const m = app.manifest;
    return {
      id,
      name: m.name,
      version: app.version,
      description: m.description,
      source: app.source,
      permissions: app.consent.permissions,
      agents: m.agents.map((a) => appAgentName(id, a.name)),
      workflows: m.workflows.map((w) => appWorkflowName(id, w.name)),
      schedules: m.schedules.map((s) => `${id}:${s.name}`),
      entities: m.entities.map((e) => ({ name: e.name, records: counts.get(e.name)?.records ?? 0, changedAt: counts.get(e.name)?.changedAt ?? null, fields: schemaFields(e.schema) })),
      settings: this.settingsOf(id) as InstalledApp['settings'],
      settingLabels: Object.fromEntries(m.settings.map((x) => [x.key, x.label])),
      installedAt: app.installed_at.toISOString(),
      updatedAt: app.updated_at.toISOString(),
    };
  }

  async list(): Promise<InstalledApp[]> {
    return Promise.all([...this.apps.keys()].sort().map((id) => this.get(id)));
  }

  async recordsOf(id: string, entity: string): Promise<AppRecord[]> {
    this.mustHaveEntity(id, entity);
    return this.records.list(id, entity);
  }

  /** What the operator looks at: the most recently changed records first, and how many there are. */
  async latestRecords(id: string, entity: string, limit: number): Promise<{ records: AppRecord[]; total: number }> {
    this.mustHaveEntity(id, entity);
    return this.records.latest(id, entity, limit);
  }

  private mustHaveEntity(id: string, entity: string): void {
    const app = this.mustGet(id);
    if (!app.manifest.entities.some((e) => e.name === entity)) throw new ApiError({ code: 'not_found', message: `${app.manifest.name} has no entity "${entity}".` });
  }
}

/** The fields an entity's JSON Schema names at its top level, in the manifest's order. */
function schemaFields(schema: Record<string, unknown>): string[] {
  const props = schema.properties;
  return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : [];
}

function seedOf(app: string, a: AppManifest['agents'][number]): AgentSeed {
  return {
    name: appAgentName(app, a.name),
    role: a.role,
    instructions: a.instructions,
    tier: a.tier,
    memoryScope: { read: a.memory.read, write: a.memory.write, entityTypes: [] },
    permissions: a.permissions,
    approvals: a.approvals,
    budget: a.budget ?? null,
    concurrency: a.concurrency,
  };
}

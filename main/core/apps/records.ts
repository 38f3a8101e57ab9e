import type { PGlite, Transaction } from '@electric-sql/pglite';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { AppManifest, AppRecord } from '../../../shared/domain/apps';
import { permanent } from '../kernel/errors';
import { compareVersions } from './versions';
import { resolve } from './templates';

type Queryable = PGlite | Transaction;

/**
 * The records of an app's entities (app_records): JSON checked against the entity's schema in
 * the installed manifest, kept per app and entity by id. Upgrades migrate them (`migrate`).
 */
export class AppRecords {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  /** `written` hears of every record a run stores (the operator's views follow it). */
  constructor(
    private readonly db: PGlite,
    private readonly written: (appId: string) => void = () => {},
  ) {}

  private validator(app: AppManifest, entity: string): ValidateFunction {
    const key = `${app.id}@${app.version}/${entity}`;
    let v = this.validators.get(key);
    if (!v) {
      const decl = app.entities.find((e) => e.name === entity);
      if (!decl) throw permanent(`App ${app.id} has no entity "${entity}".`);
      this.validators.set(key, (v = this.ajv.compile(decl.schema)));
    }
    return v;
  }

  /** Why data does not fit the entity's schema, or null when it does. */
  problem(app: AppManifest, entity: string, data: unknown): string | null {
    const v = this.validator(app, entity);
    if (v(data)) return null;
    return (v.errors ?? []).map((e) => `${e.instancePath || '(record)'} ${e.message}`).join('; ');
  }

  /**
   * Writes a record from a run of `app` (the version the run started on). When the app was
   * upgraded since, the record is migrated to the installed version before it is checked and
   * stored, so a run finishing on its old version never leaves data in the old shape.
   */
  async put(runApp: AppManifest, installed: { manifest: AppManifest; version: number }, entity: string, id: string, given: unknown): Promise<AppRecord> {
    if (!id) throw permanent(`A ${entity} record needs an id.`);
    const app = installed.manifest;
    const schemaVersion = installed.version;
    const data = runApp.version === app.version ? given : migrateRecord(given as Record<string, unknown>, runApp, app, entity);
    const problem = this.problem(app, entity, data);
    if (problem) throw permanent(`The ${entity} record ${id} does not fit its schema in ${app.id} ${app.version}: ${problem}`);
    const { rows } = await this.db.query<{ updated_at: Date }>(
      `INSERT INTO app_records (app_id, entity, id, data, schema_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now())
       ON CONFLICT (app_id, entity, id) DO UPDATE SET data = EXCLUDED.data, schema_version = EXCLUDED.schema_version, updated_at = now() RETURNING updated_at`,
      [app.id, entity, id, JSON.stringify(data), schemaVersion],
    );
    this.written(app.id);
    return { entity, id, data, updatedAt: rows[0]!.updated_at.toISOString() };
  }

  async list(appId: string, entity: string, where: Record<string, unknown> = {}, q: Queryable = this.db): Promise<AppRecord[]> {
    const { rows } = await q.query<{ id: string; data: unknown; updated_at: Date }>(
      `SELECT id, data, updated_at FROM app_records WHERE app_id = $1 AND entity = $2 AND data @> $3 ORDER BY updated_at, id`,
      [appId, entity, JSON.stringify(where)],
    );
    return rows.map((r) => toRecord(entity, r));
  }

  async latest(appId: string, entity: string, limit: number): Promise<{ records: AppRecord[]; total: number }> {
    const { rows } = await this.db.query<{ id: string; data: unknown; updated_at: Date; total: number }>(
      `SELECT id, data, updated_at, count(*) OVER ()::int AS total FROM app_records WHERE app_id = $1 AND entity = $2 ORDER BY updated_at DESC, id DESC LIMIT $3`,
      [appId, entity, limit],
    );
    return { records: rows.map((r) => toRecord(entity, r)), total: rows[0]?.total ?? 0 };
  }

  /** Per entity: how many records, and when one last changed (null: none yet). */
  async counts(appId: string): Promise<Map<string, { records: number; changedAt: string }>> {
    const { rows } = await this.db.query<{ entity: string; n: number; changed: Date }>('SELECT entity, count(*)::int AS n, max(updated_at) AS changed FROM app_records WHERE app_id = $1 GROUP BY entity', [appId]);
    return new Map(rows.map((r) => [r.entity, { records: r.n, changedAt: r.changed.toISOString() }]));
  }

  /**
   * Applies an upgrade's data migrations inside its transaction: each record renamed, set and
   * removed field by field, then checked against the new version's schema. The first record
   * that does not fit stops the upgrade (nothing changes) with its id and what is wrong.
   */
  async migrate(tx: Transaction, from: AppManifest, to: AppManifest, schemaVersion: number): Promise<number> {
    let changed = 0;
    for (const entity of new Set(to.entities.map((e) => e.name))) {
      const mine = migrationsBetween(from, to, entity);
      for (const r of await this.list(to.id, entity, {}, tx)) {
        const data = migrateRecord(r.data as Record<string, unknown>, from, to, entity);
        const problem = this.problem(to, entity, data);
        if (problem) throw permanent(`Upgrading ${to.id} to ${to.version}: the ${entity} record ${r.id} does not fit the new schema after migration: ${problem}. Nothing was changed.`);
        await tx.query('UPDATE app_records SET data = $4, schema_version = $5, updated_at = now() WHERE app_id = $1 AND entity = $2 AND id = $3', [to.id, entity, r.id, JSON.stringify(data), schemaVersion]);
        if (mine.length) changed++;
      }
    }
    return changed;
  }
}

type Op = AppManifest['migrations'][number]['ops'][number];

/** The migrations of one entity after `from`'s version up to `to`'s, in version order. */
function migrationsBetween(from: AppManifest, to: AppManifest, entity: string): AppManifest['migrations'] {
  return to.migrations
    .filter((m) => m.entity === entity && compareVersions(m.to, from.version) > 0 && compareVersions(m.to, to.version) <= 0)
    .sort((a, b) => compareVersions(a.to, b.to));
}

function migrateRecord(data: Record<string, unknown>, from: AppManifest, to: AppManifest, entity: string): Record<string, unknown> {
  return migrationsBetween(from, to, entity).reduce((d, m) => applyOps(d, m.ops), data);
}

function applyOps(record: Record<string, unknown>, ops: Op[]): Record<string, unknown> {
  const out = { ...record };
  for (const op of ops) {
    if ('rename' in op) {
      if (Object.prototype.hasOwnProperty.call(out, op.rename.from)) out[op.rename.to] = out[op.rename.from];
      delete out[op.rename.from];
    } else if ('set' in op) {
      out[op.set.field] = resolve(op.set.value, { record: out });
    } else {
      delete out[op.remove];
    }
  }
  return out;
}

const toRecord = (entity: string, r: { id: string; data: unknown; updated_at: Date }): AppRecord => ({ entity, id: r.id, data: r.data, updatedAt: r.updated_at.toISOString() });

import { createHash } from 'node:crypto';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Migration } from './migrations';

export class SchemaTooNewError extends Error {
  constructor(
    readonly folderVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `This data folder was written by a newer Keel (schema version ${folderVersion}); ` +
        `this Keel only knows schema version ${knownVersion}. Update Keel to open it; nothing was changed.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export class MigrationTamperedError extends Error {
  constructor(
    readonly version: number,
    readonly name_: string,
    recorded: string,
    current: string,
  ) {
    super(
      `Migration ${version} (${name_}) differs from the one applied to this data folder ` +
        `(recorded checksum ${recorded.slice(0, 12)}…, this build has ${current.slice(0, 12)}…). ` +
        `Migrations are append-only: restore the original and add a new migration instead.`,
    );
    this.name = 'MigrationTamperedError';
  }
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export interface MigrationReport {
  applied: number[];
  schemaVersion: number;
}

/**
 * Verifies every recorded migration against this build (refusing newer or edited schemas
 * before touching anything), then applies the missing ones, each in its own transaction
 * together with its record.
 */
export async function migrate(db: PGlite, list: readonly Migration[]): Promise<MigrationReport> {
  await db.exec(`CREATE TABLE IF NOT EXISTS keel_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await db.query<AppliedRow>('SELECT version, name, checksum FROM keel_migrations ORDER BY version');
  const known = new Map(list.map((m) => [m.version, m]));
  const knownVersion = list.length ? Math.max(...list.map((m) => m.version)) : 0;
  for (const row of rows) {
    const mine = known.get(row.version);
    if (!mine) throw new SchemaTooNewError(Math.max(...rows.map((r) => r.version)), knownVersion);
    const sum = checksum(mine.sql);
    if (sum !== row.checksum) throw new MigrationTamperedError(row.version, row.name, row.checksum, sum);
  }
  const done = new Set(rows.map((r) => r.version));
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx: Transaction) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO keel_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        checksum(m.sql),
      ]);
    });
    applied.push(m.version);
  }
  return { applied, schemaVersion: knownVersion };
}

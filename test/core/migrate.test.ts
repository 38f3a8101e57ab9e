import { describe, expect, test } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { migrate, checksum, MigrationTamperedError, SchemaTooNewError } from '../../main/core/db/migrate';
import { migrations as shipped } from '../../main/core/db/migrations';
import type { Migration } from '../../main/core/db/migrations';
import { tempDir } from '../support/temp';

const v1: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE a (id int primary key);' };
const v2: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE b (id int primary key);' };

async function withDb<T>(dir: string, fn: (db: PGlite) => Promise<T>): Promise<T> {
  const db = await PGlite.create(dir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe('migrations on a real PGlite folder', () => {
  test('apply once, survive a reopen, and a re-run is a no-op', async () => {
    const dir = tempDir();
    const first = await withDb(dir, (db) => migrate(db, [v1, v2]));
    expect(first.applied).toEqual([1, 2]);
    const again = await withDb(dir, (db) => migrate(db, [v1, v2]));
    expect(again.applied).toEqual([]);
    const rows = await withDb(dir, (db) => db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM keel_migrations ORDER BY version'));
    expect(rows.rows).toEqual([
      { version: 1, checksum: checksum(v1.sql) },
      { version: 2, checksum: checksum(v2.sql) },
    ]);
  });

  test('a new migration is applied on the next open, old ones are not re-run', async () => {
    const dir = tempDir();
    await withDb(dir, (db) => migrate(db, [v1]));
    const next = await withDb(dir, (db) => migrate(db, [v1, v2]));
    expect(next.applied).toEqual([2]);
  });

  test('an edited migration is refused and nothing new is applied', async () => {
    const dir = tempDir();
    await withDb(dir, (db) => migrate(db, [v1]));
    const edited = { ...v1, sql: v1.sql + ' -- edited' };
    const err = await withDb(dir, (db) => migrate(db, [edited, v2]).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(MigrationTamperedError);
    expect((err as Error).message).toMatch(/Migration 1 \(one\) differs .* append-only/);
    const tables = await withDb(dir, (db) => db.query("SELECT 1 FROM pg_tables WHERE tablename = 'b'"));
    expect(tables.rows).toHaveLength(0);
  });

  test('a folder written by a newer schema is refused with a message saying so', async () => {
    const dir = tempDir();
    await withDb(dir, (db) => migrate(db, [v1, v2]));
    const err = await withDb(dir, (db) => migrate(db, [v1]).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect((err as Error).message).toContain('newer Keel (schema version 2)');
    expect((err as Error).message).toContain('only knows schema version 1');
  });

  test('a failing migration leaves no record and no half-applied change', async () => {
    const dir = tempDir();
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE c (id int); SELECT * FROM no_such_table;' };
    await expect(withDb(dir, (db) => migrate(db, [v1, broken]))).rejects.toThrow(/no_such_table/);
    const state = await withDb(dir, async (db) => ({
      versions: (await db.query<{ version: number }>('SELECT version FROM keel_migrations')).rows.map((r) => r.version),
      c: (await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'c'")).rows.length,
    }));
    expect(state).toEqual({ versions: [1], c: 0 });
  });

  test('the shipped migrations are numbered 1..n without gaps and load pgvector', async () => {
    expect(shipped.map((m) => m.version)).toEqual(shipped.map((_, i) => i + 1));
    expect(shipped[0]!.sql).toContain('CREATE EXTENSION IF NOT EXISTS vector');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataFolderLayout } from '../../main/core/data-folder/paths';
import { openDatabase } from '../../main/core/db/database';

/**
 * Vitest global setup: one empty, migrated Keel database per test run, which every fresh data
 * folder the tests open is copied from (KEEL_DATABASE_TEMPLATE, see main/core/db/database.ts)
 * instead of running PGlite's initdb again, seconds each time. It is made by the same
 * openDatabase, so the first-run path is still what makes it. Test files that must see a
 * truly new database (test/core/migrate.test.ts) create theirs with PGlite directly.
 */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-db-template-'));
  delete process.env.KEEL_DATABASE_TEMPLATE;
  const { db } = await openDatabase(dir);
  await db.close();
  // Workers are started after global setup and inherit the environment.
  process.env.KEEL_DATABASE_TEMPLATE = join(dir, dataFolderLayout.database);
  return () => rmSync(dir, { recursive: true, force: true });
}

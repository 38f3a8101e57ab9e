import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { dataFolderLayout } from '../data-folder/paths';
import { migrate, type MigrationReport } from './migrate';
import { migrations } from './migrations';

export interface OpenDatabase {
  db: PGlite;
  migrations: MigrationReport;
}

/** Opens (creating on first use) the data folder's PGlite with pgvector and brings its schema up to date. */
export async function openDatabase(dataDir: string): Promise<OpenDatabase> {
  const path = join(dataDir, dataFolderLayout.database);
  seedFromTemplate(path, process.env.KEEL_DATABASE_TEMPLATE);
  const db = await PGlite.create(path, { extensions: { vector } });
  try {
    const report = await migrate(db, migrations);
    return { db, migrations: report };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/**
 * KEEL_DATABASE_TEMPLATE names a closed Keel database folder to copy when a data folder has
 * none yet, instead of PGlite's initdb (seconds; a copy takes a fraction of one). The test
 * suite makes one per run (test/support/database-template.ts); migrations run after the copy
 * as always, so an older template is brought up to date. Copied beside and renamed into
 * place, so a crash mid-copy leaves no half database.
 */
function seedFromTemplate(path: string, template: string | undefined): void {
  if (!template || existsSync(path)) return;
  if (!existsSync(join(template, 'PG_VERSION'))) throw new Error(`KEEL_DATABASE_TEMPLATE=${template} is not a database folder (it has no PG_VERSION).`);
  const partial = `${path}.copying`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(template, partial, { recursive: true });
  renameSync(partial, path);
}

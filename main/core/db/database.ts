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
  const db = await PGlite.create(join(dataDir, dataFolderLayout.database), { extensions: { vector } });
  try {
    const report = await migrate(db, migrations);
    return { db, migrations: report };
  } catch (err) {
    await db.close();
    throw err;
  }
}

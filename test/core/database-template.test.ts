import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { dataFolderLayout } from '../../main/core/data-folder/paths';
import { openDatabase } from '../../main/core/db/database';
import { latestSchemaVersion } from '../../main/core/db/migrations';
import { tempDir } from '../support/temp';

/** KEEL_DATABASE_TEMPLATE: a new data folder's database copied from a prepared one instead of initdb. */
const saved = process.env.KEEL_DATABASE_TEMPLATE;
afterEach(() => {
  if (saved === undefined) delete process.env.KEEL_DATABASE_TEMPLATE;
  else process.env.KEEL_DATABASE_TEMPLATE = saved;
});

async function schemaVersion(dataDir: string): Promise<number> {
  const { db } = await openDatabase(dataDir);
  try {
    const { rows } = await db.query<{ v: number }>('SELECT max(version)::int AS v FROM keel_migrations');
    return rows[0]!.v;
  } finally {
    await db.close();
  }
}

describe('a new database from a template', () => {
  test("a data folder without a database gets a copy of the template, with the template's rows; one with a database keeps its own", async () => {
    const templateDir = tempDir();
    delete process.env.KEEL_DATABASE_TEMPLATE;
    const { db } = await openDatabase(templateDir);
    await db.exec(`CREATE TABLE template_marker (n int); INSERT INTO template_marker VALUES (7)`);
    await db.close();
    process.env.KEEL_DATABASE_TEMPLATE = join(templateDir, dataFolderLayout.database);

    const fresh = tempDir();
    const opened = await openDatabase(fresh);
    try {
      expect((await opened.db.query<{ n: number }>('SELECT n FROM template_marker')).rows).toEqual([{ n: 7 }]);
      await opened.db.query('UPDATE template_marker SET n = 8');
    } finally {
      await opened.db.close();
    }
    expect(existsSync(join(fresh, `${dataFolderLayout.database}.copying`))).toBe(false);
    expect(await schemaVersion(fresh)).toBe(latestSchemaVersion);
    // Reopened: its own database, not a new copy; the template is untouched.
    const again = await openDatabase(fresh);
    try {
      expect((await again.db.query<{ n: number }>('SELECT n FROM template_marker')).rows).toEqual([{ n: 8 }]);
    } finally {
      await again.db.close();
    }
    delete process.env.KEEL_DATABASE_TEMPLATE;
    const template = await openDatabase(templateDir);
    expect((await template.db.query<{ n: number }>('SELECT n FROM template_marker')).rows).toEqual([{ n: 7 }]);
    await template.db.close();
  });

  test('a copy left half done by a crash is thrown away and made again', async () => {
    const templateDir = tempDir();
    delete process.env.KEEL_DATABASE_TEMPLATE;
    await (await openDatabase(templateDir)).db.close();
    process.env.KEEL_DATABASE_TEMPLATE = join(templateDir, dataFolderLayout.database);
    const dataDir = tempDir();
    mkdirSync(join(dataDir, `${dataFolderLayout.database}.copying`));
    writeFileSync(join(dataDir, `${dataFolderLayout.database}.copying`, 'PG_VERSION'), 'half');
    expect(await schemaVersion(dataDir)).toBe(latestSchemaVersion);
    expect(existsSync(join(dataDir, `${dataFolderLayout.database}.copying`))).toBe(false);
  });

  test('a template that is not a database is refused by name, and no database is made', async () => {
    const notADatabase = tempDir();
    process.env.KEEL_DATABASE_TEMPLATE = notADatabase;
    const dataDir = tempDir();
    await expect(openDatabase(dataDir)).rejects.toThrow(`KEEL_DATABASE_TEMPLATE=${notADatabase} is not a database folder (it has no PG_VERSION).`);
    expect(existsSync(join(dataDir, dataFolderLayout.database))).toBe(false);
  });
});

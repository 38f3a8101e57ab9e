import foundation from './0001_foundation';
import kernel from './0002_kernel';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Append-only: a migration, once released, is never edited (its checksum is recorded in
 * every data folder it touched). Change the schema by adding the next version here.
 */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation },
  { version: 2, name: 'kernel', sql: kernel },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;

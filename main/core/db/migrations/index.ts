import foundation from './0001_foundation';
import kernel from './0002_kernel';
import memory from './0003_memory';
import postingsUncompressed from './0004_postings_uncompressed';
import modelsAgents from './0005_models_agents';
import emailSecrets from './0006_email_secrets';
import imap from './0007_imap';
import calendar from './0008_calendar';
import adaptersApps from './0009_adapters_apps';
import appManifestOrder from './0010_app_manifest_order';

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
  { version: 3, name: 'memory', sql: memory },
  { version: 4, name: 'postings_uncompressed', sql: postingsUncompressed },
  { version: 5, name: 'models_agents', sql: modelsAgents },
  { version: 6, name: 'email_secrets', sql: emailSecrets },
  { version: 7, name: 'imap', sql: imap },
  { version: 8, name: 'calendar', sql: calendar },
  { version: 9, name: 'adapters_apps', sql: adaptersApps },
  { version: 10, name: 'app_manifest_order', sql: appManifestOrder },
];

export const latestSchemaVersion = Math.max(...migrations.map((m) => m.version));

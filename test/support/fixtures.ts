import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server-process';

/** The shared, read-only test assets (../shared/fixtures): read from there, never copied. */
export const FIXTURES = join(ROOT, '..', 'shared', 'fixtures');
export const DOCUMENTS = join(FIXTURES, 'documents');
export const MODELS = join(FIXTURES, 'models');
export const DBPEDIA = join(FIXTURES, 'ir', 'dbpedia-5k');

if (!existsSync(FIXTURES)) throw new Error(`The shared fixtures are missing: expected them at ${FIXTURES}.`);

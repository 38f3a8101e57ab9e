import type { PGlite } from '@electric-sql/pglite';
import type { Kernel } from '../kernel/kernel';
import type { Embedder } from './embed/embedder';
import type { Originals } from './documents/originals';
import type { ParsePool } from './parse/parse-pool';
import type { Bm25Index } from './search/bm25';
import type { Settings } from './settings';
import type { Embeddings } from './embeddings';
import type { Uploads } from './documents/uploads';

/** What every part of the memory layer shares: the database, the kernel, the index, the workers. */
export interface MemoryContext {
  db: PGlite;
  kernel: Kernel;
  bm25: Bm25Index;
  parsePool: ParsePool;
  embedder: Embedder;
  embeddings: Embeddings;
  uploads: Uploads;
  originals: Originals;
  settings: Settings;
  /** The data folder's area for uploads in progress. */
  uploadsDir: string;
  /** Pushes an API event. */
  notify(event: string, payload: unknown): void;
  /** Called once a document version is stored (links it to the entities it names). */
  afterStored(documentId: string): Promise<void>;
  /** Commits a memory write with its ledger events; the keyword index is refreshed after. */
  commit: Kernel['commit'];
}

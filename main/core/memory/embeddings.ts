import type { EmbeddingState } from '../../../shared/domain/memory';
import type { MemoryContext } from './context';
import { chunkHeading } from './documents/store';
import type { EmbedderState } from './embed/embedder';

const BATCH = 64;
export const HNSW_EF_SEARCH = 40;
const TABLES = ['memory_chunks', 'memory_items'] as const;
type Table = (typeof TABLES)[number];

/** `[0.1,0.2,…]`: pgvector's text form, the cheapest way to hand a vector to PGlite. */
export const vectorLiteral = (v: Float32Array): string => `[${Array.from(v).join(',')}]`;

/**
 * Embeddings in the database: which model the stored vectors come from, the vector columns'
 * dimension and HNSW indexes (set when a model is first ready, reset when it changes, so
 * vectors of two models are never compared), embedding a document's chunks during ingestion,
 * and the background backfill of everything still without a vector.
 */
export class Embeddings {
  private active: { key: string; dims: number } | null = null;
  private backfilling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly m: MemoryContext) {}

  async start(): Promise<void> {
    // HNSW search breadth: search asks for at most 30 neighbours for a top-10 (see search.ts);
    // ef_search 40 keeps recall@10 ≥ 0.95 at 100k vectors (bench: memory.hnsw_recall_at_10).
    // Iterative scans return more when a query asks for more (limit 100, a filtered query).
    // An index built over existing rows is built in memory when it fits: 3x quicker at 100k.
    await this.m.db.exec(`SET hnsw.ef_search = ${HNSW_EF_SEARCH}; SET hnsw.iterative_scan = strict_order; SET maintenance_work_mem = '512MB'`);
    const { rows } = await this.m.db.query<{ value: { key: string; dims: number } }>(`SELECT value FROM memory_settings WHERE key = 'embedding.active'`);
    this.active = rows[0]?.value ?? null;
    this.m.embedder.onState((state) => void this.onState(state));
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.backfilling ?? Promise.resolve();
  }

  /** Vectors can be written and searched: the model runs and the columns fit it. */
  ready(): boolean {
    const s = this.m.embedder.state;
    return s.status === 'ready' && this.active?.key === modelKey(s) && this.active.dims === s.dims;
  }

  private async onState(state: EmbedderState): Promise<void> {
    if (state.status === 'ready') {
      try {
        await this.fitColumns(modelKey(state), state.dims);
      } catch (err) {
        console.error('[memory] could not prepare the vector columns:', err);
        return;
      }
      this.backfill();
    }
    await this.announce();
  }

  /** Gives the vector columns the model's dimension; a different model clears the old vectors. */
  private async fitColumns(key: string, dims: number): Promise<void> {
    if (this.active?.key === key && this.active.dims === dims) return;
    const from = this.active;
    await this.m.commit(async (tx, log) => {
      for (const table of TABLES) {
        await tx.exec(`DROP INDEX IF EXISTS ${table}_embedding_hnsw`);
        await tx.exec(`UPDATE ${table} SET embedding = NULL, embedding_model = NULL WHERE embedding IS NOT NULL`);
        await tx.exec(`ALTER TABLE ${table} ALTER COLUMN embedding TYPE vector(${Math.trunc(dims)})`);
        await tx.exec(`CREATE INDEX ${table}_embedding_hnsw ON ${table} USING hnsw (embedding vector_cosine_ops)`);
      }
      await tx.query(`INSERT INTO memory_settings (key, value) VALUES ('embedding.active', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [JSON.stringify({ key, dims })]);
      log({ type: 'embeddings.model_set', actor: { kind: 'system', name: 'memory' }, data: { model: key, dims, previous: from?.key ?? null } });
    });
    this.active = { key, dims };
  }

  /** Embeds a document version's chunks that have no vector yet; returns how many it embedded. */
  async embedDocument(documentId: string, version: number): Promise<number> {
    let total = 0;
    for (;;) {
      if (!this.ready()) return total;
      const { rows } = await this.m.db.query<{ id: string; text: string; heading_path: string[]; title: string | null }>(
        `SELECT c.id, c.text, c.heading_path, d.title FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
         WHERE c.document_id = $1 AND c.version = $2 AND c.embedding IS NULL ORDER BY c.ordinal LIMIT ${BATCH}`,
        [documentId, version],
      );
      if (rows.length === 0) return total;
      await this.write('memory_chunks', rows.map((r) => r.id), rows.map((r) => embeddingText(r.title, r.heading_path, r.text)));
      total += rows.length;
    }
  }

  /**
   * Vectors for texts about to be stored (pgvector text form), or null when the model is not
   * ready or fails: the rows are then stored without and the backfill embeds them later.
   */
  async literalsFor(texts: string[]): Promise<{ literals: string[]; model: string } | null> {
    if (!this.ready() || texts.length === 0) return null;
    try {
      const vectors = await this.m.embedder.embed(texts, 'bulk');
      return this.ready() ? { literals: vectors.map(vectorLiteral), model: this.active!.key } : null;
    } catch {
      return null;
    }
  }

  /** One batch: embed (bulk priority, behind any search) and store. */
  private async write(table: Table, ids: string[], texts: string[]): Promise<void> {
    const vectors = await this.m.embedder.embed(texts, 'bulk');
    if (!this.ready()) return; // the model changed meanwhile: these vectors belong to no column
    await this.m.db.query(
      `UPDATE ${table} t SET embedding = x.v::vector, embedding_model = $3 FROM unnest($1::text[], $2::text[]) AS x(id, v) WHERE t.id = x.id`,
      [ids, vectors.map(vectorLiteral), this.active!.key],
    );
  }

  /** The query's vector, ahead of any bulk work; null when semantic search is off. */
  async queryVector(text: string): Promise<Float32Array | null> {
    if (!this.ready()) return null;
    try {
      const [v] = await this.m.embedder.embed([text], 'interactive');
      return v ?? null;
    } catch {
      return null;
    }
  }

  /** Starts (once) the background pass that embeds every chunk and memory still without a vector. */
  backfill(): void {
    if (this.backfilling || this.stopped) return;
    this.backfilling = this.backfillLoop()
      .catch((err) => console.error('[memory] background embedding stopped:', err))
      .finally(() => {
        this.backfilling = null;
        void this.announce();
      });
  }

  private async backfillLoop(): Promise<void> {
    let sinceAnnounce = 0;
    while (!this.stopped && this.ready()) {
      const batch = await this.nextBackfillBatch();
      if (!batch) return;
      await this.write(batch.table, batch.ids, batch.texts);
      if ((sinceAnnounce += batch.ids.length) >= 512) {
        sinceAnnounce = 0;
        await this.announce();
      }
    }
  }

  /** Memories first (few, and what agents recall), then chunks of documents done ingesting. */
  private async nextBackfillBatch(): Promise<{ table: Table; ids: string[]; texts: string[] } | null> {
    const mem = await this.m.db.query<{ id: string; text: string }>(`SELECT id, text FROM memory_items WHERE embedding IS NULL ORDER BY unit_no LIMIT ${BATCH}`);
    if (mem.rows.length) return { table: 'memory_items', ids: mem.rows.map((r) => r.id), texts: mem.rows.map((r) => r.text) };
    const { rows } = await this.m.db.query<{ id: string; text: string; heading_path: string[]; title: string | null }>(
      `SELECT c.id, c.text, c.heading_path, d.title FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
       WHERE c.embedding IS NULL AND d.status IN ('indexed', 'failed') ORDER BY c.unit_no LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return null;
    return { table: 'memory_chunks', ids: rows.map((r) => r.id), texts: rows.map((r) => embeddingText(r.title, r.heading_path, r.text)) };
  }

  async pending(): Promise<number> {
    const { rows } = await this.m.db.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM memory_chunks WHERE embedding IS NULL) + (SELECT count(*) FROM memory_items WHERE embedding IS NULL) AS n`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async state(): Promise<EmbeddingState> {
    const s = this.m.embedder.state;
    return {
      state: s.status,
      modelId: s.modelId,
      dtype: s.dtype,
      dims: s.status === 'ready' ? s.dims : null,
      progress: s.status === 'downloading' ? s.progress : null,
      message: s.status === 'absent' || s.status === 'failed' ? s.message : null,
      pending: await this.pending(),
    };
  }

  async announce(): Promise<void> {
    try {
      this.m.notify('embeddings.changed', await this.state());
    } catch {
      // the database is closing; the next start announces again
    }
  }
}

export const modelKey = (s: { modelId: string; dtype: string }): string => `${s.modelId}@${s.dtype}`;

/** What a chunk is embedded as: what it is about, then its words. */
export function embeddingText(title: string | null, headingPath: string[], text: string): string {
  const heading = chunkHeading(title, { headingPath });
  return heading ? `${heading}\n${text}` : text;
}

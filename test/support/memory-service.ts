import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../main/core/db/database';
import { assembleCore } from '../../main/core/host/assemble';
import type { Kernel } from '../../main/core/kernel/kernel';
import { chunkDocument } from '../../main/core/memory/chunk';
import { insertVersion } from '../../main/core/memory/documents/store';
import type { MemoryService } from '../../main/core/memory/memory';
import type { ParsedDocument } from '../../main/core/memory/parse/types';
import type { IrCollection } from './ir';

export interface InProcessMemory {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
  events: { event: string; payload: unknown }[];
  close(): Promise<void>;
}

/**
 * The memory layer in this process, assembled by the core worker's own assembly, on a real
 * PGlite in `dataDir`: for tests and benchmarks that need its internals (a clock, bulk loading).
 */
export async function startMemoryService(dataDir: string, options: { modelsDir?: string; model?: { modelId: string; dtype: 'fp32' | 'q8' | 'fp16' | 'q4' } | null } = {}): Promise<InProcessMemory> {
  const { db } = await openDatabase(dataDir);
  const events: { event: string; payload: unknown }[] = [];
  const model = options.model === undefined ? { modelId: 'tiny-embedder', dtype: 'fp32' as const } : options.model;
  const core = await assembleCore({
    db,
    dataDir,
    adapters: [],
    // Decisions take effect at once (the undo window is tested on its own).
    undoSeconds: 0,
    memory: { modelsDir: options.modelsDir, overrides: { embedding: { ...(model ?? { modelId: 'absent-model', dtype: 'fp32' }), autoDownload: false } } },
    notify: (event, payload) => events.push({ event, payload }),
  });
  return {
    db,
    kernel: core.kernel,
    memory: core.memory,
    events,
    async close() {
      await core.stop();
      await db.close();
    },
  };
}

/** Resolves once the embedder is ready and the vector columns fit it. */
export async function embeddingsReady(m: MemoryService): Promise<void> {
  if (m.embeddings.ready()) return;
  await new Promise<void>((resolve) => {
    const off = m.context.embedder.onState(() => {
      // The columns are fitted right after the ready state is announced.
      setImmediate(function check() {
        if (m.embeddings.ready()) {
          off();
          resolve();
        } else if (m.context.embedder.state.status === 'ready') setTimeout(check, 10);
      });
    });
  });
}

/**
 * Stores a retrieval collection as documents (one per corpus entry, chunked as ingestion
 * chunks, title as the document title) through the same store functions ingestion uses,
 * without parsing files: retrieval is what is measured. Document ids are the corpus ids.
 */
export async function loadCollection(m: MemoryService, c: IrCollection, batch = 200): Promise<void> {
  const at = new Date().toISOString();
  for (let i = 0; i < c.docs.length; i += batch) {
    await m.context.commit(async (tx) => {
      const units: number[] = [];
      for (const d of c.docs.slice(i, i + batch)) {
        await tx.query(`INSERT INTO memory_documents (id, source, name, title, type, status, current_version, sha256, chunk_count, created_at, updated_at) VALUES ($1, $1, $1, $2, 'text', 'indexed', 1, $1, 0, $3, $3)`, [d.id, d.title, at]);
        const parsed: ParsedDocument = { type: 'text', title: d.title, text: d.text, blocks: [{ kind: 'paragraph', text: d.text, start: 0, end: d.text.length }], meta: {}, warnings: [] };
        const chunks = chunkDocument(parsed);
        units.push(...(await insertVersion(tx, m.context.bm25, { documentId: d.id, version: 1, runId: null, sha256: d.id, size: d.text.length, parsed, chunks, at }, false)));
        await tx.query('UPDATE memory_documents SET chunk_count = $2 WHERE id = $1', [d.id, chunks.length]);
      }
      await m.context.bm25.add(tx, 'memory_chunks', units);
    });
  }
}

/** Embeds everything still without a vector (the backfill, awaited). */
export async function embedAll(m: MemoryService): Promise<void> {
  m.embeddings.backfill();
  while ((await m.embeddings.pending()) > 0) {
    m.embeddings.backfill();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Each query's ranked document ids from Keel's search (chunks folded into their documents). */
export async function keelRankings(m: MemoryService, c: IrCollection, mode: 'hybrid' | 'keyword', k = 100): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const q of c.queries) {
    const { hits } = await m.search.search(q.text, { types: ['chunk'] }, k, mode);
    const seen = new Set<string>();
    const ranked: string[] = [];
    for (const h of hits) {
      if (h.source.type !== 'chunk' || seen.has(h.source.documentId)) continue;
      seen.add(h.source.documentId);
      ranked.push(h.source.documentId);
    }
    out.set(q.id, ranked);
  }
  return out;
}

import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { MemoryOverrides, MemorySettings } from '../../../shared/api/memory-calls';
import type { Kernel } from '../kernel/kernel';
import type { AnyWorkflow, MemoryPort } from '../kernel/workflow';
import type { MemoryContext } from './context';
import { Documents } from './documents/documents';
import { Folders } from './documents/folders';
import { ingestWorkflow } from './documents/ingest-workflow';
import { Originals } from './documents/originals';
import { Uploads } from './documents/uploads';
import { Embedder } from './embed/embedder';
import { Embeddings } from './embeddings';
import { Entities } from './entities/store';
import { Curation } from './memories/curation';
import { Episodes } from './memories/episodes';
import { Memories } from './memories/store';
import { WorkingMemory } from './memories/working';
import { ParsePool } from './parse/parse-pool';
import { Bm25Index } from './search/bm25';
import { Search } from './search/search';
import { Settings } from './settings';
import { curationWorkflow, ensureCurationSchedule } from './memories/curation-workflow';

export interface MemoryOptions {
  db: PGlite;
  kernel: Kernel;
  dataDir: string;
  notify(event: string, payload: unknown): void;
  /** Settings that win over stored ones (tests; a host's flags). */
  overrides?: MemoryOverrides;
  /** Where embedding models live; default `<data>/models`. */
  modelsDir?: string;
}

const COMPACT_CHECK_MS = 10_000;
const COMPACT_AFTER_WRITES = 50;

/** Data-folder places of the memory layer. */
export const memoryLayout = { originals: 'originals', uploads: 'uploads', models: 'models' } as const;

/**
 * The memory layer (DESIGN.md §4), assembled in the core worker on the kernel's database:
 * documents and their ingestion, embeddings, hybrid search, long-term memories with history,
 * entities, curation, episodes and working memory.
 */
export class MemoryService {
  readonly context: MemoryContext;
  readonly documents: Documents;
  readonly uploads: Uploads;
  readonly folders: Folders;
  readonly memories: Memories;
  readonly entities: Entities;
  readonly search: Search;
  readonly curation: Curation;
  readonly episodes: Episodes;
  readonly working: WorkingMemory;
  readonly embeddings: Embeddings;
  private compactTimer: NodeJS.Timeout | null = null;
  private compacting: Promise<void> | null = null;

  constructor(readonly options: MemoryOptions) {
    const { db, kernel, dataDir } = options;
    const settings = new Settings(db, options.overrides);
    const bm25 = new Bm25Index(db);
    const context = {
      db,
      kernel,
      bm25,
      settings,
      parsePool: new ParsePool(),
      originals: new Originals(join(dataDir, memoryLayout.originals)),
      uploadsDir: join(dataDir, memoryLayout.uploads),
      notify: options.notify,
      // Every memory write goes through the kernel's commit (ledger event in the same
      // transaction); the keyword index's caches are refreshed after, committed or not.
      commit: (async (fn) => {
        try {
          return await kernel.commit(fn);
        } finally {
          bm25.invalidate();
        }
      }) as Kernel['commit'],
    } as MemoryContext;
    this.context = context;
    context.embedder = new Embedder({ modelsDir: options.modelsDir ?? join(dataDir, memoryLayout.models), ...settings.get().embedding });
    context.embeddings = this.embeddings = new Embeddings(context);
    this.documents = new Documents(context);
    context.uploads = this.uploads = new Uploads(context, this.documents);
    this.folders = new Folders(context, this.documents);
    this.memories = new Memories(context);
    this.entities = new Entities(context);
    this.search = new Search(context, this.memories);
    this.curation = new Curation(context, this.memories);
    this.episodes = new Episodes(context, this.memories);
    this.working = new WorkingMemory(context);
    context.afterStored = (documentId) => this.entities.linkMentions(undefined, documentId);
  }

  /** The workflows the memory layer runs on the kernel (ingestion, curation). */
  workflows(): AnyWorkflow[] {
    return [ingestWorkflow(this.documents), curationWorkflow(this)];
  }

  /** What ctx.recall and ctx.remember reach. */
  port(): MemoryPort {
    return {
      recall: async (query, { filters, limit }) => (await this.search.search(query, filters, limit ?? 10)).hits,
      remember: async (mem, origin) => {
        const { rows } = await this.context.db.query<{ id: string }>(
          `SELECT id FROM memory_items WHERE provenance->>'runId' = $1 AND provenance->>'step' = $2 LIMIT 1`,
          [origin.runId, String(origin.step)],
        );
        if (rows[0]) return { id: rows[0].id };
        const { memory } = await this.memories.remember({ ...mem, provenance: { runId: origin.runId, step: origin.step, source: origin.actor } }, origin.actor);
        return { id: memory.id };
      },
      addWorking: (runId, kind, content) => this.working.add(runId, kind, content),
      listWorking: (runId) => this.working.list(runId),
      entityTypes: async (ids) => {
        if (!ids.length) return new Map();
        const { rows } = await this.context.db.query<{ id: string; type: string }>('SELECT id, type FROM memory_entities WHERE id = ANY($1)', [ids]);
        return new Map(rows.map((r) => [r.id, r.type]));
      },
    };
  }

  /** Loads settings and starts the model, the watchers and the schedule; the kernel must not have started runs yet. */
  async start(): Promise<void> {
    const settings = await this.context.settings.load();
    await this.embeddings.start();
    void this.context.embedder.setModel(settings.embedding);
    await this.uploads.sweep();
    await ensureCurationSchedule(this.context.kernel);
    await this.folders.start();
    this.compactTimer = setInterval(() => {
      void this.compactIfDue();
      // A model folder copied in by hand is picked up without a restart.
      if (this.context.embedder.state.status === 'absent') void this.context.embedder.recheck();
    }, COMPACT_CHECK_MS);
    this.compactTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.compactTimer) clearInterval(this.compactTimer);
    await this.compacting;
    await this.folders.stop();
    await this.embeddings.stop();
    await this.context.embedder.close();
    await this.context.parsePool.close();
  }

  /**
   * Merges the keyword index's segments and drops removed units' postings, in slices, once
   * enough has been written: queries stay one row per term, deletions leave no trace.
   */
  compactIfDue(force = false): Promise<void> {
    if (this.compacting || (!force && this.context.bm25.writes < COMPACT_AFTER_WRITES)) return this.compacting ?? Promise.resolve();
    this.compacting = (async () => {
      for (;;) {
        const { done } = await this.context.bm25.compact((fn) => this.context.db.transaction(fn));
        if (done) return;
      }
    })()
      .catch((err) => console.error('[memory] index compaction failed:', err))
      .finally(() => (this.compacting = null));
    return this.compacting;
  }

  /** The kernel reports every run change; a finished agent run becomes an episode. */
  onKernelEvent(event: string, payload: unknown): void {
    if (event !== 'runs.changed') return;
    const { id, status } = payload as { id: string; status: string };
    if (!['succeeded', 'failed', 'compensated', 'cancelled'].includes(status)) return;
    void this.summarise(id);
  }

  private async summarise(runId: string): Promise<void> {
    try {
      // summariseRun reads the run once and skips Keel's own housekeeping runs itself.
      await this.episodes.summariseRun(runId);
    } catch (err) {
      console.error(`[memory] could not summarise run ${runId}:`, err);
    }
  }

  /** Applies new settings; a different embedding model re-embeds everything in the background. */
  async setSettings(patch: Parameters<Settings['save']>[0]): Promise<MemorySettings> {
    const before = this.context.settings.get().embedding;
    const next = await this.context.settings.save(patch);
    const e = next.embedding;
    if (e.modelId !== before.modelId || e.dtype !== before.dtype || e.baseUrl !== before.baseUrl) await this.context.embedder.setModel(e);
    return next;
  }
}

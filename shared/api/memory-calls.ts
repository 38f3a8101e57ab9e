import { z } from 'zod';
import { ChunkView, DocumentStatus, DocumentSummary, DocumentVersion, IngestCounts, IngestLimits, IngestOutcome, WatchedFolder } from '../domain/documents';
import {
  EmbeddingSettings,
  EmbeddingState,
  Entity,
  EntityAttribute,
  EntityType,
  EntityVersion,
  Link,
  Memory,
  MemoryChange,
  MemoryKind,
  MemoryStatus,
  NodeRef,
  Provenance,
  RetentionPolicies,
  RetentionPolicy,
  Review,
  ReviewAction,
  SearchFilters,
  SearchResult,
} from '../domain/memory';

/** The memory layer's calls and events (documents, search, memories, entities, curation), merged into contract.ts. */

const Id = z.string().min(1).max(300);
const Limit = z.number().int().min(1).max(500).default(50);
const Ok = z.object({ ok: z.literal(true) });
const Iso = z.string().datetime({ offset: true });
const Cursor = z.string().max(500).optional();
const Text = z.string().min(1).max(20_000);

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

/** Largest piece of an upload in one call, before base64 (the WebSocket frame limit is 16 MB). */
export const UPLOAD_PIECE_BYTES = 4 * 1024 * 1024;

export const MemorySettings = z.object({ limits: IngestLimits, retention: RetentionPolicies, embedding: EmbeddingSettings });
export type MemorySettings = z.infer<typeof MemorySettings>;
/** Settings a host imposes over the stored ones (tests, command-line flags). */
export type MemoryOverrides = { limits?: Partial<MemorySettings['limits']>; retention?: Partial<MemorySettings['retention']>; embedding?: Partial<MemorySettings['embedding']> };

const MemoryFields = {
  kind: MemoryKind,
  text: Text,
  entityId: Id.nullable().optional(),
  attribute: z.string().min(1).max(200).nullable().optional(),
  value: z.string().max(2000).nullable().optional(),
  confidence: z.number().min(0).max(1).optional(),
  validFrom: Iso.optional(),
  validTo: Iso.nullable().optional(),
};

export const memoryCalls = {
  'documents.ingest': call(
    'Ingests files by absolute path, or finished uploads; each file gets its own durable run.',
    z.strictObject({ paths: z.array(z.string().min(1).max(4096)).max(10_000).optional(), uploadIds: z.array(Id).max(10_000).optional() }),
    z.object({ files: z.array(IngestOutcome) }),
  ),
  'documents.uploadBegin': call(
    'Starts an upload of a file\'s bytes (browsers cannot hand over paths); send pieces with uploadChunk.',
    z.strictObject({ name: z.string().min(1).max(1000), size: z.number().int().nonnegative() }),
    z.object({ uploadId: z.string(), pieceBytes: z.number().int() }),
  ),
  'documents.uploadChunk': call(
    'One piece of an upload, base64, at its byte offset (pieces arrive in order).',
    z.strictObject({ uploadId: Id, offset: z.number().int().nonnegative(), data: z.string().max(Math.ceil((UPLOAD_PIECE_BYTES * 4) / 3) + 4) }),
    z.object({ received: z.number().int() }),
  ),
  'documents.uploadFinish': call('Ends an upload and ingests the file.', z.strictObject({ uploadId: Id }), IngestOutcome),
  'documents.uploadAbort': call('Abandons an upload and deletes its bytes.', z.strictObject({ uploadId: Id }), Ok),
  'documents.list': call(
    'Documents, most recently changed first, with counts per status.',
    z.strictObject({ status: z.array(DocumentStatus).max(6).optional(), query: z.string().max(500).optional(), folderId: Id.optional(), limit: Limit, cursor: Cursor }),
    z.object({ documents: z.array(DocumentSummary), nextCursor: z.string().nullable(), counts: IngestCounts }),
  ),
  'documents.get': call('One document with its version history.', z.strictObject({ id: Id }), z.object({ document: DocumentSummary, versions: z.array(DocumentVersion) })),
  'documents.chunks': call(
    'A document\'s chunks (the current version unless one is named), in order.',
    z.strictObject({ id: Id, offset: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(1000).default(200) }),
    z.object({ chunks: z.array(ChunkView), total: z.number().int(), version: z.number().int().nullable() }),
  ),
  'documents.reingest': call('Parses the document again from its kept original.', z.strictObject({ id: Id }), z.object({ runId: z.string() })),
  'documents.remove': call('Removes a document and its chunks from memory (its versions stay in the history).', z.strictObject({ id: Id }), Ok),

  'folders.list': call('Watched folders.', z.strictObject({}), z.object({ folders: z.array(WatchedFolder) })),
  'folders.add': call('Watches a folder: its files are ingested, and new, changed and deleted files followed.', z.strictObject({ path: z.string().min(1).max(4096) }), z.object({ folder: WatchedFolder })),
  'folders.remove': call('Stops watching a folder (its documents stay).', z.strictObject({ id: Id }), Ok),

  'memory.search': call(
    'Hybrid search over document chunks and memories: BM25 and vector neighbours fused by reciprocal rank.',
    z.strictObject({
      query: z.string().min(1).max(2000),
      filters: SearchFilters.optional(),
      limit: z.number().int().min(1).max(100).default(10),
      /** `keyword` skips the vector side even when a model is ready. */
      mode: z.enum(['hybrid', 'keyword']).default('hybrid'),
    }),
    SearchResult,
  ),
  'memory.list': call(
    'Memories, newest first.',
    z.strictObject({ statuses: z.array(MemoryStatus).max(5).optional(), kinds: z.array(MemoryKind).max(5).optional(), entityId: Id.optional(), limit: Limit, cursor: Cursor }),
    z.object({ memories: z.array(Memory), nextCursor: z.string().nullable() }),
  ),
  'memory.get': call('One memory with its history.', z.strictObject({ id: Id }), z.object({ memory: Memory, history: z.array(MemoryChange), entity: Entity.nullable() })),
  'memory.remember': call(
    'Keeps a new memory. With `replaces`, the older memories named are superseded (their validity closed).',
    z.strictObject({ ...MemoryFields, provenance: Provenance.optional(), pinned: z.boolean().optional(), replaces: z.array(Id).max(50).optional() }),
    z.object({ memory: Memory, changeId: z.string() }),
  ),
  'memory.propose': call(
    'A memory proposed from outside (an assistant over MCP): kept as pending review, raised in the review queue, and neither recalled nor searched until the operator confirms it.',
    z.strictObject({ kind: MemoryKind.default('fact'), text: Text, source: z.string().min(1).max(200), quote: z.string().max(2000).optional() }),
    z.object({ memory: Memory, reviewId: z.string() }),
  ),
  'memory.update': call(
    'Edits a memory (a new version; the old one is kept in its history).',
    z.strictObject({ id: Id, ...MemoryFields, kind: MemoryKind.optional(), text: Text.optional() }),
    z.object({ memory: Memory, changeId: z.string() }),
  ),
  'memory.setStatus': call(
    'Pins or unpins, archives, marks stale, confirms (still true), or forgets (removes) a memory.',
    z.strictObject({ id: Id, action: z.enum(['pin', 'unpin', 'archive', 'mark_stale', 'confirm', 'forget', 'activate']) }),
    z.object({ changeId: z.string() }),
  ),
  'memory.supersede': call('Closes a memory\'s validity because a newer one replaces it.', z.strictObject({ id: Id, by: Id }), z.object({ changeId: z.string() })),
  'memory.merge': call(
    'Merges memories into one (the first, or `into`); the others are superseded by it.',
    z.strictObject({ ids: z.array(Id).min(2).max(50), into: Id.optional(), text: Text.optional() }),
    z.object({ memory: Memory, changeId: z.string() }),
  ),
  'memory.undo': call('Undoes a change (every memory it touched returns to its earlier state).', z.strictObject({ changeId: Id }), z.object({ changeId: z.string() })),
  'memory.history': call('Recent memory changes, newest first.', z.strictObject({ memoryId: Id.optional(), limit: Limit }), z.object({ changes: z.array(MemoryChange) })),
  'memory.curate': call(
    'Runs the curation pass now: finds duplicates, contradictions and stale memories, applies retention.',
    z.strictObject({}),
    z.object({ duplicates: z.number().int(), contradictions: z.number().int(), stale: z.number().int(), archived: z.number().int(), deleted: z.number().int() }),
  ),
  'memory.getSettings': call('Ingestion limits, retention policies and the embedding model.', z.strictObject({}), MemorySettings),
  'memory.setSettings': call('Changes settings; a new embedding model re-embeds everything in the background.', z.strictObject({ limits: IngestLimits.partial().optional(), retention: z.partialRecord(MemoryKind, RetentionPolicy).optional(), embedding: EmbeddingSettings.partial().optional() }), MemorySettings),

  'reviews.list': call('The curation review queue.', z.strictObject({ status: z.enum(['open', 'resolved']).default('open'), limit: Limit }), z.object({ reviews: z.array(Review), open: z.number().int() })),
  'reviews.resolve': call(
    'Resolves a review item: merge, keep the newer, keep both, mark stale, pin, edit (with text), or forget; memoryId names the memory to keep, edit, pin or forget (default: all of them).',
    z.strictObject({ id: Id, action: ReviewAction, memoryId: Id.optional(), text: Text.optional(), note: z.string().max(2000).optional() }),
    z.object({ changeId: z.string().nullable() }),
  ),

  'entities.list': call('Entities (clients, projects, people, ...) by type or name.', z.strictObject({ type: EntityType.optional(), query: z.string().max(200).optional(), limit: Limit }), z.object({ entities: z.array(Entity) })),
  'entities.get': call(
    'An entity\'s page: attributes and history, its facts, documents and links.',
    z.strictObject({ id: Id }),
    z.object({ entity: Entity, history: z.array(EntityVersion), memories: z.array(Memory), documents: z.array(DocumentSummary), links: z.array(Link) }),
  ),
  'entities.upsert': call(
    'Creates an entity, or changes one (by id) as a new version.',
    z.strictObject({ id: Id.optional(), type: EntityType, name: z.string().min(1).max(300), aliases: z.array(z.string().min(1).max(300)).max(50).optional(), attributes: z.record(z.string().min(1).max(100), EntityAttribute).optional() }),
    z.object({ entity: Entity }),
  ),
  'entities.revert': call('Restores an entity to an earlier version (recorded as a new version).', z.strictObject({ id: Id, version: z.number().int().positive() }), z.object({ entity: Entity })),
  'entities.link': call('Links two entities, or an entity and a document or memory.', z.strictObject({ from: NodeRef, to: NodeRef, type: z.string().min(1).max(100) }), z.object({ link: Link })),
  'entities.unlink': call('Removes a link.', z.strictObject({ id: Id }), Ok),

  'embeddings.status': call('The embedding model: state, download progress, dimension, backlog.', z.strictObject({}), EmbeddingState),
  'embeddings.install': call('Downloads the configured embedding model now.', z.strictObject({}), EmbeddingState),
} as const;

const Change = z.object({ id: z.string() }).loose();

export const memoryEvents = {
  'documents.changed': event('A document was queued, parsed, embedded, indexed, failed or removed.', z.object({ id: z.string(), name: z.string(), status: DocumentStatus, error: z.object({ code: z.string(), message: z.string() }).nullable() })),
  'documents.progress': event('Counts of documents per status.', IngestCounts),
  'folders.changed': event('A watched folder was added, removed or failed.', z.object({ id: z.string() })),
  'memory.changed': event('Memories changed (remember, update, supersede, forget, merge, undo, ...).', z.object({ changeId: z.string(), action: z.string(), memoryIds: z.array(z.string()) })),
  'reviews.changed': event('The review queue changed.', z.object({ open: z.number().int() })),
  'entities.changed': event('An entity or link changed.', Change),
  'embeddings.changed': event('The embedding model\'s state or backlog changed.', EmbeddingState),
} as const;

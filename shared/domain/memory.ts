import { z } from 'zod';

/** Long-term memory, entities, search and curation as the API shows them (DESIGN.md §4). */

const Iso = z.string();

export const MemoryKind = z.enum(['fact', 'preference', 'decision', 'action_item', 'summary', 'episode']);
export type MemoryKind = z.infer<typeof MemoryKind>;

export const MemoryStatus = z.enum(['active', 'pending_review', 'stale', 'superseded', 'archived']);
export type MemoryStatus = z.infer<typeof MemoryStatus>;

/** Where a memory came from; every field that is known is kept. */
export const Provenance = z.object({
  documentId: z.string().max(200).optional(),
  version: z.number().int().optional(),
  chunkId: z.string().max(300).optional(),
  runId: z.string().max(200).optional(),
  /** The run's step that kept it (with runId, what makes ctx.remember happen once). */
  step: z.number().int().optional(),
  approvalId: z.string().max(200).optional(),
  /** Who or what said it: operator, summariser, an agent, an MCP client. */
  source: z.string().max(200).optional(),
  /** The words it was taken from. */
  quote: z.string().max(2000).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const Memory = z.object({
  id: z.string(),
  kind: MemoryKind,
  text: z.string(),
  entityId: z.string().nullable(),
  attribute: z.string().nullable(),
  value: z.string().nullable(),
  provenance: Provenance,
  confidence: z.number(),
  status: MemoryStatus,
  pinned: z.boolean(),
  supersededBy: z.string().nullable(),
  version: z.number().int(),
  embedded: z.boolean(),
  createdAt: Iso,
  updatedAt: Iso,
  lastConfirmedAt: Iso,
  validFrom: Iso,
  validTo: Iso.nullable(),
});
export type Memory = z.infer<typeof Memory>;

export const MemoryAction = z.enum(['remember', 'update', 'supersede', 'forget', 'pin', 'unpin', 'merge', 'archive', 'mark_stale', 'confirm', 'undo', 'retention']);
export type MemoryAction = z.infer<typeof MemoryAction>;

/** One memory's part in one change; `before`/`after` are whole records (null: did not exist). */
export const MemoryChange = z.object({
  seq: z.number().int(),
  changeId: z.string(),
  memoryId: z.string(),
  action: MemoryAction,
  before: Memory.nullable(),
  after: Memory.nullable(),
  actor: z.string(),
  at: Iso,
  undoneBy: z.string().nullable(),
});
export type MemoryChange = z.infer<typeof MemoryChange>;

export const EntityType = z.enum(['client', 'project', 'contract', 'person', 'invoice', 'organisation', 'other']);
export type EntityType = z.infer<typeof EntityType>;

export const AttributeType = z.enum(['text', 'number', 'money', 'date', 'boolean', 'email', 'url']);
/** A typed value: the type says what the value must look like, checked wherever it enters. */
export const EntityAttribute = z
  .object({ value: z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]), type: AttributeType })
  .superRefine(({ value, type }, ctx) => {
    if (value === null) return;
    const bad = (why: string) => ctx.addIssue({ code: 'custom', path: ['value'], message: `a ${type} attribute ${why}` });
    if (type === 'number' && typeof value !== 'number') bad('needs a number');
    if (type === 'boolean' && typeof value !== 'boolean') bad('needs true or false');
    if (type === 'money' && !(typeof value === 'number' || (typeof value === 'string' && /^-?[\d.,' ]+\s*[A-Z]{3}$|^[A-Z]{3}\s*-?[\d.,' ]+$|^[€$£¥]\s*-?[\d.,' ]+$/.test(value.trim()))))
      bad('needs an amount such as 1200 or "1,200.00 EUR"');
    if (type === 'date' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) bad('needs a date such as 2026-01-31');
    if (type === 'email' && (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))) bad('needs an e-mail address');
    if (type === 'url' && (typeof value !== 'string' || !URL.canParse(value))) bad('needs a URL');
    if (type === 'text' && typeof value !== 'string') bad('needs text');
  });
export type EntityAttribute = z.infer<typeof EntityAttribute>;

export const Entity = z.object({
  id: z.string(),
  type: EntityType,
  name: z.string(),
  aliases: z.array(z.string()),
  attributes: z.record(z.string(), EntityAttribute),
  version: z.number().int(),
  archived: z.boolean(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type Entity = z.infer<typeof Entity>;

export const EntityVersion = z.object({ version: z.number().int(), action: z.string(), snapshot: Entity, actor: z.string(), at: Iso });
export type EntityVersion = z.infer<typeof EntityVersion>;

export const NodeRef = z.object({ kind: z.enum(['entity', 'document', 'memory']), id: z.string().min(1).max(200) });
export type NodeRef = z.infer<typeof NodeRef>;

export const Link = z.object({ id: z.string(), from: NodeRef, to: NodeRef, type: z.string(), createdAt: Iso });
export type Link = z.infer<typeof Link>;

/** `proposed`: a memory someone outside Keel asked it to keep (an MCP client); unused until confirmed. */
export const ReviewKind = z.enum(['duplicate', 'contradiction', 'stale', 'proposed']);
export type ReviewKind = z.infer<typeof ReviewKind>;

/** `confirm`: still true (a stale memory's last confirmation moves to now). */
export const ReviewAction = z.enum(['merge', 'keep_newer', 'keep_both', 'confirm', 'mark_stale', 'pin', 'edit', 'forget']);
export type ReviewAction = z.infer<typeof ReviewAction>;

export const Review = z.object({
  id: z.string(),
  kind: ReviewKind,
  memories: z.array(Memory),
  /** Why it was raised, in a sentence, with the measure behind it. */
  reason: z.string(),
  similarity: z.number().nullable(),
  status: z.enum(['open', 'resolved']),
  resolution: z.object({ action: ReviewAction, changeId: z.string().nullable(), note: z.string().nullable() }).nullable(),
  createdAt: Iso,
  resolvedAt: Iso.nullable(),
});
export type Review = z.infer<typeof Review>;

export const SearchFilters = z.strictObject({
  /** Document chunks, memories, or both (default). */
  types: z.array(z.enum(['chunk', 'memory'])).max(2).optional(),
  kinds: z.array(MemoryKind).max(5).optional(),
  entityId: z.string().max(200).optional(),
  documentIds: z.array(z.string().max(200)).max(1000).optional(),
  /** Created (chunks) or valid from (memories) within this range. */
  from: Iso.optional(),
  to: Iso.optional(),
  /** Memory statuses to include (default: active). */
  statuses: z.array(MemoryStatus).max(5).optional(),
  /** What was true then: memories valid at this instant, whatever their status now. */
  asOf: Iso.optional(),
});
export type SearchFilters = z.infer<typeof SearchFilters>;

/** Where a hit points: the document place (chunk), or the memory with its provenance. */
export const HitSource = z.union([
  z.object({
    type: z.literal('chunk'),
    documentId: z.string(),
    documentName: z.string(),
    version: z.number().int(),
    chunkId: z.string(),
    /** The chunk's place in its document (0-based), for paging straight to it. */
    ordinal: z.number().int(),
    headingPath: z.array(z.string()),
    page: z.number().int().nullable(),
    start: z.number().int(),
    end: z.number().int(),
  }),
  z.object({
    type: z.literal('memory'),
    memoryId: z.string(),
    kind: MemoryKind,
    status: MemoryStatus,
    entityId: z.string().nullable(),
    provenance: Provenance,
    validFrom: Iso,
    validTo: Iso.nullable(),
  }),
]);
export type HitSource = z.infer<typeof HitSource>;

export const SearchHit = z.object({
  type: z.enum(['chunk', 'memory']),
  id: z.string(),
  title: z.string(),
  /** A passage of the hit with the query's words marked as [start, end) ranges of `text`. */
  snippet: z.object({ text: z.string(), highlights: z.array(z.tuple([z.number().int(), z.number().int()])) }),
  score: z.number(),
  /** 1-based rank in each list before fusion, null where it was not in that list. */
  ranks: z.object({ keyword: z.number().int().nullable(), vector: z.number().int().nullable() }),
  source: HitSource,
  at: Iso,
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({
  hits: z.array(SearchHit),
  mode: z.enum(['hybrid', 'keyword']),
  /** Why search is keyword-only, when it is. */
  note: z.string().nullable(),
  terms: z.array(z.string()),
  tookMs: z.number(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const EmbeddingState = z.object({
  state: z.enum(['absent', 'downloading', 'loading', 'ready', 'failed']),
  modelId: z.string(),
  dtype: z.string(),
  dims: z.number().int().nullable(),
  /** 0..1 while downloading. */
  progress: z.number().nullable(),
  /** A sentence for the status bar ("semantic search off: model not installed"). */
  message: z.string().nullable(),
  /** Chunks and memories waiting for their embedding. */
  pending: z.number().int(),
});
export type EmbeddingState = z.infer<typeof EmbeddingState>;

export const RetentionPolicy = z.object({
  /** Archive unpinned memories this many days after they were last confirmed (null: never). */
  archiveAfterDays: z.number().int().positive().nullable(),
  /** Delete unpinned memories this many days after they were last confirmed (null: never). */
  deleteAfterDays: z.number().int().positive().nullable(),
  /** Queue for review as stale when unconfirmed for this many days (null: never). */
  staleAfterDays: z.number().int().positive().nullable(),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export const RetentionPolicies = z.record(MemoryKind, RetentionPolicy);
export type RetentionPolicies = z.infer<typeof RetentionPolicies>;

export const DEFAULT_RETENTION: RetentionPolicies = {
  fact: { archiveAfterDays: null, deleteAfterDays: null, staleAfterDays: 365 },
  preference: { archiveAfterDays: null, deleteAfterDays: null, staleAfterDays: 365 },
  decision: { archiveAfterDays: null, deleteAfterDays: null, staleAfterDays: null },
  action_item: { archiveAfterDays: 180, deleteAfterDays: null, staleAfterDays: 60 },
  summary: { archiveAfterDays: 365, deleteAfterDays: null, staleAfterDays: null },
  episode: { archiveAfterDays: 90, deleteAfterDays: 730, staleAfterDays: null },
};

export const EmbeddingSettings = z.object({
  modelId: z.string().min(1).max(200).regex(/^[\w.-]+(\/[\w.-]+)?$/, 'a model id like Xenova/all-MiniLM-L6-v2'),
  dtype: z.enum(['fp32', 'fp16', 'q8', 'q4']),
  baseUrl: z.string().url().max(500),
  /** Download the model on first start when it is missing. */
  autoDownload: z.boolean(),
});
export type EmbeddingSettings = z.infer<typeof EmbeddingSettings>;

export const DEFAULT_EMBEDDING: EmbeddingSettings = { modelId: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8', baseUrl: 'https://huggingface.co', autoDownload: true };

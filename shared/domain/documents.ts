import { z } from 'zod';

/** Documents as the API shows them: formats, life-cycle, and the failures a person can act on. */

/** Formats Keel reads, detected from the content (magic bytes and structure), never the name. */
export const DocumentType = z.enum(['pdf', 'docx', 'html', 'markdown', 'text', 'csv', 'email']);
export type DocumentType = z.infer<typeof DocumentType>;

/** A file's way through ingestion; `indexed` means searchable (by words, and by meaning once embedded). */
export const DocumentStatus = z.enum(['queued', 'parsing', 'embedding', 'indexed', 'failed', 'deleted']);
export type DocumentStatus = z.infer<typeof DocumentStatus>;

/**
 * Why a file could not be ingested. Each code comes with a sentence naming the file's problem
 * ("password-protected PDF", "file larger than the 100 MB limit", ...).
 */
export const IngestErrorCode = z.enum([
  'empty_file', // 0 bytes
  'no_text', // only whitespace, or nothing readable after parsing
  'password_protected',
  'type_mismatch', // the name promises one format, the content is another ("not a PDF although named .pdf")
  'unsupported_format',
  'no_text_layer', // a scanned PDF: pages but no text
  'corrupt', // damaged or truncated file the parser cannot read
  'too_large', // over the size limit
  'too_many_pages',
  'zip_bomb', // DOCX whose entries or expanded size exceed the limits
  'encoding', // text in an encoding Keel cannot decode
  'timeout', // parsing took longer than the per-file limit
  'too_complex', // parsing needed more memory than allowed
  'unreadable', // the file could not be read (missing, permissions, a folder)
]);
export type IngestErrorCode = z.infer<typeof IngestErrorCode>;

export const IngestError = z.object({ code: IngestErrorCode, message: z.string() });
export type IngestError = z.infer<typeof IngestError>;

/** Limits applied to every file; configurable in Settings. */
export const IngestLimits = z.object({
  maxFileBytes: z.number().int().positive(),
  maxPages: z.number().int().positive(),
  /** DOCX (zip) protection: entries in the archive, and bytes once expanded. */
  maxZipEntries: z.number().int().positive(),
  maxZipExpandedBytes: z.number().int().positive(),
  /** Parsing one file is stopped after this long. */
  parseTimeoutMs: z.number().int().positive(),
});
export type IngestLimits = z.infer<typeof IngestLimits>;

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxFileBytes: 100 * 1024 * 1024,
  maxPages: 2_000,
  maxZipEntries: 10_000,
  maxZipExpandedBytes: 512 * 1024 * 1024,
  parseTimeoutMs: 120_000,
};

const Iso = z.string();

export const DocumentSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** Where it came from: an absolute path, or `upload:<name>` for bytes sent through the API. */
  source: z.string(),
  folderId: z.string().nullable(),
  type: DocumentType.nullable(),
  title: z.string().nullable(),
  status: DocumentStatus,
  error: IngestError.nullable(),
  size: z.number().nullable(),
  chunkCount: z.number().int(),
  currentVersion: z.number().int().nullable(),
  versions: z.number().int(),
  /** Chunks of the current version still waiting for their embedding. */
  unembedded: z.number().int(),
  runId: z.string().nullable(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const DocumentVersion = z.object({
  version: z.number().int(),
  sha256: z.string(),
  size: z.number(),
  type: DocumentType,
  title: z.string().nullable(),
  status: z.enum(['indexed', 'replaced', 'deleted']),
  chunkCount: z.number().int(),
  pages: z.number().int().nullable(),
  meta: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
  runId: z.string().nullable(),
  createdAt: Iso,
  replacedAt: Iso.nullable(),
});
export type DocumentVersion = z.infer<typeof DocumentVersion>;

export const ChunkView = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  text: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  pageEnd: z.number().int().nullable(),
  /** Character offsets into the version's extracted text. */
  start: z.number().int(),
  end: z.number().int(),
  tokens: z.number().int(),
  embedded: z.boolean(),
});
export type ChunkView = z.infer<typeof ChunkView>;

/** What happened to one file handed to `documents.ingest`. */
export const IngestOutcome = z.object({
  name: z.string(),
  documentId: z.string().nullable(),
  runId: z.string().nullable(),
  /** `queued`: a run will ingest it; `failed`: refused before any run (e.g. not a file). */
  status: z.enum(['queued', 'failed']),
  error: IngestError.nullable(),
});
export type IngestOutcome = z.infer<typeof IngestOutcome>;

export const WatchedFolder = z.object({
  id: z.string(),
  path: z.string(),
  documents: z.number().int(),
  /** True until the first look through the folder is done (files written meanwhile may be missed). */
  scanning: z.boolean(),
  createdAt: Iso,
  error: z.string().nullable(),
});
export type WatchedFolder = z.infer<typeof WatchedFolder>;

export const IngestCounts = z.object({
  queued: z.number().int(),
  parsing: z.number().int(),
  embedding: z.number().int(),
  indexed: z.number().int(),
  failed: z.number().int(),
  deleted: z.number().int(),
});
export type IngestCounts = z.infer<typeof IngestCounts>;

import type { ChunkView, DocumentStatus, DocumentSummary, DocumentType, DocumentVersion, IngestError } from '../../../../shared/domain/documents';
import { iso } from '../../kernel/store';

/** Rows as PGlite returns them, and their mapping to the API's shapes. */


export interface DocumentRow {
  id: string;
  source: string;
  name: string;
  folder_id: string | null;
  type: DocumentType | null;
  title: string | null;
  status: DocumentStatus;
  error: IngestError | null;
  current_version: number | null;
  sha256: string | null;
  size: string | number | null;
  mtime_ms: number | null;
  chunk_count: number;
  run_id: string | null;
  created_at: Date;
  updated_at: Date;
  versions?: string | number;
  unembedded?: string | number;
}

/** The columns a summary needs, with its two counts. */
export const SUMMARY_COLUMNS = `d.*,
  (SELECT count(*) FROM memory_document_versions v WHERE v.document_id = d.id) AS versions,
  (SELECT count(*) FROM memory_chunks c WHERE c.document_id = d.id AND c.embedding IS NULL) AS unembedded`;

export function toSummary(r: DocumentRow): DocumentSummary {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    folderId: r.folder_id,
    type: r.type,
    title: r.title,
    status: r.status,
    error: r.error,
    size: r.size === null ? null : Number(r.size),
    chunkCount: r.chunk_count,
    currentVersion: r.current_version,
    versions: Number(r.versions ?? 0),
    unembedded: Number(r.unembedded ?? 0),
    runId: r.run_id,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export interface VersionRow {
  version: number;
  sha256: string;
  size: string | number;
  type: DocumentType;
  title: string | null;
  status: DocumentVersion['status'];
  chunk_count: number;
  pages: number | null;
  meta: Record<string, string>;
  warnings: string[];
  run_id: string | null;
  created_at: Date;
  replaced_at: Date | null;
}

export function toVersion(r: VersionRow): DocumentVersion {
  return {
    version: r.version,
    sha256: r.sha256,
    size: Number(r.size),
    type: r.type,
    title: r.title,
    status: r.status,
    chunkCount: r.chunk_count,
    pages: r.pages,
    meta: r.meta,
    warnings: r.warnings,
    runId: r.run_id,
    createdAt: iso(r.created_at)!,
    replacedAt: iso(r.replaced_at),
  };
}

export interface ChunkRow {
  id: string;
  ordinal: number;
  text: string;
  heading_path: string[];
  page: number | null;
  page_end: number | null;
  start_offset: number;
  end_offset: number;
  tokens: number;
  embedded: boolean;
}

export function toChunk(r: ChunkRow): ChunkView {
  return {
    id: r.id,
    ordinal: r.ordinal,
    text: r.text,
    headingPath: r.heading_path,
    page: r.page,
    pageEnd: r.page_end,
    start: r.start_offset,
    end: r.end_offset,
    tokens: r.tokens,
    embedded: r.embedded,
  };
}

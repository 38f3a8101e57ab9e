import type { Transaction } from '@electric-sql/pglite';
import type { Chunk } from '../chunk';
import type { Bm25Index } from '../search/bm25';
import type { ParsedDocument } from '../parse/types';

/**
 * The rows behind documents: a version per distinct content, and the chunks of the current
 * version with their tsvector and BM25 postings. Every function takes the caller's
 * transaction, so a document is stored whole or not at all, together with its ledger event.
 */

export interface NewVersion {
  documentId: string;
  version: number;
  runId: string | null;
  sha256: string;
  size: number;
  parsed: ParsedDocument;
  chunks: Chunk[];
  at: string;
  /** The chunks' vectors (pgvector text form), when the model embedded them before storing. */
  vectors?: { literals: string[]; model: string } | null;
}

/**
 * What a chunk is about: the document's title and its heading path. The keyword index sees it
 * with the chunk's words (boosted, as a title field), so a chunk deep in a section still
 * matches the section's subject.
 */
export function chunkHeading(title: string | null, chunk: Pick<Chunk, 'headingPath'>): string {
  const path = chunk.headingPath.filter((h) => h !== title);
  return [title ?? '', ...path].filter(Boolean).join('\n');
}

/**
 * Inserts a version and its chunks, indexes them (unless a bulk load indexes many versions at
 * once, with one segment, afterwards), and returns their unit numbers.
 */
export async function insertVersion(tx: Transaction, bm25: Bm25Index, v: NewVersion, index = true): Promise<number[]> {
  const { parsed, chunks } = v;
  await tx.query(
    `INSERT INTO memory_document_versions (document_id, version, sha256, size, type, title, status, chunk_count, pages, meta, warnings, text, run_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'indexed', $7, $8, $9, $10, $11, $12, $13)`,
    [v.documentId, v.version, v.sha256, v.size, parsed.type, parsed.title, chunks.length, parsed.pages ?? null, JSON.stringify(parsed.meta), JSON.stringify(parsed.warnings), parsed.text, v.runId, v.at],
  );
  if (chunks.length === 0) return [];
  const { rows } = await tx.query<{ unit_no: string }>(
    `INSERT INTO memory_chunks (id, document_id, version, ordinal, text, heading_path, page, page_end, start_offset, end_offset, tokens, tsv, created_at, embedding, embedding_model)
     SELECT $1 || ':' || $2::int || ':' || o, $1, $2::int, o, t, ARRAY(SELECT jsonb_array_elements_text(hp)), p, pe, s, e, tk, setweight(to_tsvector('english', h), 'A') || to_tsvector('english', t), $3,
       v::vector, CASE WHEN v IS NULL THEN NULL ELSE $14 END
     FROM unnest($4::int[], $5::text[], $6::jsonb[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int[], $12::text[], $13::text[]) AS x(o, t, hp, p, pe, s, e, tk, h, v)
     RETURNING unit_no`,
    [
      v.documentId,
      v.version,
      v.at,
      chunks.map((_, i) => i),
      chunks.map((c) => c.text),
      chunks.map((c) => JSON.stringify(c.headingPath)),
      chunks.map((c) => c.page),
      chunks.map((c) => c.pageEnd),
      chunks.map((c) => c.start),
      chunks.map((c) => c.end),
      chunks.map((c) => c.tokens),
      chunks.map((c) => chunkHeading(parsed.title, c)),
      v.vectors ? v.vectors.literals : chunks.map(() => null),
      v.vectors?.model ?? null,
    ],
  );
  const units = rows.map((r) => Number(r.unit_no));
  if (index) await bm25.add(tx, 'memory_chunks', units);
  return units;
}

/** Takes a version's chunks out of search (the version row stays, as history). */
export async function retireChunks(tx: Transaction, bm25: Bm25Index, documentId: string, version: number | null): Promise<void> {
  const { rows } = await tx.query<{ unit_no: string }>(
    `SELECT unit_no FROM memory_chunks WHERE document_id = $1 AND ($2::int IS NULL OR version = $2)`,
    [documentId, version],
  );
  const units = rows.map((r) => Number(r.unit_no));
  await bm25.remove(tx, 'memory_chunks', units);
  await tx.query(`DELETE FROM memory_chunks WHERE document_id = $1 AND ($2::int IS NULL OR version = $2)`, [documentId, version]);
}

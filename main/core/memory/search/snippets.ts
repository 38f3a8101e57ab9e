import type { PGlite } from '@electric-sql/pglite';
import type { Provenance, SearchHit } from '../../../../shared/domain/memory';

const START = '\uE000';
const STOP = '\uE001';
const HEADLINE = `StartSel="${START}", StopSel="${STOP}", MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
/** A memory is a sentence or two: its snippet is all of it (fragments would drop words, even its figures). */
const WHOLE = `StartSel="${START}", StopSel="${STOP}", HighlightAll=true`;
const WHOLE_UP_TO = 400;
/** The query's lexemes as an OR query; they are already stemmed, so the `simple` config keeps them as they are. */
const TSQUERY = `(SELECT to_tsquery('simple', string_agg(quote_literal(t), ' | ')) FROM unnest($2::text[]) t)`;

export interface Ranked {
  unit: number;
  keyword: number | null;
  vector: number | null;
  score: number;
}

/** ts_headline's marked passage → plain text and [start, end) ranges of the marked words. */
export function parseHeadline(marked: string): SearchHit['snippet'] {
  let text = '';
  const highlights: [number, number][] = [];
  let open = -1;
  for (const ch of marked) {
    if (ch === START) open = text.length;
    else if (ch === STOP) {
      if (open >= 0 && text.length > open) highlights.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text: text.trim() ? text : '', highlights };
}

interface ChunkHitRow {
  unit_no: string;
  id: string;
  document_id: string;
  version: number;
  ordinal: number;
  heading_path: string[];
  page: number | null;
  start_offset: number;
  end_offset: number;
  created_at: Date;
  name: string;
  title: string | null;
  headline: string;
}

interface MemoryHitRow {
  unit_no: string;
  id: string;
  kind: 'fact';
  status: 'active';
  entity_id: string | null;
  provenance: Provenance;
  valid_from: Date;
  valid_to: Date | null;
  text: string;
  headline: string;
}

/** The hits' passages with the query's words marked, and where each hit points, in rank order. */
export async function snippetsFor(db: PGlite, ranked: Ranked[], terms: string[], memoryUnits?: { has(unit: number): boolean }): Promise<SearchHit[]> {
  if (ranked.length === 0) return [];
  const units = ranked.map((r) => r.unit);
  const headline = (col: string) => (terms.length ? `ts_headline('english', ${col}, ${TSQUERY}, '${HEADLINE}')` : `left(${col}, 300)`);
  // Without terms there is nothing to mark: the passage is the text's start, and $2 is not sent.
  const params = terms.length ? [units, terms] : [units];
  const none = { rows: [] as never[] };
  const anyMemory = memoryUnits ? units.some((u) => memoryUnits.has(u)) : true;
  const anyChunk = memoryUnits ? units.some((u) => !memoryUnits.has(u)) : true;
  const [chunks, memories] = await Promise.all([
    !anyChunk ? none : db.query<ChunkHitRow>(
      `SELECT c.unit_no, c.id, c.document_id, c.version, c.ordinal, c.heading_path, c.page, c.start_offset, c.end_offset, c.created_at, d.name, d.title, ${headline('c.text')} AS headline
       FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id WHERE c.unit_no = ANY($1::bigint[])`,
      params,
    ),
    !anyMemory ? none : db.query<MemoryHitRow>(
      `SELECT unit_no, id, kind, status, entity_id, provenance, valid_from, valid_to, text,
              ${terms.length ? `CASE WHEN length(text) <= ${WHOLE_UP_TO} THEN ts_headline('english', text, ${TSQUERY}, '${WHOLE}') ELSE ${headline('text')} END` : headline('text')} AS headline
       FROM memory_items WHERE unit_no = ANY($1::bigint[])`,
      params,
    ),
  ]);
  const hits = new Map<number, SearchHit>();
  for (const r of chunks.rows) {
    hits.set(Number(r.unit_no), {
      type: 'chunk',
      id: r.id,
      title: [r.title ?? r.name, ...r.heading_path.filter((h) => h !== r.title)].join(' › '),
      snippet: parseHeadline(r.headline),
      score: 0,
      ranks: { keyword: null, vector: null },
      source: { type: 'chunk', documentId: r.document_id, documentName: r.name, version: r.version, chunkId: r.id, ordinal: r.ordinal, headingPath: r.heading_path, page: r.page, start: r.start_offset, end: r.end_offset },
      at: r.created_at.toISOString(),
    });
  }
  for (const r of memories.rows) {
    hits.set(Number(r.unit_no), {
      type: 'memory',
      id: r.id,
      title: r.text.length > 80 ? `${r.text.slice(0, 79)}…` : r.text,
      snippet: parseHeadline(r.headline),
      score: 0,
      ranks: { keyword: null, vector: null },
      source: { type: 'memory', memoryId: r.id, kind: r.kind, status: r.status, entityId: r.entity_id, provenance: r.provenance ?? {}, validFrom: r.valid_from.toISOString(), validTo: r.valid_to?.toISOString() ?? null },
      at: r.valid_from.toISOString(),
    });
  }
  return ranked.flatMap((r) => {
    const hit = hits.get(r.unit);
    return hit ? [{ ...hit, score: r.score, ranks: { keyword: r.keyword, vector: r.vector } }] : [];
  });
}

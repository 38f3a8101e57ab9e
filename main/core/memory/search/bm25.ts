import type { PGlite, Transaction } from '@electric-sql/pglite';

type Db = Pick<PGlite | Transaction, 'query'>;

/** Okapi BM25 parameters, as SQLite FTS5 and Lucene use them. */
export const K1 = 1.2;
export const B = 0.75;
/** Postings longer than a u16 can say are capped (a chunk is a few hundred tokens). */
const U16_MAX = 0xffff;
/**
 * Title and heading words (tsvector weight A) count this many times (BM25F's field boost):
 * a match in what a section is about says more than one in passing.
 */
export const TITLE_BOOST = 2;
/** A lexeme's term frequency from its tsvector entry, with title positions boosted. */
const TF_SQL = `(coalesce(array_length(positions, 1), 1) + ${TITLE_BOOST - 1} * (SELECT count(*) FROM unnest(weights) w WHERE w = 'A'))::int`;
/** A term with more segments than this is merged by the next compaction. */
export const MAX_SEGMENTS = 8;

/** The tables whose rows are indexed units (both draw unit numbers from memory_unit_seq). */
export type UnitTable = 'memory_chunks' | 'memory_items';

export interface Posting {
  unit: number;
  tf: number;
  len: number;
}

export interface ScoredUnit {
  unit: number;
  score: number;
}

/** Packs postings as three parallel arrays (u32 units, u16 tf, u16 length): 8 bytes each. */
export function packPostings(postings: Posting[]): Uint8Array {
  const n = postings.length;
  const buf = new ArrayBuffer(n * 8);
  const units = new Uint32Array(buf, 0, n);
  const tfs = new Uint16Array(buf, n * 4, n);
  const lens = new Uint16Array(buf, n * 6, n);
  postings.forEach((p, i) => {
    units[i] = p.unit;
    tfs[i] = Math.min(p.tf, U16_MAX);
    lens[i] = Math.min(p.len, U16_MAX);
  });
  return new Uint8Array(buf);
}

/** The three arrays of a packed blob, copied first when the driver hands an unaligned view. */
export function unpackPostings(blob: Uint8Array): { units: Uint32Array; tfs: Uint16Array; lens: Uint16Array } {
  const bytes = blob.byteOffset % 4 === 0 ? blob : blob.slice();
  const n = bytes.byteLength / 8;
  return {
    units: new Uint32Array(bytes.buffer, bytes.byteOffset, n),
    tfs: new Uint16Array(bytes.buffer, bytes.byteOffset + n * 4, n),
    lens: new Uint16Array(bytes.buffer, bytes.byteOffset + n * 6, n),
  };
}

/** FTS5's IDF: never negative, so a term in most units still counts a little. */
export function idf(units: number, df: number): number {
  const v = Math.log((units - df + 0.5) / (df + 0.5));
  return v > 0 ? v : 1e-6;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface Stats {
  units: number;
  totalLen: number;
}

/**
 * BM25 over the tsvectors Postgres already computes (english stemming and stop words), with
 * the term statistics Keel keeps itself: Postgres' ts_rank is not BM25 and ranks far worse.
 *
 * Postings live in segments, one blob per (term, write): indexing a document inserts rows
 * and never rewrites a long list; `compact` merges a term's segments and drops postings of
 * removed units (tombstones, which queries skip meanwhile). Scoring runs here, in the core
 * worker, over typed arrays: a query reads one row per segment of its terms.
 *
 * Writes take the caller's transaction, so the index changes with the rows it describes.
 */
export class Bm25Index {
  private stats: Stats | null = null;
  private tombstones: Set<number> | null = null;
  /** Writes (segments added, units removed) since the last compaction: when to compact next. */
  writes = 0;
  private acc = new Float64Array(1024);
  private seen = new Uint8Array(1024);

  constructor(private readonly db: PGlite) {}

  /** Call after any transaction that wrote through this index commits or rolls back. */
  invalidate(): void {
    this.stats = null;
    this.tombstones = null;
  }

  /** Indexes units from their stored tsvector; returns how many postings were written. */
  async add(tx: Db, table: UnitTable, unitNos: number[]): Promise<number> {
    if (unitNos.length === 0) return 0;
    const { rows } = await tx.query<{ unit_no: number; lexeme: string; tf: number }>(
      `SELECT unit_no, lexeme, ${TF_SQL} AS tf FROM ${table}, unnest(tsv) WHERE unit_no = ANY($1::bigint[])`,
      [unitNos],
    );
    const lengths = new Map<number, number>();
    for (const r of rows) lengths.set(Number(r.unit_no), (lengths.get(Number(r.unit_no)) ?? 0) + r.tf);
    const byTerm = new Map<string, Posting[]>();
    for (const r of rows) {
      const unit = Number(r.unit_no);
      const list = byTerm.get(r.lexeme) ?? [];
      list.push({ unit, tf: r.tf, len: lengths.get(unit)! });
      byTerm.set(r.lexeme, list);
    }
    const seg = Math.min(...unitNos);
    const terms = [...byTerm.keys()];
    for (let i = 0; i < terms.length; i += 5000) {
      const slice = terms.slice(i, i + 5000);
      const lists = slice.map((t) => byTerm.get(t)!.sort((a, b) => a.unit - b.unit));
      await tx.query(
        `INSERT INTO memory_postings (term, seg, n, postings)
         SELECT t, $2, n, decode(h, 'hex') FROM unnest($1::text[], $3::int[], $4::text[]) AS x(t, n, h)
         ON CONFLICT (term, seg) DO NOTHING`,
        [slice, seg, lists.map((l) => l.length), lists.map((l) => hex(packPostings(l)))],
      );
    }
    this.writes++;
    // Units with no indexable words still count as units (they make the collection larger).
    const totalLen = [...lengths.values()].reduce((a, b) => a + b, 0);
    await tx.query('UPDATE memory_bm25_stats SET units = units + $1, total_len = total_len + $2 WHERE id = 1', [unitNos.length, totalLen]);
    return rows.length;
  }

  /** Takes units out of the index (before their rows are deleted): tombstoned until compaction. */
  async remove(tx: Db, table: UnitTable, unitNos: number[]): Promise<void> {
    if (unitNos.length === 0) return;
    const { rows } = await tx.query<{ unit_no: number; terms: string[] | null; len: number | null }>(
      `SELECT u.unit_no, array_agg(x.lexeme) FILTER (WHERE x.lexeme IS NOT NULL) AS terms,
              sum(${TF_SQL.replaceAll('positions', 'x.positions').replaceAll('weights', 'x.weights')})::int AS len
       FROM ${table} u LEFT JOIN LATERAL unnest(u.tsv) x ON true WHERE u.unit_no = ANY($1::bigint[]) GROUP BY u.unit_no`,
      [unitNos],
    );
    if (rows.length === 0) return;
    this.writes++;
    await tx.query(
      `INSERT INTO memory_tombstones (unit_no, terms) SELECT u, string_to_array(t, ' ') FROM unnest($1::bigint[], $2::text[]) AS x(u, t) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.unit_no), rows.map((r) => (r.terms ?? []).join(' '))],
    );
    const totalLen = rows.reduce((a, r) => a + (r.len ?? 0), 0);
    await tx.query('UPDATE memory_bm25_stats SET units = units - $1, total_len = total_len - $2 WHERE id = 1', [rows.length, totalLen]);
  }

  private async load(): Promise<{ stats: Stats; tombstones: Set<number> }> {
    if (!this.stats) {
      const { rows } = await this.db.query<{ units: string; total_len: string }>('SELECT units, total_len FROM memory_bm25_stats WHERE id = 1');
      this.stats = { units: Number(rows[0]?.units ?? 0), totalLen: Number(rows[0]?.total_len ?? 0) };
    }
    if (!this.tombstones) {
      const { rows } = await this.db.query<{ unit_no: string }>('SELECT unit_no FROM memory_tombstones');
      this.tombstones = new Set(rows.map((r) => Number(r.unit_no)));
    }
    return { stats: this.stats, tombstones: this.tombstones };
  }

  /** The query's terms as the index knows them (stemmed, stop words dropped, unique). */
  async terms(query: string): Promise<string[]> {
    const { rows } = await this.db.query<{ lexeme: string }>(`SELECT lexeme FROM unnest(to_tsvector('english', $1))`, [query]);
    return rows.map((r) => r.lexeme);
  }

  /**
   * The `k` best units for the query's terms, best first. `allowed`, when given, restricts
   * scoring to those units (a filter), so a selective filter still gets its best k.
   */
  async search(terms: string[], k: number, allowed?: (unit: number) => boolean): Promise<ScoredUnit[]> {
    if (terms.length === 0 || k <= 0) return [];
    // Fetched as base64 text, decoded natively: far quicker than the driver's bytea parsing.
    const { rows: raw } = await this.db.query<{ term: string; b64: string }>(`SELECT term, encode(postings, 'base64') AS b64 FROM memory_postings WHERE term = ANY($1::text[])`, [terms]);
    const rows = raw.map((r) => ({ term: r.term, postings: new Uint8Array(Buffer.from(r.b64, 'base64')) }));
    return this.score(rows, k, allowed);
  }

  private async score(rows: { term: string; postings: Uint8Array }[], k: number, allowed?: (unit: number) => boolean): Promise<ScoredUnit[]> {
    const { stats, tombstones } = await this.load();
    if (stats.units <= 0) return [];
    const segmentsByTerm = new Map<string, Uint8Array[]>();
    for (const r of rows) segmentsByTerm.set(r.term, [...(segmentsByTerm.get(r.term) ?? []), r.postings]);
    const avgdl = stats.totalLen / stats.units || 1;
    const touched: number[] = [];
    for (const segments of segmentsByTerm.values()) {
      const lists = segments.map(unpackPostings);
      const df = this.liveCount(lists, tombstones);
      if (df === 0) continue;
      this.accumulate(lists, idf(stats.units, df), avgdl, tombstones, allowed, touched);
    }
    return this.topK(touched, k);
  }

  private liveCount(lists: ReturnType<typeof unpackPostings>[], tombstones: Set<number>): number {
    let df = 0;
    for (const { units } of lists) {
      if (tombstones.size === 0) df += units.length;
      else for (let i = 0; i < units.length; i++) if (!tombstones.has(units[i]!)) df++;
    }
    return df;
  }

  private accumulate(
    lists: ReturnType<typeof unpackPostings>[],
    w: number,
    avgdl: number,
    tombstones: Set<number>,
    allowed: ((unit: number) => boolean) | undefined,
    touched: number[],
  ): void {
    const checkDead = tombstones.size > 0;
    const norm1 = K1 * (1 - B);
    const norm2 = (K1 * B) / avgdl;
    for (const { units, tfs, lens } of lists) {
      for (let i = 0; i < units.length; i++) {
        const u = units[i]!;
        if (checkDead && tombstones.has(u)) continue;
        if (allowed && !allowed(u)) continue;
        const tf = tfs[i]!;
        this.ensure(u);
        if (this.seen[u] === 0) {
          this.seen[u] = 1;
          touched.push(u);
        }
        this.acc[u]! += (w * tf * (K1 + 1)) / (tf + norm1 + norm2 * lens[i]!);
      }
    }
  }

  private ensure(u: number): void {
    if (u < this.acc.length) return;
    let size = this.acc.length;
    while (size <= u) size *= 2;
    const acc = new Float64Array(size);
    acc.set(this.acc);
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    this.acc = acc;
    this.seen = seen;
  }

  /** Selects the k best touched units and clears the accumulators for the next query. */
  private topK(touched: number[], k: number): ScoredUnit[] {
    const heap: ScoredUnit[] = []; // min-heap on score
    for (const u of touched) {
      const score = this.acc[u]!;
      this.acc[u] = 0;
      this.seen[u] = 0;
      if (heap.length < k) heapPush(heap, { unit: u, score });
      else if (score > heap[0]!.score) heapReplaceTop(heap, { unit: u, score });
    }
    return heap.sort((a, b) => b.score - a.score || a.unit - b.unit);
  }

  /**
   * Merges the segments of terms that have too many, and rewrites the terms of tombstoned
   * units without them, then forgets those tombstones. Bounded by `maxTerms` per call so it
   * can run in small slices between other work.
   */
  async compact(commit: <T>(fn: (tx: Transaction) => Promise<T>) => Promise<T>, maxTerms = 2_000): Promise<{ terms: number; done: boolean }> {
    const { rows: tomb } = await this.db.query<{ unit_no: string; terms: string[] }>('SELECT unit_no, terms FROM memory_tombstones ORDER BY unit_no LIMIT 500');
    const { rows: crowded } = await this.db.query<{ term: string }>(
      `SELECT term FROM memory_postings GROUP BY term HAVING count(*) > $1 LIMIT $2`,
      [MAX_SEGMENTS, maxTerms],
    );
    const terms = new Set(crowded.map((r) => r.term));
    // A tombstone's terms are rewritten all at once, so it can be forgotten afterwards.
    for (const t of tomb) for (const term of t.terms) terms.add(term);
    const dead = new Set(tomb.map((t) => Number(t.unit_no)));
    this.writes = 0;
    if (terms.size === 0 && tomb.length === 0) return { terms: 0, done: true };
    await commit(async (tx) => {
      const list = [...terms];
      const { rows } = await tx.query<{ term: string; postings: Uint8Array }>('SELECT term, postings FROM memory_postings WHERE term = ANY($1::text[]) ORDER BY term, seg', [list]);
      const merged = new Map<string, Posting[]>();
      for (const r of rows) {
        const { units, tfs, lens } = unpackPostings(r.postings);
        const out = merged.get(r.term) ?? [];
        for (let i = 0; i < units.length; i++) if (!dead.has(units[i]!)) out.push({ unit: units[i]!, tf: tfs[i]!, len: lens[i]! });
        merged.set(r.term, out);
      }
      await tx.query('DELETE FROM memory_postings WHERE term = ANY($1::text[])', [list]);
      const kept = list.filter((t) => (merged.get(t)?.length ?? 0) > 0);
      for (let i = 0; i < kept.length; i += 5000) {
        const slice = kept.slice(i, i + 5000);
        const lists = slice.map((t) => merged.get(t)!.sort((a, b) => a.unit - b.unit));
        await tx.query(
          `INSERT INTO memory_postings (term, seg, n, postings) SELECT t, 0, n, decode(h, 'hex') FROM unnest($1::text[], $2::int[], $3::text[]) AS x(t, n, h)`,
          [slice, lists.map((l) => l.length), lists.map((l) => hex(packPostings(l)))],
        );
      }
      if (tomb.length) await tx.query('DELETE FROM memory_tombstones WHERE unit_no = ANY($1::bigint[])', [tomb.map((t) => t.unit_no)]);
    });
    this.invalidate();
    const { rows: left } = await this.db.query('SELECT 1 FROM memory_tombstones LIMIT 1');
    return { terms: terms.size, done: left.length === 0 && crowded.length < maxTerms };
  }
}

function heapPush(heap: ScoredUnit[], item: ScoredUnit): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.score <= heap[i]!.score) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function heapReplaceTop(heap: ScoredUnit[], item: ScoredUnit): void {
  heap[0] = item;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && heap[l]!.score < heap[m]!.score) m = l;
    if (r < heap.length && heap[r]!.score < heap[m]!.score) m = r;
    if (m === i) return;
    [heap[m], heap[i]] = [heap[i]!, heap[m]!];
    i = m;
  }
}

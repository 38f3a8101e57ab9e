import type { SearchFilters, SearchResult } from '../../../../shared/domain/memory';
import type { MemoryContext } from '../context';
import { vectorLiteral } from '../embeddings';
import type { Memories } from '../memories/store';
import { snippetsFor } from './snippets';

/** Reciprocal rank fusion's constant (Cormack et al.): ranks past the first few count little. */
export const RRF_K = 60;
/** Candidates taken from each list before fusion. */
const CANDIDATES = 100;
/**
 * Vector neighbours asked for: three times the results wanted, at least 30. A neighbour past
 * rank 30 adds under 1/91 to a fused score, less than any of the keyword side's top ten, so a
 * top-10 rarely changes; a search that wants 100 results asks for 100 (HNSW breadth is the
 * largest part of a query's time).
 */
const vectorCandidates = (limit: number) => Math.min(CANDIDATES, Math.max(30, limit * 3));
/** A hit from today scores up to this much more than an old one (half-life below). */
const RECENCY_WEIGHT = 0.1;
const RECENCY_HALF_LIFE_DAYS = 90;

interface MemoryMeta {
  status: string;
  kind: string;
  entityId: string | null;
  validFrom: number;
  validTo: number | null;
}

interface Candidate {
  unit: number;
  keyword: number | null;
  vector: number | null;
  score: number;
}

/**
 * Hybrid retrieval: BM25 over chunks and memories (Keel's own index) and pgvector nearest
 * neighbours (HNSW, cosine), fused by reciprocal rank, with filters, a small recency boost,
 * snippets with the query's words marked, and provenance for every hit. Without a model it is
 * keyword-only and says why.
 */
export class Search {
  private metaGeneration = -1;
  private memoryMeta = new Map<number, MemoryMeta>();

  constructor(
    private readonly m: MemoryContext,
    private readonly memories: Memories,
  ) {}

  async search(query: string, filters: SearchFilters = {}, limit = 10, mode: 'hybrid' | 'keyword' = 'hybrid'): Promise<SearchResult> {
    const started = performance.now();
    const meta = await this.memoryUnits();
    const chunkAllowed = await this.chunkFilter(filters);
    const memoryOk = (u: number) => this.memoryAllowed(meta.get(u)!, filters);
    const wantChunks = !filters.types || filters.types.includes('chunk');
    const wantMemories = !filters.types || filters.types.includes('memory');
    // Scoring asks `allowed` of every posting: when nothing is filtered out, it is not asked.
    const restricts = !wantChunks || !wantMemories || chunkAllowed !== null || [...meta.keys()].some((u) => !memoryOk(u));
    const allowed = restricts
      ? (u: number) => {
          if (meta.has(u)) return wantMemories && memoryOk(u);
          return wantChunks && (!chunkAllowed || chunkAllowed.has(u));
        }
      : undefined;
    const [terms, vector] = await Promise.all([this.m.bm25.terms(query), mode === 'hybrid' ? this.m.embeddings.queryVector(query) : null]);
    const keyword = await this.m.bm25.search(terms, CANDIDATES, allowed);
    const nearest = vector ? await this.nearest(vector, vectorCandidates(limit), filters, chunkAllowed, wantChunks, wantMemories, meta) : [];
    const fused = await this.fuse(keyword.map((k) => k.unit), nearest, meta, limit);
    const top = fused.slice(0, limit);
    return {
      hits: await snippetsFor(this.m.db, top, terms, meta),
      mode: vector ? 'hybrid' : 'keyword',
      note: vector ? null : mode === 'keyword' ? 'keyword search, as asked' : this.whyKeywordOnly(),
      terms,
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
  }

  private whyKeywordOnly(): string {
    const s = this.m.embedder.state;
    if (s.status === 'absent' || s.status === 'failed') return s.message.startsWith('semantic search off') ? s.message : `semantic search off: ${s.message}`;
    if (s.status === 'downloading') return 'semantic search off: the model is downloading';
    return 'semantic search off: the model is loading';
  }

  /** Memories are few: their filterable fields are cached and refreshed after each change. */
  private async memoryUnits(): Promise<Map<number, MemoryMeta>> {
    if (this.metaGeneration === this.memories.generation) return this.memoryMeta;
    const generation = this.memories.generation;
    const { rows } = await this.m.db.query<{ unit_no: string; status: string; kind: string; entity_id: string | null; valid_from: Date; valid_to: Date | null }>(
      'SELECT unit_no, status, kind, entity_id, valid_from, valid_to FROM memory_items',
    );
    this.memoryMeta = new Map(rows.map((r) => [Number(r.unit_no), { status: r.status, kind: r.kind, entityId: r.entity_id, validFrom: r.valid_from.getTime(), validTo: r.valid_to?.getTime() ?? null }]));
    this.metaGeneration = generation;
    return this.memoryMeta;
  }

  private memoryAllowed(m: MemoryMeta, f: SearchFilters): boolean {
    if (f.kinds && !f.kinds.includes(m.kind as never)) return false;
    if (f.entityId && m.entityId !== f.entityId) return false;
    if (f.from && m.validFrom < Date.parse(f.from)) return false;
    if (f.to && m.validFrom > Date.parse(f.to)) return false;
    if (f.asOf) {
      const at = Date.parse(f.asOf);
      return m.validFrom <= at && (m.validTo === null || m.validTo > at);
    }
    return (f.statuses ?? ['active']).includes(m.status as never);
  }

  /** Chunk units the filters allow, or null when they do not restrict chunks. */
  private async chunkFilter(f: SearchFilters): Promise<Set<number> | null> {
    if (!f.documentIds && !f.entityId && !f.from && !f.to && !f.asOf) return null;
    const { rows } = await this.m.db.query<{ unit_no: string }>(
      `SELECT c.unit_no FROM memory_chunks c
       WHERE ($1::text[] IS NULL OR c.document_id = ANY($1))
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM memory_links l WHERE l.from_kind = 'entity' AND l.from_id = $2 AND l.to_kind = 'document' AND l.to_id = c.document_id))
         AND ($3::timestamptz IS NULL OR c.created_at >= $3) AND ($4::timestamptz IS NULL OR c.created_at <= $4)
         AND ($5::timestamptz IS NULL OR c.created_at <= $5)`,
      [f.documentIds ?? null, f.entityId ?? null, f.from ?? null, f.to ?? null, f.asOf ?? null],
    );
    return new Set(rows.map((r) => Number(r.unit_no)));
  }

  /** Nearest chunks and memories by cosine distance, merged into one list (one model, comparable distances). */
  private async nearest(v: Float32Array, k: number, f: SearchFilters, chunkAllowed: Set<number> | null, chunks: boolean, memories: boolean, meta: Map<number, MemoryMeta>): Promise<number[]> {
    const lit = vectorLiteral(v);
    const found: { unit: number; d: number }[] = [];
    if (chunks && (!chunkAllowed || chunkAllowed.size > 0)) {
      const restrict = chunkAllowed && chunkAllowed.size <= 5000 ? [...chunkAllowed] : null;
      const { rows } = await this.m.db.query<{ unit_no: string; d: number }>(
        `SELECT unit_no, embedding <=> $1::vector AS d FROM memory_chunks WHERE embedding IS NOT NULL AND ($2::bigint[] IS NULL OR unit_no = ANY($2))
         ORDER BY embedding <=> $1::vector LIMIT ${k}`,
        [lit, restrict],
      );
      for (const r of rows) if (!chunkAllowed || chunkAllowed.has(Number(r.unit_no))) found.push({ unit: Number(r.unit_no), d: r.d });
    }
    if (memories && meta.size > 0) {
      const { rows } = await this.m.db.query<{ unit_no: string; d: number }>(
        `SELECT unit_no, embedding <=> $1::vector AS d FROM memory_items WHERE embedding IS NOT NULL ORDER BY embedding <=> $1::vector LIMIT ${k}`,
        [lit],
      );
      for (const r of rows) {
        const mm = meta.get(Number(r.unit_no));
        if (mm && this.memoryAllowed(mm, f)) found.push({ unit: Number(r.unit_no), d: r.d });
      }
    }
    return found.sort((a, b) => a.d - b.d).slice(0, k).map((x) => x.unit);
  }

  /** Reciprocal rank fusion of the two lists, then the recency boost. */
  private async fuse(keyword: number[], vector: number[], meta: Map<number, MemoryMeta>, limit: number): Promise<Candidate[]> {
    const byUnit = new Map<number, Candidate>();
    const add = (list: number[], field: 'keyword' | 'vector') =>
      list.forEach((unit, i) => {
        const c = byUnit.get(unit) ?? { unit, keyword: null, vector: null, score: 0 };
        c[field] = i + 1;
        c.score += 1 / (RRF_K + i + 1);
        byUnit.set(unit, c);
      });
    add(keyword, 'keyword');
    add(vector, 'vector');
    const candidates = [...byUnit.values()].sort((a, b) => b.score - a.score || a.unit - b.unit);
    // The boost is at most RECENCY_WEIGHT: only candidates within that factor of the limit-th
    // can still change places, so only their ages are looked up.
    const floor = (candidates[Math.min(limit, candidates.length) - 1]?.score ?? 0) / (1 + RECENCY_WEIGHT);
    const contenders = candidates.filter((c) => c.score >= floor);
    const ages = await this.ages(contenders.map((c) => c.unit), meta);
    for (const c of contenders) {
      const days = ages.get(c.unit);
      if (days !== undefined) c.score *= 1 + RECENCY_WEIGHT * 2 ** (-days / RECENCY_HALF_LIFE_DAYS);
    }
    return candidates.sort((a, b) => b.score - a.score || a.unit - b.unit);
  }

  private async ages(units: number[], meta: Map<number, MemoryMeta>): Promise<Map<number, number>> {
    const now = Date.now();
    const out = new Map<number, number>();
    const chunkUnits = units.filter((u) => !meta.has(u));
    for (const u of units) {
      const mm = meta.get(u);
      if (mm) out.set(u, Math.max(0, (now - mm.validFrom) / 86_400_000));
    }
    if (chunkUnits.length) {
      const { rows } = await this.m.db.query<{ unit_no: string; created_at: Date }>('SELECT unit_no, created_at FROM memory_chunks WHERE unit_no = ANY($1::bigint[])', [chunkUnits]);
      for (const r of rows) out.set(Number(r.unit_no), Math.max(0, (now - r.created_at.getTime()) / 86_400_000));
    }
    return out;
  }
}

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Core } from '../main/core/host/core';
import { chunkDocument } from '../main/core/memory/chunk';
import { insertVersion } from '../main/core/memory/documents/store';
import { Embedder } from '../main/core/memory/embed/embedder';
import { writeMiniLmShapedModel } from './minilm-shaped-model';
import { embeddingText, vectorLiteral } from '../main/core/memory/embeddings';
import type { ParsedDocument } from '../main/core/memory/parse/types';
import { fts5Rankings, loadBeir, meanMetric, ndcgAt, recallAt } from '../test/support/ir';
import { embedAll, embeddingsReady, keelRankings, loadCollection, startMemoryService } from '../test/support/memory-service';
import { median, repeat, report, RUNS } from './stats';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FIXTURES = join(HERE, '..', '..', 'shared', 'fixtures');
const MODELS = join(FIXTURES, 'models');
const DBPEDIA = join(FIXTURES, 'ir', 'dbpedia-5k');
const TINY = { modelId: 'tiny-embedder', dtype: 'fp32' as const, autoDownload: false as const };

const tmp = () => mkdtempSync(join(tmpdir(), 'keel-bench-memory-'));
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** A deterministic random source, so every run builds the same synthetic collection. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Sentences of the dbpedia corpus, the material of synthetic chunks with a real term distribution. */
function corpusSentences(): string[] {
  const seg = new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: string[] = [];
  for (const d of loadBeir(DBPEDIA).docs) for (const s of seg.segment(d.text)) if (s.segment.trim().length > 20) out.push(s.segment.trim());
  return out;
}

function waitIdle(core: Core): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = async () => {
      const r = await core.call('documents.list', { limit: 1 });
      if (!r.ok) return reject(new Error(r.error.message));
      const c = (r.output as { counts: Record<string, number> }).counts;
      if (c.queued! + c.parsing! + c.embedding! === 0) resolve();
      else setTimeout(() => void check(), 20);
    };
    void check();
  });
}

/** Retrieval quality on dbpedia-5k: keyword, hybrid (tiny embedder), and SQLite FTS5's bm25 as the independent baseline. */
async function quality(): Promise<void> {
  const c = loadBeir(DBPEDIA);
  const s = await startMemoryService(tmp(), { modelsDir: MODELS });
  try {
    await loadCollection(s.memory, c);
    await embeddingsReady(s.memory);
    await embedAll(s.memory);
    const keyword = meanMetric(c, await keelRankings(s.memory, c, 'keyword'), ndcgAt);
    const hybridRankings = await keelRankings(s.memory, c, 'hybrid');
    const baseline = meanMetric(c, fts5Rankings(c), ndcgAt);
    report('memory.ndcg_at_10.keyword', keyword, 'ndcg');
    report('memory.ndcg_at_10.hybrid', meanMetric(c, hybridRankings, ndcgAt), 'ndcg');
    report('memory.recall_at_100.hybrid', meanMetric(c, hybridRankings, recallAt), 'recall');
    report('memory.bm25_baseline_ndcg_at_10', baseline, 'ndcg');
    report('memory.keyword_vs_bm25', keyword / baseline, 'ratio');
  } finally {
    await s.close();
  }
}

/** Documents of about 20 chunks each, as Markdown files, from corpus sentences. */
function writeCorpus(dir: string, docs: number, sentences: string[], seed: number): void {
  mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  for (let d = 0; d < docs; d++) {
    const parts = [`# Report ${seed}-${d}`];
    for (let s = 0; s < 6; s++) {
      parts.push(`## Part ${s}`);
      for (let p = 0; p < 4; p++) parts.push(Array.from({ length: 5 }, () => sentences[Math.floor(rand() * sentences.length)]).join(' '));
    }
    writeFileSync(join(dir, `report-${d}.md`), parts.join('\n\n'));
  }
}

interface BenchModel {
  /** Suffix of the figures' names ('' for Keel's default model). */
  label: string;
  modelsDir: string;
  embedding: { modelId: string; dtype: 'fp32'; autoDownload: false };
  docs: number;
}

/**
 * Ingestion throughput (files → parsed, chunked, stored, indexed, embedded) against the bare
 * model embedding the same chunk texts at the same batch size, side by side in each run.
 */
async function ingestEfficiency(sentences: string[], model: BenchModel): Promise<void> {
  const ingest: number[] = [];
  const raw: number[] = [];
  await repeat(RUNS, async (r) => {
    const root = tmp();
    writeCorpus(join(root, 'files'), model.docs, sentences, r + 1);
    const core = Core.start({ dataDir: join(root, 'data'), mode: 'headless', memory: { modelsDir: model.modelsDir, overrides: { embedding: model.embedding } } });
    await core.ready;
    await new Promise<void>((resolve) => {
      const off = core.subscribe((e, p) => e === 'embeddings.changed' && (p as { state: string }).state === 'ready' && (off(), resolve()));
    });
    const paths = Array.from({ length: model.docs }, (_, i) => join(root, 'files', `report-${i}.md`));
    const t0 = performance.now();
    await core.call('documents.ingest', { paths });
    await waitIdle(core);
    const seconds = (performance.now() - t0) / 1000;
    const list = await core.call('documents.list', { limit: 100 });
    const docs = (list.ok ? (list.output as { documents: { id: string; chunkCount: number; unembedded: number; title: string | null }[] }).documents : []);
    const chunks = docs.reduce((a, d) => a + d.chunkCount, 0);
    if (docs.some((d) => d.unembedded > 0)) throw new Error('ingestion ended with chunks not embedded');
    ingest.push(chunks / seconds);
    const texts: string[] = [];
    for (const d of docs) {
      const res = await core.call('documents.chunks', { id: d.id, limit: 1000 });
      if (res.ok) for (const ch of (res.output as { chunks: { text: string; headingPath: string[] }[] }).chunks) texts.push(embeddingText(d.title, ch.headingPath, ch.text));
    }
    await core.close();
    const embedder = new Embedder({ modelsDir: model.modelsDir, ...model.embedding, batchSize: 32 });
    await embedder.start();
    const t1 = performance.now();
    for (let i = 0; i < texts.length; i += 64) await embedder.embed(texts.slice(i, i + 64), 'bulk');
    raw.push(texts.length / ((performance.now() - t1) / 1000));
    await embedder.close();
    rmSync(root, { recursive: true, force: true });
    return 0;
  });
  report(`memory.ingest_chunks_per_s${model.label}`, median(ingest), 'chunks/s');
  report(`memory.model_raw_texts_per_s${model.label}`, median(raw), 'texts/s');
  report(`memory.ingest_efficiency${model.label}`, median(ingest.map((v, k) => v / raw[k]!)), 'ratio');
}

/**
 * Ingestion against Keel's default model (all-MiniLM-L6-v2's architecture with random weights:
 * its real compute cost) and against the tiny fixture model (next to no model cost: what is
 * left is Keel's own overhead).
 */
async function ingestion(sentences: string[]): Promise<void> {
  const models = tmp();
  writeMiniLmShapedModel(models, 'minilm-shaped', join(MODELS, 'all-MiniLM-L6-v2'));
  try {
    await ingestEfficiency(sentences, { label: '', modelsDir: models, embedding: { modelId: 'minilm-shaped', dtype: 'fp32', autoDownload: false }, docs: 30 });
    await ingestEfficiency(sentences, { label: '.tiny_model', modelsDir: MODELS, embedding: TINY, docs: 60 });
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
}

/**
 * Clustered unit vectors: real sentence embeddings have structure (topics), which is what
 * HNSW is built for; uniformly random 384-d vectors have none. 1,000 topic centres, each
 * point at cosine ~0.85 from its centre.
 */
function syntheticVectors(n: number, dims: number, rand: () => number): Float32Array[] {
  const centres = Array.from({ length: 1000 }, () => unit(Float32Array.from({ length: dims }, () => rand() * 2 - 1)));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    return unit(c.map((x) => x + (rand() * 2 - 1) * 0.05));
  });
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Hybrid search latency at 100,000 chunks with 384-d vectors, and HNSW recall against exact search. */
async function searchAtScale(sentences: string[]): Promise<void> {
  const N = Number(process.env.BENCH_MEMORY_CHUNKS ?? 100_000);
  const DIMS = 384;
  const rand = rng(7);
  const s = await startMemoryService(tmp(), { model: null });
  try {
    const db = s.memory.context.db;
    const at = new Date().toISOString();
    const perDoc = 100;
    const tLoad = performance.now();
    for (let d = 0; d < N / perDoc; d += 10) {
      await s.memory.context.commit(async (tx) => {
        const units: number[] = [];
        for (let j = d; j < d + 10; j++) {
          const id = `bench-${j}`;
          await tx.query(`INSERT INTO memory_documents (id, source, name, title, type, status, current_version, chunk_count, created_at, updated_at) VALUES ($1, $1, $1, $1, 'text', 'indexed', 1, $2, $3, $3)`, [id, perDoc, at]);
          const blocks = Array.from({ length: perDoc }, () => Array.from({ length: 3 + Math.floor(rand() * 4) }, () => sentences[Math.floor(rand() * sentences.length)]).join(' '));
          let text = '';
          const parsed: ParsedDocument = { type: 'text', title: id, text: '', blocks: [], meta: {}, warnings: [] };
          for (const b of blocks) {
            const start = text.length ? text.length + 2 : 0;
            text = text.length ? `${text}\n\n${b}` : b;
            parsed.blocks.push({ kind: 'paragraph', text: b, start, end: start + b.length });
          }
          parsed.text = text;
          const chunks = chunkDocument(parsed, { targetTokens: 1000, overlapTokens: 0 }).length === perDoc ? chunkDocument(parsed, { targetTokens: 1000, overlapTokens: 0 }) : parsed.blocks.map((b) => ({ text: b.text, headingPath: [], page: null, pageEnd: null, start: b.start, end: b.end, tokens: 100 }));
          units.push(...(await insertVersion(tx, s.memory.context.bm25, { documentId: id, version: 1, runId: null, sha256: id, size: text.length, parsed, chunks: chunks.slice(0, perDoc), at }, false)));
        }
        await s.memory.context.bm25.add(tx, 'memory_chunks', units);
      });
    }
    console.error(`[bench] ${N} chunks stored in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`);
    const tCompact = performance.now();
    await s.memory.compactIfDue(true);
    console.error(`[bench] index compacted in ${((performance.now() - tCompact) / 1000).toFixed(1)} s`);
    const vectors = syntheticVectors(N, DIMS, rand);
    await db.exec(`ALTER TABLE memory_chunks ALTER COLUMN embedding TYPE vector(${DIMS})`);
    const { rows: ids } = await db.query<{ id: string }>('SELECT id FROM memory_chunks ORDER BY unit_no');
    for (let i = 0; i < ids.length; i += 2000) {
      const slice = ids.slice(i, i + 2000);
      await db.query(`UPDATE memory_chunks t SET embedding = x.v::vector FROM unnest($1::text[], $2::text[]) AS x(id, v) WHERE t.id = x.id`, [slice.map((r) => r.id), slice.map((_, k) => vectorLiteral(vectors[i + k]!))]);
    }
    console.error(`[bench] vectors written in ${((performance.now() - tCompact) / 1000).toFixed(1)} s`);
    const tIndex = performance.now();
    await db.exec(`CREATE INDEX memory_chunks_embedding_hnsw ON memory_chunks USING hnsw (embedding vector_cosine_ops)`);
    report('memory.hnsw_build_s', (performance.now() - tIndex) / 1000, 's');

    // The query side: 200 queries made of corpus words, each with a vector near some chunk's.
    const queries = Array.from({ length: 200 }, () => {
      const words = sentences[Math.floor(rand() * sentences.length)]!.split(/\s+/).filter((w) => w.length > 3);
      const text = Array.from({ length: 2 + Math.floor(rand() * 4) }, () => words[Math.floor(rand() * words.length)] ?? 'film').join(' ');
      const near = vectors[Math.floor(rand() * vectors.length)]!;
      return { text, vector: unit(near.map((x) => x + (rand() * 2 - 1) * 0.02)) };
    });
    let current = queries[0]!.vector;
    // No 384-d model exists here: the query's vector is given, everything after it is the real path.
    s.memory.embeddings.queryVector = async () => current;
    s.memory.embeddings.ready = () => true;
    const latencies: number[] = [];
    await repeat(RUNS, async () => {
      for (const q of queries) {
        current = q.vector;
        const t = performance.now();
        await s.memory.search.search(q.text, {}, 10);
        latencies.push(performance.now() - t);
      }
      return 0;
    });
    report('memory.search_p50_ms', percentile(latencies, 50), 'ms');
    report('memory.search_p95_ms', percentile(latencies, 95), 'ms');

    let found = 0;
    for (const q of queries) {
      const lit = vectorLiteral(q.vector);
      const approx = await db.query<{ id: string }>(`SELECT id FROM memory_chunks ORDER BY embedding <=> $1::vector LIMIT 10`, [lit]);
      await db.exec('SET enable_indexscan = off');
      const exact = await db.query<{ id: string }>(`SELECT id FROM memory_chunks ORDER BY embedding <=> $1::vector LIMIT 10`, [lit]);
      await db.exec('SET enable_indexscan = on');
      const truth = new Set(exact.rows.map((r) => r.id));
      found += approx.rows.filter((r) => truth.has(r.id)).length;
    }
    report('memory.hnsw_recall_at_10', found / (queries.length * 10), 'recall');
  } finally {
    await s.close();
  }
}

/** The API thread's event-loop lag while 1,000 documents are ingested, against the same thread idle. */
async function lagWhileIngesting(sentences: string[]): Promise<void> {
  const root = tmp();
  const files = join(root, 'files');
  mkdirSync(files);
  const rand = rng(99);
  for (let i = 0; i < 1000; i++) writeFileSync(join(files, `note-${i}.txt`), Array.from({ length: 8 }, () => sentences[Math.floor(rand() * sentences.length)]).join(' '));
  const core = Core.start({ dataDir: join(root, 'data'), mode: 'headless', memory: { modelsDir: MODELS, overrides: { embedding: TINY } } });
  await core.ready;
  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 1000));
  idle.disable();
  const busy = monitorEventLoopDelay({ resolution: 5 });
  busy.enable();
  await core.call('documents.ingest', { paths: Array.from({ length: 1000 }, (_, i) => join(files, `note-${i}.txt`)) });
  await waitIdle(core);
  busy.disable();
  await core.close();
  rmSync(root, { recursive: true, force: true });
  report('memory.event_loop_lag_p99_ms', busy.percentile(99) / 1e6, 'ms');
  report('memory.event_loop_lag_idle_p99_ms', idle.percentile(99) / 1e6, 'ms');
}

export async function benchMemory(): Promise<void> {
  const sentences = corpusSentences();
  const only = process.env.BENCH_MEMORY_PART;
  if (!only || only === 'quality') await quality();
  if (!only || only === 'ingest') await ingestion(sentences);
  if (!only || only === 'lag') await lagWhileIngesting(sentences);
  if (!only || only === 'search') await searchAtScale(sentences);
}

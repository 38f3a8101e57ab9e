import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A BEIR-format retrieval collection: documents, queries and graded judgements. */
export interface IrCollection {
  docs: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  /** query id → document id → grade (0-2). */
  qrels: Map<string, Map<string, number>>;
}

export function loadBeir(dir: string): IrCollection {
  const jsonl = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, string>);
  const docs = jsonl('corpus.jsonl').map((d) => ({ id: d._id!, title: d.title ?? '', text: d.text ?? '' }));
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(dir, 'qrels', 'test.tsv'), 'utf8').split('\n').slice(1)) {
    const [q, d, g] = line.split('\t');
    if (!q || !d) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(g));
  }
  const queries = jsonl('queries.jsonl')
    .map((q) => ({ id: q._id!, text: q.text! }))
    .filter((q) => qrels.has(q.id));
  return { docs, queries, qrels };
}

/** nDCG@k with graded gains (2^g - 1), the ideal ranking from all judged documents. */
export function ndcgAt(ranked: string[], judged: Map<string, number>, k = 10): number {
  const dcg = ranked.slice(0, k).reduce((s, id, i) => s + (2 ** (judged.get(id) ?? 0) - 1) / Math.log2(i + 2), 0);
  const ideal = [...judged.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Share of the relevant (grade > 0) documents found in the top k. */
export function recallAt(ranked: string[], judged: Map<string, number>, k = 100): number {
  const relevant = [...judged].filter(([, g]) => g > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** Mean of a metric over the collection's queries, given each query's ranking. */
export function meanMetric(c: IrCollection, rankings: Map<string, string[]>, metric: (ranked: string[], judged: Map<string, number>) => number): number {
  const values = c.queries.map((q) => metric(rankings.get(q.id) ?? [], c.qrels.get(q.id)!));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The independent baseline: SQLite FTS5's bm25() (porter stemmer, unicode61 tokens) over
 * title + text, queried with the query's words OR-ed, as BEIR's BM25 baselines do.
 */
export function fts5Rankings(c: IrCollection, k = 100): Map<string, string[]> {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize = 'porter unicode61')`);
  const insert = db.prepare('INSERT INTO docs (id, body) VALUES (?, ?)');
  db.transaction(() => {
    for (const d of c.docs) insert.run(d.id, `${d.title}\n${d.text}`);
  })();
  const search = db.prepare('SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?');
  const out = new Map<string, string[]>();
  for (const q of c.queries) {
    const words = q.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const match = words.map((w) => `"${w}"`).join(' OR ');
    out.set(q.id, match ? (search.all(match, k) as { id: string }[]).map((r) => r.id) : []);
  }
  db.close();
  return out;
}

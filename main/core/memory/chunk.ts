import type { Block, ParsedDocument } from './parse/types';

/** A piece of a document sized for retrieval, pointing back into the document's text. */
export interface Chunk {
  text: string;
  headingPath: string[];
  page: number | null;
  pageEnd: number | null;
  start: number;
  end: number;
  tokens: number;
}

export interface ChunkOptions {
  /** Target size in tokens (word pieces, estimated). */
  targetTokens: number;
  /** Tokens repeated from the end of a chunk at the start of the next one cut from the same section. */
  overlapTokens: number;
}

/** Sentence-embedding models read ~256 word pieces; a chunk of ~200 leaves room for its heading path. */
export const DEFAULT_CHUNKING: ChunkOptions = { targetTokens: 200, overlapTokens: 30 };

/** Word-piece estimate: words and punctuation, with long words counting more (as WordPiece splits them). */
export function estimateTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)) n += m[0].length > 8 ? Math.ceil(m[0].length / 6) : 1;
  return n;
}

/** A span of the document's text: a block, or a sentence of a block too large for one chunk. */
interface Piece {
  start: number;
  end: number;
  tokens: number;
  page: number | null;
}

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Splits a block that is larger than a chunk into sentences, and sentences that still are into word runs. */
function splitBlock(text: string, block: Block, target: number): Piece[] {
  const out: Piece[] = [];
  for (const s of sentences.segment(block.text)) {
    const start = block.start + s.index;
    const tokens = estimateTokens(s.segment);
    if (tokens <= target) {
      out.push({ start, end: start + s.segment.trimEnd().length, tokens, page: block.page ?? null });
      continue;
    }
    let runStart = -1;
    let runTokens = 0;
    let runEnd = start;
    for (const w of s.segment.matchAll(/\S+/g)) {
      const ws = start + w.index;
      if (runStart < 0) runStart = ws;
      runTokens += estimateTokens(w[0]);
      runEnd = ws + w[0].length;
      if (runTokens >= target) {
        out.push({ start: runStart, end: runEnd, tokens: runTokens, page: block.page ?? null });
        runStart = -1;
        runTokens = 0;
      }
    }
    if (runStart >= 0) out.push({ start: runStart, end: runEnd, tokens: runTokens, page: block.page ?? null });
  }
  return out.filter((p) => p.end > p.start && text.slice(p.start, p.end).trim());
}

/**
 * Structure first: a heading closes the chunk before it, so chunks never straddle sections,
 * and each chunk carries the path of headings above it. Within a section, blocks are packed
 * up to the target; a block too large is cut at sentences (then words). A chunk cut for size
 * starts with the last sentences of the one before (the overlap), so no sentence loses its
 * neighbour's context at a boundary.
 */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let pieces: Piece[] = [];
  let tokens = 0;
  let path: string[] = [];

  const flush = (forSize: boolean) => {
    if (pieces.length === 0) return;
    const first = pieces[0]!;
    const last = pieces[pieces.length - 1]!;
    chunks.push({
      text: doc.text.slice(first.start, last.end),
      headingPath: path,
      page: first.page,
      pageEnd: last.page,
      start: first.start,
      end: last.end,
      tokens,
    });
    const carry: Piece[] = [];
    let carried = 0;
    if (forSize) {
      for (let i = pieces.length - 1; i > 0 && carried + pieces[i]!.tokens <= options.overlapTokens; i--) {
        carry.unshift(pieces[i]!);
        carried += pieces[i]!.tokens;
      }
    }
    pieces = carry;
    tokens = carried;
  };

  const add = (piece: Piece) => {
    if (tokens + piece.tokens > options.targetTokens && tokens > 0) flush(true);
    pieces.push(piece);
    tokens += piece.tokens;
  };

  for (const block of doc.blocks) {
    if (block.kind === 'heading') {
      flush(false);
      const level = Math.min(Math.max(block.level ?? 1, 1), 6);
      headings.length = Math.min(headings.length, level - 1);
      headings[level - 1] = block.text.trim();
      path = headings.filter(Boolean);
    }
    const blockTokens = estimateTokens(block.text);
    if (blockTokens > options.targetTokens) for (const p of splitBlock(doc.text, block, options.targetTokens)) add(p);
    else add({ start: block.start, end: block.end, tokens: blockTokens, page: block.page ?? null });
  }
  flush(false);
  return chunks;
}

import type { Memory, ReviewKind } from '../../../../shared/domain/memory';
import { normalise } from './rows';

/**
 * What the curation pass looks for, as pure functions over memories (the pass feeds them
 * from the database): duplicates, contradictions and staleness.
 */

export interface Finding {
  kind: ReviewKind;
  memoryIds: string[];
  reason: string;
  similarity: number | null;
}

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'cannot', "isn't", "doesn't", "don't", "won't", "can't", 'without']);
const MONTHS = 'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec'.split(' ');
const NUMERIC = /^\d+([.,]\d+)*(st|nd|rd|th|%|k|m)?$/;

/** A statement split into what it says and the details that can make two statements disagree. */
export interface Shape {
  words: Set<string>;
  /** Numbers, dates and months: "30 days" vs "45 days". */
  figures: string[];
  negated: boolean;
}

export function shape(text: string): Shape {
  const tokens = text
    .toLowerCase()
    .replace(/n't\b/g, ' not')
    .match(/[\p{L}\p{N}][\p{L}\p{N}.,%']*/gu) ?? [];
  const words = new Set<string>();
  const figures: string[] = [];
  let negated = false;
  for (const raw of tokens) {
    const t = raw.replace(/[.,']+$/, '');
    if (NEGATIONS.has(t)) negated = true;
    else if (NUMERIC.test(t) || MONTHS.includes(t)) figures.push(t.replace(/,/g, ''));
    else words.add(t);
  }
  return { words, figures: figures.sort(), negated };
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Statements this alike in their words are about the same thing. */
export const SAME_STATEMENT = 0.8;
/** Cosine similarity above which two memories say the same (when embedded). */
export const NEAR_DUPLICATE_COSINE = 0.95;

/**
 * Compares two memories' texts: the same words and details → duplicate; the same words but
 * different figures or opposite negation → contradiction; otherwise nothing.
 */
export function compareTexts(a: Memory, b: Memory): Finding | null {
  if (normalise(a.text) === normalise(b.text)) {
    return { kind: 'duplicate', memoryIds: [a.id, b.id], reason: 'The same statement, word for word.', similarity: 1 };
  }
  const sa = shape(a.text);
  const sb = shape(b.text);
  const sim = jaccard(sa.words, sb.words);
  if (sim < SAME_STATEMENT) return null;
  const figuresDiffer = sa.figures.join(' ') !== sb.figures.join(' ');
  if (sa.negated !== sb.negated) {
    return { kind: 'contradiction', memoryIds: [a.id, b.id], reason: 'The same statement, but one of them negates it.', similarity: round(sim) };
  }
  if (figuresDiffer && (sa.figures.length > 0 || sb.figures.length > 0)) {
    return { kind: 'contradiction', memoryIds: [a.id, b.id], reason: `The same statement with different figures (${sa.figures.join(', ') || 'none'} vs ${sb.figures.join(', ') || 'none'}).`, similarity: round(sim) };
  }
  return { kind: 'duplicate', memoryIds: [a.id, b.id], reason: `Nearly the same words (${Math.round(sim * 100)}% in common).`, similarity: round(sim) };
}

/** Same entity and attribute, overlapping validity, different values. */
export function compareFacts(a: Memory, b: Memory): Finding | null {
  if (!a.entityId || a.entityId !== b.entityId || !a.attribute || a.attribute !== b.attribute) return null;
  const va = normalise(a.value ?? a.text);
  const vb = normalise(b.value ?? b.text);
  if (va === vb) return { kind: 'duplicate', memoryIds: [a.id, b.id], reason: `Both record ${a.attribute} = ${a.value ?? a.text}.`, similarity: 1 };
  if (!overlaps(a, b)) return null;
  return { kind: 'contradiction', memoryIds: [a.id, b.id], reason: `Two values for ${a.attribute} at the same time: "${a.value ?? a.text}" and "${b.value ?? b.text}".`, similarity: null };
}

function overlaps(a: Memory, b: Memory): boolean {
  const end = (m: Memory) => (m.validTo ? Date.parse(m.validTo) : Infinity);
  return Date.parse(a.validFrom) < end(b) && Date.parse(b.validFrom) < end(a);
}

/** Memories that share a rare word, so comparing every pair is never needed. */
export function candidatePairs(memories: Memory[], maxBucket = 50): [Memory, Memory][] {
  const shapes = memories.map((m) => shape(m.text));
  const df = new Map<string, number>();
  for (const s of shapes) for (const w of s.words) df.set(w, (df.get(w) ?? 0) + 1);
  const buckets = new Map<string, number[]>();
  shapes.forEach((s, i) => {
    const rare = [...s.words].sort((x, y) => df.get(x)! - df.get(y)!).slice(0, 3);
    for (const w of rare) buckets.set(w, [...(buckets.get(w) ?? []), i]);
  });
  const seen = new Set<string>();
  const pairs: [Memory, Memory][] = [];
  for (const list of buckets.values()) {
    const l = list.slice(0, maxBucket);
    for (let x = 0; x < l.length; x++) {
      for (let y = x + 1; y < l.length; y++) {
        const key = `${l[x]}:${l[y]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push([memories[l[x]!]!, memories[l[y]!]!]);
      }
    }
  }
  return pairs;
}

export const reviewKey = (f: Pick<Finding, 'kind' | 'memoryIds'>): string => `${f.kind}:${[...f.memoryIds].sort().join(',')}`;

const round = (x: number) => Math.round(x * 1000) / 1000;

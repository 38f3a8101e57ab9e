/**
 * Extractive summaries without a model: the sentences closest to the text's own centre of
 * gravity (TF-IDF over its sentences), kept in their original order. Good enough to make an
 * episode from a long run or thread until the agents' models write better ones.
 */

const STOP = new Set('a an and are as at be by for from has have i in is it its of on or that the this to was were will with you we our your not but they'.split(' '));

const words = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w) && w.length > 1);

export function extractiveSummary(text: string, maxSentences = 3, maxChars = 600): string {
  const sentences = [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map((s) => s.segment.trim()).filter((s) => s.length > 0);
  if (sentences.length <= maxSentences) return clip(sentences.join(' '), maxChars);
  const bags = sentences.map(words);
  const df = new Map<string, number>();
  for (const bag of bags) for (const w of new Set(bag)) df.set(w, (df.get(w) ?? 0) + 1);
  const weight = (w: string) => Math.log(1 + sentences.length / (df.get(w) ?? 1));
  const centre = new Map<string, number>();
  for (const bag of bags) for (const w of bag) centre.set(w, (centre.get(w) ?? 0) + weight(w));
  const scored = bags.map((bag, i) => {
    const unique = new Set(bag);
    let s = 0;
    for (const w of unique) s += (centre.get(w) ?? 0) * weight(w);
    return { i, score: unique.size ? s / Math.sqrt(unique.size) : 0 };
  });
  const chosen = scored.sort((a, b) => b.score - a.score).slice(0, maxSentences).sort((a, b) => a.i - b.i);
  return clip(chosen.map((c) => sentences[c.i]).join(' '), maxChars);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

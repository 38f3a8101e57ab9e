/**
 * Keyword intent and urgency: the builtin provider's triage. Each intent has cue phrases;
 * the best-scoring intent wins, and the margin over the runner-up is the confidence.
 */

export const INTENTS = ['meeting_notes', 'invoice', 'payment', 'request', 'newsletter', 'other'] as const;
export type Intent = (typeof INTENTS)[number];
export type Urgency = 'low' | 'normal' | 'high';

const CUES: Record<Exclude<Intent, 'other'>, string[]> = {
  meeting_notes: ['meeting notes', 'meeting', 'minutes', 'attendees', 'agenda', 'action items', 'discussed', 'decisions', 'call with', 'next steps'],
  invoice: ['invoice', 'amount due', 'bill to', 'invoice number', 'due date', 'subtotal', 'vat'],
  payment: ['payment received', 'remittance', 'transaction', 'paid', 'bank transfer', 'statement'],
  request: ['could you', 'can you', 'would you', 'please send', 'request', 'quote', 'proposal for'],
  newsletter: ['unsubscribe', 'newsletter', 'view in browser'],
};

const URGENT = ['urgent', 'asap', 'immediately', 'today', 'tonight', 'by tomorrow', 'overdue', 'deadline'];

function count(text: string, phrase: string): number {
  let n = 0;
  for (let i = text.indexOf(phrase); i >= 0; i = text.indexOf(phrase, i + phrase.length)) n++;
  return n;
}

export function classifyIntent(text: string, title = ''): { intent: Intent; urgency: Urgency; confidence: number; cues: string[] } {
  const hay = `${title}\n${title}\n${text}`.toLowerCase();
  const scored = Object.entries(CUES).map(([intent, cues]) => {
    const hits = cues.filter((c) => hay.includes(c));
    return { intent: intent as Intent, hits, score: hits.reduce((s, c) => s + Math.min(3, count(hay, c)), 0) };
  });
  scored.sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  const urgentHits = URGENT.filter((u) => hay.includes(u));
  const urgency: Urgency = urgentHits.length >= 1 ? 'high' : best && best.score > 0 ? 'normal' : 'low';
  if (!best || best.score === 0) return { intent: 'other', urgency, confidence: 0.3, cues: [] };
  const confidence = Math.min(0.95, 0.5 + (best.score - (second?.score ?? 0)) / (2 * best.score));
  return { intent: best.intent, urgency, confidence: Math.round(confidence * 100) / 100, cues: best.hits };
}

/** Entity names (and aliases) that occur in the text as whole words, case-insensitively. */
export function mentionedEntities<E extends { id: string; name: string; aliases?: string[] }>(text: string, entities: E[]): E[] {
  const hay = text.toLowerCase();
  return entities.filter((e) =>
    [e.name, ...(e.aliases ?? [])].some((n) => n.trim().length > 1 && new RegExp(`(^|[^\\p{L}\\p{N}])${escape(n.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u').test(hay)),
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

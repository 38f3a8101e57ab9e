/**
 * Templated writing of other texts than follow-ups: an e-mail, a proposal, a post or release
 * notes from the operator's brief, in a tone; revisions change the tone or the length and say
 * why. Without a language model this is what Keel can honestly do: arrange the operator's own
 * words, never invent content.
 */
import { toneFrom, type Draft, type Tone } from './draft';

export const TEXT_KINDS = ['email', 'proposal', 'post', 'release_notes'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

export interface TextInput {
  kind: TextKind;
  title: string;
  /** What the text should say, in the operator's words. */
  brief: string;
  tone: Tone;
  recipient: string | null;
  sender: string;
  /** Remembered facts worth honouring (billing terms, preferences). */
  notes: string[];
}

const GREET: Record<Tone, (n: string) => string> = {
  formal: (n) => `Dear ${n},`,
  friendly: (n) => `Hi ${n.split(/\s+/)[0]},`,
  concise: (n) => `Hi ${n.split(/\s+/)[0]},`,
  neutral: (n) => `Hello ${n.split(/\s+/)[0]},`,
};
const CLOSE: Record<Tone, string> = { formal: 'Kind regards,', friendly: 'Cheers,', concise: 'Best,', neutral: 'Best regards,' };

/** The brief's paragraphs (blank lines), or its sentences two by two when it is one block. */
function paragraphsOf(brief: string): string[] {
  const blocks = brief.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  if (blocks.length > 1) return blocks;
  const sentences = brief.trim().split(/(?<=[.!?])\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < sentences.length; i += 2) out.push(sentences.slice(i, i + 2).join(' '));
  return out.length ? out : [brief.trim()];
}

const lines = (brief: string) => brief.split('\n').map((l) => l.replace(/^\s*[-*•]\s*/, '').trim()).filter(Boolean);

export function draftText(i: TextInput): Draft {
  const body = paragraphsOf(i.brief);
  switch (i.kind) {
    case 'email':
      return { subject: i.title, paragraphs: [GREET[i.tone](i.recipient ?? 'there'), ...body, ...i.notes.map((n) => `As agreed, ${n.charAt(0).toLowerCase()}${n.slice(1)}`), `${CLOSE[i.tone]}\n${i.sender}`] };
    case 'proposal':
      return {
        subject: `Proposal: ${i.title}`,
        paragraphs: [
          `Proposal: ${i.title}`,
          `Prepared${i.recipient ? ` for ${i.recipient}` : ''} by ${i.sender}.`,
          ...body,
          ...(i.notes.length ? [`Terms:\n${i.notes.map((n) => `- ${n}`).join('\n')}`] : []),
          i.tone === 'formal' ? 'Should this proposal meet your approval, please confirm and I will schedule the next steps.' : 'If this works for you, reply to confirm and I will schedule the next steps.',
        ],
      };
    case 'post':
      return { subject: i.title, paragraphs: [i.title, ...body] };
    case 'release_notes':
      return { subject: `Release notes: ${i.title}`, paragraphs: [`Release notes: ${i.title}`, `What changed:\n${lines(i.brief).map((l) => `- ${l}`).join('\n')}`] };
  }
}

/** The operator's request applied by rule: a tone (greeting and sign-off) or a shorter text. */
export function reviseText(previous: Draft, request: string, tone: Tone, recipient: string | null): Draft & { reason: string } {
  const wanted = toneFrom(request);
  let paragraphs = [...previous.paragraphs];
  const reasons: string[] = [];
  if (wanted && wanted !== tone && recipient) {
    const toned = paragraphs.map((p) => {
      if (Object.values(GREET).some((g) => g(recipient) === p)) return GREET[wanted](recipient);
      const close = Object.values(CLOSE).find((c) => p.startsWith(`${c}\n`));
      return close ? p.replace(close, CLOSE[wanted]) : p;
    });
    // Only texts with a greeting or sign-off carry a tone this rule can change.
    if (toned.some((p, i) => p !== paragraphs[i])) reasons.push(`tone changed to ${wanted}`);
    paragraphs = toned;
  }
  if (/\b(short(er)?|brief|concise|cut|trim)\b/i.test(request)) {
    paragraphs = paragraphs.map((p) => (p.includes('\n') ? p : (p.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? p)));
    reasons.push('each paragraph cut to its first sentence');
  }
  const reason = reasons.length ? `${reasons.join('; ')}, as asked: "${request}"` : `No rule of the builtin provider applies to "${request}"; edit the text yourself or assign a language model to the strong tier.`;
  return { subject: previous.subject, paragraphs, reason };
}

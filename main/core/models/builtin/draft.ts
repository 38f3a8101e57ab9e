/**
 * Templated drafting: a follow-up e-mail from a meeting's decisions and action items, in the
 * recipient's preferred tone. Revisions re-render the draft with the operator's request
 * applied (tone, length) and give the reason for every paragraph that changed.
 */

export type Tone = 'formal' | 'friendly' | 'concise' | 'neutral';

export interface DraftInput {
  recipient: string;
  sender: string;
  topic: string;
  tone: Tone;
  decisions: string[];
  actionItems: { text: string; owner: string | null; due: string | null }[];
  /** Remembered facts worth honouring (billing terms, preferences). */
  notes: string[];
}

export interface Draft {
  subject: string;
  paragraphs: string[];
}

const first = (name: string) => name.trim().split(/\s+/)[0] ?? name;

const STYLE: Record<Tone, { greet: (n: string) => string; open: (topic: string) => string; close: string }> = {
  formal: { greet: (n) => `Dear ${n},`, open: (t) => `Thank you for your time during our meeting on ${t}. Please find below a summary of what we agreed and the next steps.`, close: 'Kind regards,' },
  friendly: { greet: (n) => `Hi ${first(n)},`, open: (t) => `Great talking with you about ${t}! Here's a quick recap so we're on the same page.`, close: 'Cheers,' },
  concise: { greet: (n) => `Hi ${first(n)},`, open: (t) => `Recap of ${t}:`, close: 'Best,' },
  neutral: { greet: (n) => `Hello ${first(n)},`, open: (t) => `Thanks for meeting about ${t}. Here is a summary of what we decided and what happens next.`, close: 'Best regards,' },
};

/** Tone named in a remembered preference ("prefers a formal tone") or in a revision request. */
export function toneFrom(text: string): Tone | null {
  const t = text.toLowerCase();
  if (/\b(formal|professional)\b/.test(t) && !/\b(informal|less formal)\b/.test(t)) return 'formal';
  if (/\b(concise|brief|short|shorter|to the point)\b/.test(t)) return 'concise';
  if (/\b(friendl(y|ier)|casual|informal|warm(er)?|relaxed|less formal)\b/.test(t)) return 'friendly';
  return null;
}

/** The due date, unless the item's own words already say when ("by Friday"). */
const due = (d: string | null, text: string) => (d && !/\b(by|due|before|until)\b/i.test(text) ? ` by ${d}` : '');
const who = (o: string | null) => (o ? `${o}: ` : '');

export function draftFollowUp(input: DraftInput): Draft {
  const style = STYLE[input.tone];
  const paragraphs = [style.greet(input.recipient), style.open(input.topic)];
  if (input.decisions.length) paragraphs.push(`${input.tone === 'concise' ? 'Decided' : 'What we decided'}:\n${input.decisions.map((d) => `- ${d}`).join('\n')}`);
  if (input.actionItems.length) paragraphs.push(`${input.tone === 'concise' ? 'Next steps' : 'Next steps and owners'}:\n${input.actionItems.map((a) => `- ${who(a.owner)}${a.text.replace(/\.$/, '')}${due(a.due, a.text)}`).join('\n')}`);
  for (const n of input.notes) if (input.tone !== 'concise') paragraphs.push(`As agreed, ${n.charAt(0).toLowerCase()}${n.slice(1)}`);
  if (input.tone !== 'concise') paragraphs.push('Let me know if I missed anything.');
  paragraphs.push(`${style.close}\n${input.sender}`);
  return { subject: `Follow-up: ${input.topic}`, paragraphs };
}

/** A revision of a draft for the operator's request: the reasons follow from what was asked. */
export function reviseDraft(input: DraftInput, request: string): Draft & { reason: string } {
  const tone = toneFrom(request) ?? input.tone;
  const revised = draftFollowUp({ ...input, tone });
  const reason = tone !== input.tone ? `Tone changed to ${tone}, as requested: "${request}"` : `Revised as requested: "${request}"`;
  return { ...revised, reason };
}

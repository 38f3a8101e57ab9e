/**
 * A scripted "language model" behind the OpenAI-compatible test server: it reads each request
 * the way a model would (the task from the JSON Schema's name, the facts from the fenced
 * content) and answers in its own words, so a test can tell its drafts from the builtin
 * provider's. Per model, a test can make it answer badly (invalid JSON) to exercise cascades.
 */
import type { ChatRequestBody, Reply, ReplyFn } from '../support/openai-server';

const fenced = (text: string) => /<<<CONTENT[^\n]*\n([\s\S]*?)\nCONTENT>>>/.exec(text)?.[1] ?? '';
const userText = (b: ChatRequestBody) => String(b.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '');
export const taskOf = (b: ChatRequestBody) => b.response_format?.json_schema?.name ?? null;

function bullets(text: string, heading: RegExp): string[] {
  const out: string[] = [];
  let inside = false;
  // Parsed markdown may keep or drop the '#' and '-' marks: a section starts at a known heading word.
  for (const line of text.split('\n')) {
    const bare = line.replace(/^#+\s*/, '').trim();
    if (/^#+\s/.test(line) || /^(decisions|action items|notes|attendees|date)\b:?$/i.test(bare)) inside = heading.test(bare);
    else if (inside && bare) out.push(bare.replace(/^[-*•]\s+/, ''));
  }
  return out;
}

function answer(task: string | null, body: ChatRequestBody): unknown {
  const prompt = userText(body);
  const content = fenced(prompt);
  switch (task) {
    case 'triage_classify': {
      const known = JSON.parse(/Known entities: (\[.*\])/.exec(prompt)?.[1] ?? '[]') as { id: string; name: string }[];
      const about = known.filter((e) => content.toLowerCase().includes(e.name.toLowerCase())).map((e) => e.id);
      const notes = /meeting notes|action items/i.test(content);
      return { intent: notes ? 'meeting_notes' : 'other', urgency: 'normal', entityIds: about, confidence: 0.93, reason: notes ? 'notes of a client meeting' : 'nothing to act on' };
    }
    case 'extract_notes': {
      const items = bullets(content, /action items/i).map((t) => {
        const m = /^([A-Z][a-z]+):\s*(.*)$/.exec(t);
        return { text: m ? m[2]! : t, owner: m ? m[1]! : null, due: /\d{4}-\d{2}-\d{2}/.exec(t)?.[0] ?? null };
      });
      const facts = bullets(content, /notes/i).map((t) => ({ text: t, attribute: /net \d+/i.test(t) ? 'billing_terms' : null }));
      return { actionItems: items, decisions: bullets(content, /decisions/i), facts };
    }
    case 'draft_follow_up': {
      const [, to, from, topic, tone] = /e-mail to (.*?) from (.*?) about "(.*?)" in a (\w+) tone/.exec(prompt) ?? [];
      const facts = JSON.parse(content || '{}') as { decisions?: string[]; actionItems?: { text: string; owner: string | null }[] };
      return {
        subject: `Following up: ${topic}`,
        paragraphs: [
          tone === 'formal' ? `Dear ${to},` : `Hi ${to},`,
          `It was a pleasure to discuss ${topic} with you. [written by the model]`,
          `We agreed: ${(facts.decisions ?? []).join('; ')}.`,
          `Next steps: ${(facts.actionItems ?? []).map((a) => (a.owner ? `${a.owner} will ${a.text}` : a.text)).join('; ')}.`,
          `${tone === 'formal' ? 'Kind regards' : 'Cheers'},\n${from}`,
        ],
      };
    }
    case 'draft_revise': {
      const previous = JSON.parse(content || '{}') as { subject: string; paragraphs: string[] };
      const paragraphs = [...previous.paragraphs];
      paragraphs[0] = paragraphs[0]!.replace(/^Dear (\S+).*,$/, 'Hi $1,');
      return { subject: previous.subject, paragraphs, reason: 'a friendlier greeting, as asked' };
    }
    case 'summarise':
      return { summary: `In short: ${content.split(/(?<=\.)\s/)[0] ?? content}`.slice(0, 300) };
    default:
      return undefined;
  }
}

/**
 * The reply function: `badModels` answer every request with text that is not JSON (so the
 * structured-output check fails and the repair attempt fails too).
 */
export function scriptedLlm(options: { badModels?: string[] } = {}): ReplyFn {
  return (body): Reply | undefined => {
    if (options.badModels?.includes(body.model ?? '')) return { content: 'Sure! Here is what I found: the notes look fine.' };
    const value = answer(taskOf(body), body);
    return value === undefined ? undefined : { content: JSON.stringify(value) };
  };
}

import { z } from 'zod';
import { classifyIntent, INTENTS, mentionedEntities } from '../models/builtin/intent';
import { extractFromNotes } from '../models/builtin/extract';
import { draftFollowUp, reviseDraft, type DraftInput } from '../models/builtin/draft';
import { draftText, reviseText, type TextInput } from '../models/builtin/write';
import { extractiveSummary } from '../memory/memories/summarise';
import { fence, type ModelTask } from './model-call';
import { columnsTask } from './reconcile-csv';

/** The model tasks of the built-in agents: schema, prompt (content fenced as data), builtin rule. */

export interface KnownEntity {
  id: string;
  name: string;
  type: string;
  aliases: string[];
}

export const Classification = z.object({
  intent: z.enum(INTENTS),
  urgency: z.enum(['low', 'normal', 'high']),
  entityIds: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  reason: z.string(),
});
export type Classification = z.infer<typeof Classification>;

export const classifyTask: ModelTask<{ title: string; text: string; entities: KnownEntity[] }, Classification> = {
  name: 'triage.classify',
  output: Classification,
  prompt: ({ title, text, entities }) =>
    `Classify this item by intent (${INTENTS.join(', ')}) and urgency (low, normal, high), and list the ids of the known entities it is about.\n` +
    `Known entities: ${JSON.stringify(entities.map((e) => ({ id: e.id, name: e.name, aliases: e.aliases })))}\n` +
    fence(`title="${title}"`, text.slice(0, 12_000)),
  builtin: ({ title, text, entities }) => {
    const c = classifyIntent(text, title);
    const about = mentionedEntities(`${title}\n${text}`, entities);
    return { intent: c.intent, urgency: c.urgency, entityIds: about.map((e) => e.id), confidence: c.confidence, reason: c.cues.length ? `cues: ${c.cues.join(', ')}` : 'no cue words' };
  },
  confidence: (o) => o.confidence,
  maxTokens: 300,
};

export const Extraction = z.object({
  actionItems: z.array(z.object({ text: z.string().min(1), owner: z.string().nullable(), due: z.string().nullable() })),
  decisions: z.array(z.string().min(1)),
  facts: z.array(z.object({ text: z.string().min(1), attribute: z.string().nullable() })),
});
export type Extraction = z.infer<typeof Extraction>;

export const extractTask: ModelTask<{ title: string; text: string; now: string }, Extraction> = {
  name: 'extract.notes',
  output: Extraction,
  prompt: ({ title, text, now }) =>
    `Today is ${now.slice(0, 10)}. From these notes, list the action items (text, owner or null, due date as YYYY-MM-DD or null), ` +
    `the decisions, and durable facts about the client (attribute such as preferred_tone, billing_terms, or null).\n` +
    fence(`title="${title}"`, text.slice(0, 20_000)),
  builtin: ({ text, now }) => extractFromNotes(text, now),
  maxTokens: 1200,
};

export const Draft = z.object({
  subject: z.string().min(1).max(300),
  paragraphs: z.array(z.string().min(1)).min(1).max(40),
});
export type Draft = z.infer<typeof Draft>;

export const draftTask: ModelTask<DraftInput, Draft> = {
  name: 'draft.follow_up',
  output: Draft,
  prompt: (i) =>
    `Write a follow-up e-mail to ${i.recipient} from ${i.sender} about "${i.topic}" in a ${i.tone} tone, as a subject and a list of paragraphs ` +
    `(greeting and sign-off are paragraphs too). Use these decisions, action items and remembered notes:\n` +
    fence('meeting', JSON.stringify({ decisions: i.decisions, actionItems: i.actionItems, notes: i.notes }, null, 1)),
  builtin: (i) => draftFollowUp(i),
  maxTokens: 1200,
};

export const Revision = Draft.extend({ reason: z.string().min(1) });
export type Revision = z.infer<typeof Revision>;

export const reviseTask: ModelTask<{ base: DraftInput; previous: Draft; request: string }, Revision> = {
  name: 'draft.revise',
  output: Revision,
  prompt: ({ previous, request }) =>
    `Revise this e-mail as the operator asks: "${request}". Keep paragraphs that need no change word for word. ` +
    `Return the subject, all paragraphs, and the reason for the changes.\n` +
    fence('draft', JSON.stringify(previous, null, 1)),
  builtin: ({ base, request }) => reviseDraft(base, request),
  maxTokens: 1200,
};

export const Summary = z.object({ summary: z.string().min(1) });

export const summariseTask: ModelTask<{ title: string; text: string }, z.infer<typeof Summary>> = {
  name: 'summarise',
  output: Summary,
  prompt: ({ title, text }) => `Summarise this in at most three sentences.\n${fence(`title="${title}"`, text.slice(0, 20_000))}`,
  builtin: ({ text }) => ({ summary: extractiveSummary(text, 3, 600) || '(empty)' }),
  maxTokens: 300,
};

/** Every task of the built-in agents (the builtin provider registers their rules). */
export const writeTask: ModelTask<TextInput, Draft> = {
  name: 'draft.text',
  output: Draft,
  prompt: (i) =>
    `Write ${i.kind === 'release_notes' ? 'release notes' : `a ${i.kind}`} titled "${i.title}"${i.recipient ? ` for ${i.recipient}` : ''} from ${i.sender}, in a ${i.tone} tone, ` +
    `as a subject and a list of paragraphs. Say only what the brief and the remembered notes say; do not invent facts, prices or dates.\n` +
    fence('brief', JSON.stringify({ brief: i.brief, notes: i.notes }, null, 1)),
  builtin: (i) => draftText(i),
  maxTokens: 2000,
};

export const reviseTextTask: ModelTask<{ previous: Draft; request: string; tone: TextInput['tone']; recipient: string | null }, Revision> = {
  name: 'draft.revise_text',
  output: Revision,
  prompt: ({ previous, request }) =>
    `Revise this text as the operator asks: "${request}". Keep paragraphs that need no change word for word. ` +
    `Return the subject, all paragraphs, and the reason for the changes.\n` +
    fence('draft', JSON.stringify(previous, null, 1)),
  builtin: ({ previous, request, tone, recipient }) => reviseText(previous, request, tone, recipient),
  maxTokens: 2000,
};

export const TASKS: readonly ModelTask<never, unknown>[] = [classifyTask, extractTask, draftTask, reviseTask, summariseTask, columnsTask, writeTask, reviseTextTask] as readonly ModelTask<never, unknown>[];

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ChatMessage, OutputSchema } from './provider';

/** The JSON Schema a provider is given for a zod schema (zod's own converter, draft 2020-12). */
export function outputSchema(name: string, schema: z.ZodType): OutputSchema {
  // OpenAI accepts only [A-Za-z0-9_-]{1,64} as a schema's name ('triage.classify' → 'triage_classify').
  return { name: name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64), jsonSchema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Reads a model's reply as JSON for `schema`: tolerant of code fences and text around one object. */
export function parseStructured<T>(text: string, schema: z.ZodType<T>): Parsed<T> {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, problem: 'the reply contains no JSON object' };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, problem: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
}

function extractJson(text: string): unknown {
  const unfenced = text.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
  for (const candidate of [unfenced, unfenced.slice(unfenced.indexOf('{'), unfenced.lastIndexOf('}') + 1)]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/** The one repair attempt: the model sees its reply and what was wrong with it. */
export function repairMessages(messages: ChatMessage[], reply: string, problem: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: reply },
    { role: 'user', content: `That reply does not match the required JSON schema (${problem}). Reply again with only the corrected JSON.` },
  ];
}

/** A prompt's fingerprint for the ledger: the prompt itself may hold private content, its hash does not. */
export function promptHash(model: string, messages: ChatMessage[], schema?: OutputSchema): string {
  const h = createHash('sha256');
  h.update(model);
  for (const m of messages) h.update(`\u0000${m.role}\u0000${m.content}`);
  if (schema) h.update(JSON.stringify(schema.jsonSchema));
  return h.digest('hex').slice(0, 16);
}

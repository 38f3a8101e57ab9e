import { z } from 'zod';
import { KernelError } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import { defineWorkflow, type AnyWorkflow, type WorkflowContext } from '../kernel/workflow';
import type { MemoryService } from '../memory/memory';
import { toneFrom, type DraftInput, type Tone } from '../models/builtin/draft';
import { TEXT_KINDS, type TextInput } from '../models/builtin/write';
import type { ModelService } from '../models/model-service';
import { flagInstructions, recordFlag } from './containment';
import { readableDocument } from './documents';
import { DISABLED, enabledAgent } from './enabled';
import { MAX_REVISIONS, reviewDraft } from './review';

export { paragraphChanges } from './review';
import { runTask } from './model-call';
import { reconcilerWorkflow } from './reconcile';
import type { AgentRegistry } from './registry';
import { classifyTask, draftTask, Extraction, extractTask, reviseTask, reviseTextTask, summariseTask, writeTask, type Draft, type KnownEntity } from './tasks';

export interface AgentDeps {
  kernel: Kernel;
  memory: MemoryService;
  models: ModelService;
  registry: AgentRegistry;
  /** The operator's name, for signatures. */
  operatorName: () => Promise<string>;
}

/** A document or an inline item; empty when a `document.ingested` event started the run (the document is in the event). */
const ItemInput = z.object({ documentId: z.string().min(1).optional(), item: z.object({ title: z.string().max(500), text: z.string().max(2_000_000) }).optional() });

function itemOf(ctx: WorkflowContext, input: z.infer<typeof ItemInput>): z.infer<typeof ItemInput> {
  if (input.documentId || input.item) return input;
  const t = ctx.trigger;
  const documentId = t?.kind === 'event' ? (t.payload as { documentId?: unknown } | null)?.documentId : undefined;
  if (typeof documentId === 'string' && documentId) return { documentId };
  throw new KernelError('permanent', 'Triage needs a documentId or an item (title and text), or a document.ingested event.');
}

/** A document's current title and text, once ingestion has stored it (until then: transient, retried). */
async function readDocument(deps: AgentDeps, id: string): Promise<{ title: string; text: string }> {
  const d = await readableDocument(deps.memory, id);
  return { title: d.title ?? d.name, text: d.text };
}

/** The known entities a classification may name (the prompt carries at most 500). */
async function knownEntities(deps: AgentDeps): Promise<KnownEntity[]> {
  return (await deps.memory.entities.known()).slice(0, 500).map(({ id, name, type, aliases }) => ({ id, name, type, aliases }));
}

/** Who a text is for: the entity's contact (else its name), its address, and who signs. */
async function contactOf(deps: AgentDeps, entityId: string | undefined): Promise<{ name: string | null; email: string | null; company: string | null; sender: string }> {
  const e = entityId ? await deps.memory.entities.get(entityId) : null;
  const attr = (k: string) => (e?.attributes[k]?.value ?? null) as string | null;
  return { name: attr('contact') ?? e?.name ?? null, email: attr('email'), company: e?.name ?? null, sender: await deps.operatorName() };
}

/** Remembered notes that are terms to honour in a text (billing, rates). */
const TERMS = /\b(net \d+|terms|invoices?|billing|rates?|prices?)\b/i;

/** What is remembered about how to write to an entity: the preferred tone (else neutral) and the terms. */
async function rememberedStyle(ctx: WorkflowContext, entityId: string | undefined, who: { company: string | null; name: string | null }): Promise<{ remembered: number; tone: Tone; terms: string[] }> {
  if (!entityId) return { remembered: 0, tone: 'neutral', terms: [] };
  const hits = await ctx.recall(`${who.company} ${who.name} preferred tone preferences terms`, { filters: { types: ['memory'], kinds: ['preference', 'fact'], entityId }, limit: 8 });
  const notes = hits.map((h) => h.snippet.text.replace(/[\uE000\uE001]/g, ''));
  return { remembered: hits.length, tone: notes.map(toneFrom).find((t) => t !== null) ?? 'neutral', terms: notes.filter((n) => TERMS.test(n)) };
}

function triage(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.triage',
    version: 1,
    agent: 'triage',
    input: ItemInput,
    defaults: { retry: { maxAttempts: 12, initialDelayMs: 250, maxDelayMs: 2000 } },
    async run(ctx, given) {
      const input = itemOf(ctx, given);
      const agent = await enabledAgent(ctx, deps, 'triage');
      if (!agent) return DISABLED('triage');
      const item = await ctx.step('read', () => (input.documentId ? readDocument(deps, input.documentId) : input.item!));
      const flagged = await ctx.step('containment', async () => {
        const phrases = flagInstructions(item.text);
        if (phrases.length) await recordFlag(deps.kernel, { id: ctx.runId, agent: 'triage' }, { kind: input.documentId ? 'document' : 'item', id: input.documentId ?? null, title: item.title }, phrases);
        return phrases;
      });
      const entities = await ctx.step('entities', () => knownEntities(deps));
      const c = await runTask(ctx, deps, agent, classifyTask, { title: item.title, text: item.text, entities });
      const about = c.entityIds.filter((id) => entities.some((e) => e.id === id));
      if (input.documentId) {
        await ctx.step('link', async () => {
          for (const id of about) await deps.memory.entities.link({ kind: 'document', id: input.documentId! }, { kind: 'entity', id }, 'about', 'agent:triage');
          return about;
        });
      }
      let routedTo: string | null = null;
      let outcome: unknown = null;
      if (c.intent === 'meeting_notes' && input.documentId) {
        routedTo = 'agent.extractor';
        const extraction = await ctx.child<Extraction | ReturnType<typeof DISABLED>>('agent.extractor', { documentId: input.documentId, entityIds: about });
        if ('skipped' in extraction) outcome = extraction;
        else if (about.length) outcome = await ctx.child('agent.drafter', { documentId: input.documentId, entityId: about[0], extraction });
      }
      // Nothing linked, routed or flagged: no episode memory for it (a folder of a thousand files would bury the rest).
      const episode = about.length > 0 || routedTo !== null || flagged.length > 0;
      return { intent: c.intent, urgency: c.urgency, confidence: c.confidence, entityIds: about, routedTo, flagged, outcome, episode };
    },
  });
}

function extractor(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.extractor',
    version: 1,
    agent: 'extractor',
    input: z.object({ documentId: z.string().min(1), entityIds: z.array(z.string()).default([]) }),
    defaults: { retry: { maxAttempts: 12, initialDelayMs: 250, maxDelayMs: 2000 } },
    async run(ctx, { documentId, entityIds }) {
      const agent = await enabledAgent(ctx, deps, 'extractor');
      if (!agent) return DISABLED('extractor');
      const doc = await ctx.step('read', () => readDocument(deps, documentId));
      const now = new Date(await ctx.now()).toISOString();
      const x = await runTask(ctx, deps, agent, extractTask, { title: doc.title, text: doc.text, now });
      const entityId = entityIds[0] ?? null;
      for (const a of x.actionItems) {
        const text = `${a.owner ? `${a.owner}: ` : ''}${a.text.replace(/\.$/, '')}${a.due ? ` (due ${a.due})` : ''}.`;
        await ctx.remember({ kind: 'action_item', text, entityId, attribute: a.owner ? 'owner' : null, value: a.owner });
      }
      for (const d of x.decisions) await ctx.remember({ kind: 'decision', text: d, entityId });
      for (const f of x.facts) await ctx.remember({ kind: f.attribute === 'preferred_tone' || f.attribute === 'preference' ? 'preference' : 'fact', text: f.text, entityId, attribute: f.attribute });
      return x;
    },
  });
}

function drafter(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.drafter',
    version: 1,
    agent: 'drafter',
    input: z.object({ documentId: z.string().optional(), entityId: z.string(), extraction: Extraction }),
    permissions: ['email.send'],
    async run(ctx, { documentId, entityId, extraction }) {
      const agent = await enabledAgent(ctx, deps, 'drafter');
      if (!agent) return DISABLED('drafter');
      const who = await ctx.step('recipient', async () => {
        const contact = await contactOf(deps, entityId);
        const doc = documentId ? await readDocument(deps, documentId) : null;
        return { ...contact, name: contact.name!, topic: (doc?.title ?? `our work with ${contact.company}`).replace(/^(meeting notes|notes|minutes)\s*(from|of)?\s*[:\-–]?\s*/i, '') };
      });
      const { remembered, tone, terms } = await rememberedStyle(ctx, entityId, who);
      const base: DraftInput = { recipient: who.name, sender: who.sender, topic: who.topic, tone, decisions: extraction.decisions, actionItems: extraction.actionItems, notes: terms };
      let draft: Draft = await runTask(ctx, deps, agent, draftTask, base);
      const mail = (d: Draft) => (who.email ? { to: [who.email], subject: d.subject, text: d.paragraphs.join('\n\n') } : null);
      const reviewed = await reviewDraft(ctx, {
        first: draft,
        title: (d, revised) => `${revised ? 'Revised draft' : 'Draft'}: ${d.subject} → ${who.name}`,
        proposal: (d) => ({ to: who.email, tone }),
        rationale: `Follow-up written by the drafter in a ${tone} tone (${remembered ? 'from remembered preferences' : 'no preference remembered'}). Approve to send it as shown, request changes with a note, or edit it.`,
        authorises: (d) => {
          const send = mail(d);
          return send ? { adapter: 'email', action: 'send', args: send } : null;
        },
        revise: (previous, request) => runTask(ctx, deps, agent, reviseTask, { base, previous, request }),
      });
      if (reviewed.kind === 'rejected') return { sent: false, reason: reviewed.note ?? 'rejected' };
      draft = reviewed.draft;
      if (reviewed.kind === 'stopped') return { sent: false, reason: `stopped after ${MAX_REVISIONS} revisions`, draft };
      const send = mail(draft);
      if (!send) return { sent: false, reason: `${who.company} has no e-mail address; add one to the entity and run the drafter again.`, draft };
      // A send that failed or may have left waits for the operator (escalation) instead of a dead letter.
      const sent = await ctx.effect('email', 'send', send, { policy: { onExhausted: 'escalate' } });
      return { sent: true, result: sent, draft };
    },
  });
}

const WriteInput = z.object({
  kind: z.enum(TEXT_KINDS),
  title: z.string().trim().min(1).max(300),
  brief: z.string().trim().min(1).max(50_000),
  /** The client or person it is for: their remembered tone and terms are honoured. */
  entityId: z.string().min(1).optional(),
  /** An e-mail's recipient when no entity names one. */
  to: z.email().optional(),
});

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'draft';

/**
 * `agent.drafter.write`: the drafter writes an e-mail, a proposal, a post or release notes from
 * the operator's brief, in the recipient's remembered tone and terms; the operator reviews it
 * like any draft, and approving sends the e-mail or saves the text in the workspace (drafts/).
 */
function writer(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.drafter.write',
    version: 1,
    agent: 'drafter',
    input: WriteInput,
    permissions: ['email.send', 'files.write'],
    async run(ctx, input) {
      const agent = await enabledAgent(ctx, deps, 'drafter');
      if (!agent) return DISABLED('drafter');
      const who = await ctx.step('recipient', async () => {
        const contact = await contactOf(deps, input.entityId);
        return { ...contact, email: input.to ?? contact.email };
      });
      const { remembered, tone, terms } = await rememberedStyle(ctx, input.entityId, who);
      const base: TextInput = { kind: input.kind, title: input.title, brief: input.brief, tone, recipient: who.name, sender: who.sender, notes: terms };
      const first = await runTask(ctx, deps, agent, writeTask, base);
      const day = new Date(await ctx.now()).toISOString().slice(0, 10);
      const effect = (d: Draft) =>
        input.kind === 'email'
          ? who.email ? { adapter: 'email', action: 'send', args: { to: [who.email], subject: d.subject, text: d.paragraphs.join('\n\n') } } : null
          : { adapter: 'files', action: 'write', args: { path: `drafts/${day}-${slug(input.title)}.md`, content: `${d.paragraphs.join('\n\n')}\n` } };
      const reviewed = await reviewDraft(ctx, {
        first,
        title: (d, revised) => `${revised ? 'Revised draft' : 'Draft'} (${input.kind.replace('_', ' ')}): ${d.subject}${who.name ? ` → ${who.name}` : ''}`,
        proposal: () => ({ to: input.kind === 'email' ? who.email : null, tone, kind: input.kind }),
        rationale: `${input.kind === 'email' ? 'Approve to send it as shown' : 'Approve to save it in your workspace (drafts/)'}, request changes with a note, or edit it. Written in a ${tone} tone${remembered ? ', from remembered preferences' : ''}.`,
        authorises: effect,
        revise: (previous, request) => runTask(ctx, deps, agent, reviseTextTask, { previous, request, tone, recipient: who.name }),
      });
      if (reviewed.kind === 'rejected') return { done: false, reason: reviewed.note ?? 'rejected' };
      if (reviewed.kind === 'stopped') return { done: false, reason: `stopped after ${MAX_REVISIONS} revisions`, draft: reviewed.draft };
      const go = effect(reviewed.draft);
      if (!go) return { done: false, reason: 'No recipient: name an entity with an e-mail address, or give "to".', draft: reviewed.draft };
      const result = await ctx.effect(go.adapter, go.action, go.args, { policy: { onExhausted: 'escalate' } });
      return { done: true, kind: input.kind, result, draft: reviewed.draft };
    },
  });
}

function summarizer(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.summarizer',
    version: 1,
    agent: 'summarizer',
    input: z.object({ title: z.string().max(500), text: z.string().min(1).max(2_000_000), entityId: z.string().nullable().default(null), kind: z.enum(['episode', 'summary']).default('summary') }),
    async run(ctx, input) {
      const agent = await enabledAgent(ctx, deps, 'summarizer');
      if (!agent) return DISABLED('summarizer');
      const { summary } = await runTask(ctx, deps, agent, summariseTask, { title: input.title, text: input.text });
      const memory = await ctx.remember({ kind: input.kind, text: `${input.title}: ${summary}`, entityId: input.entityId });
      return { summary, memoryId: memory.id };
    },
  });
}

export function agentWorkflows(deps: AgentDeps): AnyWorkflow[] {
  return [triage(deps), extractor(deps), drafter(deps), writer(deps), summarizer(deps), reconcilerWorkflow(deps)];
}


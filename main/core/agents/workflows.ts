import { diffArrays } from 'diff';
import type { DraftChange } from '../../../shared/domain/proposals';
import { z } from 'zod';
import { KernelError } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import { defineWorkflow, type AnyWorkflow, type WorkflowContext } from '../kernel/workflow';
import type { MemoryService } from '../memory/memory';
import { toneFrom, type DraftInput } from '../models/builtin/draft';
import type { ModelService } from '../models/model-service';
import { flagInstructions, recordFlag } from './containment';
import { agentEnabled, DISABLED } from './enabled';
import { runTask } from './model-call';
import { reconcilerWorkflow } from './reconcile';
import type { AgentRegistry } from './registry';
import { classifyTask, draftTask, Extraction, extractTask, reviseTask, summariseTask, type Draft, type KnownEntity } from './tasks';

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

/** A document's current text, once ingestion has stored it (until then: transient, retried). */
async function readDocument(deps: AgentDeps, id: string): Promise<{ title: string; text: string }> {
  const { rows } = await deps.memory.context.db.query<{ status: string; name: string; title: string | null; text: string | null }>(
    `SELECT d.status, d.name, d.title, v.text FROM memory_documents d LEFT JOIN memory_document_versions v ON v.document_id = d.id AND v.version = d.current_version WHERE d.id = $1`,
    [id],
  );
  const d = rows[0];
  if (!d) throw new KernelError('permanent', `Document ${id} does not exist.`);
  if (d.status === 'failed' || d.status === 'deleted') throw new KernelError('permanent', `Document "${d.name}" is ${d.status}; there is nothing to read.`);
  if (d.text === null) throw new KernelError('transient', `Document "${d.name}" is still being ingested.`, { retryAfterMs: 500 });
  return { title: d.title ?? d.name, text: d.text };
}

async function knownEntities(deps: AgentDeps): Promise<KnownEntity[]> {
  const { rows } = await deps.memory.context.db.query<KnownEntity>(`SELECT id, name, type, aliases FROM memory_entities ORDER BY updated_at DESC LIMIT 500`);
  return rows;
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
      if (!(await agentEnabled(ctx, deps, 'triage'))) return DISABLED('triage');
      const agent = deps.registry.get('triage');
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
      if (!(await agentEnabled(ctx, deps, 'extractor'))) return DISABLED('extractor');
      const agent = deps.registry.get('extractor');
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

/** Paragraph-level changes from one draft to the next, each with the revision's reason. */
export function paragraphChanges(before: string[], after: string[], reason: string): DraftChange[] {
  const out: DraftChange[] = [];
  let index = 0;
  const parts = diffArrays(before, after);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!p.added && !p.removed) {
      index += p.value.length;
      continue;
    }
    const next = parts[i + 1];
    if (p.removed && next?.added) {
      // A replaced run of paragraphs: pair them up, extra ones are additions or removals.
      const n = Math.max(p.value.length, next.value.length);
      for (let k = 0; k < n; k++) {
        const b = p.value[k] ?? null;
        const a = next.value[k] ?? null;
        out.push({ index: index + k, kind: b === null ? 'added' : a === null ? 'removed' : 'changed', before: b, after: a, reason });
      }
      index += next.value.length;
      i++;
    } else if (p.added) {
      p.value.forEach((a, k) => out.push({ index: index + k, kind: 'added', before: null, after: a, reason }));
      index += p.value.length;
    } else {
      p.value.forEach((b) => out.push({ index, kind: 'removed', before: b, after: null, reason }));
    }
  }
  return out;
}

const MAX_REVISIONS = 5;

function drafter(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.drafter',
    version: 1,
    agent: 'drafter',
    input: z.object({ documentId: z.string().optional(), entityId: z.string(), extraction: Extraction }),
    permissions: ['email.send'],
    async run(ctx, { documentId, entityId, extraction }) {
      if (!(await agentEnabled(ctx, deps, 'drafter'))) return DISABLED('drafter');
      const agent = deps.registry.get('drafter');
      const who = await ctx.step('recipient', async () => {
        const e = await deps.memory.entities.get(entityId);
        const attr = (k: string) => (e.attributes[k]?.value ?? null) as string | null;
        const doc = documentId ? await readDocument(deps, documentId) : null;
        return { name: attr('contact') ?? e.name, email: attr('email'), company: e.name, topic: (doc?.title ?? `our work with ${e.name}`).replace(/^(meeting notes|notes|minutes)\s*(from|of)?\s*[:\-–]?\s*/i, ''), sender: await deps.operatorName() };
      });
      const remembered = await ctx.recall(`${who.company} ${who.name} preferred tone preferences terms`, { filters: { types: ['memory'], kinds: ['preference', 'fact'], entityId }, limit: 8 });
      const notes = remembered.map((h) => h.snippet.text.replace(/[\uE000\uE001]/g, ''));
      const tone = notes.map(toneFrom).find((t) => t !== null) ?? 'neutral';
      const base: DraftInput = { recipient: who.name, sender: who.sender, topic: who.topic, tone, decisions: extraction.decisions, actionItems: extraction.actionItems, notes: notes.filter((n) => /\b(net \d+|terms|invoice|billing)\b/i.test(n)) };
      let draft: Draft = await runTask(ctx, deps, agent, draftTask, base);
      let changes: DraftChange[] | null = null;
      const mail = (d: Draft) => (who.email ? { to: [who.email], subject: d.subject, text: d.paragraphs.join('\n\n') } : null);
      for (let round = 0; round <= MAX_REVISIONS; round++) {
        const send = mail(draft);
        const decision = await ctx.approval({
          title: `${changes ? 'Revised draft' : 'Draft'}: ${draft.subject} → ${who.name}`,
          kind: 'draft',
          risk: 'medium',
          proposal: { to: who.email, subject: draft.subject, paragraphs: draft.paragraphs, changes, tone },
          rationale: `Follow-up written by the drafter in a ${tone} tone (${remembered.length ? 'from remembered preferences' : 'no preference remembered'}). Approve to send it as shown, request changes with a note, or edit it.`,
          // Approving the draft is the operator's go for exactly this e-mail: no second "allow email.send?".
          ...(send ? { authorises: { adapter: 'email', action: 'send', args: send } } : {}),
        });
        if (decision.decision === 'reject') return { sent: false, reason: decision.note ?? 'rejected' };
        const edited = decision.editedProposal as (Partial<Draft> & { request?: string }) | undefined;
        if (decision.decision === 'approve_partial' && changes) {
          // Some of the revision's changes kept: the result is a new text, shown again before it goes out.
          const kept = acceptSome(draft, changes, decision.acceptedParts ?? []);
          changes = paragraphChanges(draft.paragraphs, kept.paragraphs, 'changes you did not accept are undone');
          draft = kept;
          continue;
        }
        if (decision.decision === 'edit' && edited?.paragraphs?.length) {
          // The operator's own text: shown once more as a revision, so what is approved is what is sent.
          const mine = { subject: edited.subject ?? draft.subject, paragraphs: edited.paragraphs };
          changes = paragraphChanges(draft.paragraphs, mine.paragraphs, 'edited by you');
          draft = mine;
          continue;
        }
        if (decision.decision === 'edit') {
          const request = edited?.request?.trim() || decision.note?.trim() || 'improve it';
          const revised = await runTask(ctx, deps, agent, reviseTask, { base, previous: draft, request });
          changes = paragraphChanges(draft.paragraphs, revised.paragraphs, revised.reason);
          draft = { subject: revised.subject, paragraphs: revised.paragraphs };
          continue;
        }
        if (!send) return { sent: false, reason: `${who.company} has no e-mail address; add one to the entity and run the drafter again.`, draft };
        // A send that failed or may have left waits for the operator (escalation) instead of a dead letter.
        const sent = await ctx.effect('email', 'send', send, { policy: { onExhausted: 'escalate' } });
        return { sent: true, result: sent, draft };
      }
      return { sent: false, reason: `stopped after ${MAX_REVISIONS} revisions`, draft };
    },
  });
}

/** Takes the accepted changes (by index in `changes`) of a revision and keeps the rest as they were. */
function acceptSome(revised: Draft, changes: DraftChange[], accepted: (string | number)[]): Draft {
  const keep = new Set(accepted.map(Number));
  const paragraphs = [...revised.paragraphs];
  changes.forEach((c, i) => {
    if (keep.has(i)) return;
    if (c.kind === 'changed' && c.before !== null) paragraphs[c.index] = c.before;
  });
  const drop = changes.filter((c, i) => !keep.has(i) && c.kind === 'added').map((c) => c.index);
  return { subject: revised.subject, paragraphs: paragraphs.filter((_, i) => !drop.includes(i)) };
}

function summarizer(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.summarizer',
    version: 1,
    agent: 'summarizer',
    input: z.object({ title: z.string().max(500), text: z.string().min(1).max(2_000_000), entityId: z.string().nullable().default(null), kind: z.enum(['episode', 'summary']).default('summary') }),
    async run(ctx, input) {
      if (!(await agentEnabled(ctx, deps, 'summarizer'))) return DISABLED('summarizer');
      const agent = deps.registry.get('summarizer');
      const { summary } = await runTask(ctx, deps, agent, summariseTask, { title: input.title, text: input.text });
      const memory = await ctx.remember({ kind: input.kind, text: `${input.title}: ${summary}`, entityId: input.entityId });
      return { summary, memoryId: memory.id };
    },
  });
}

export function agentWorkflows(deps: AgentDeps): AnyWorkflow[] {
  return [triage(deps), extractor(deps), drafter(deps), summarizer(deps), reconcilerWorkflow(deps)];
}


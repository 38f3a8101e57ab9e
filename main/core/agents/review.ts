import { acceptChanges, type DraftChange } from '../../../shared/domain/proposals';
import type { WorkflowContext } from '../kernel/workflow';
import { diffArrays } from 'diff';
import type { Draft, Revision } from './tasks';

/**
 * The operator's review of a draft, whatever the text: approve it, reject it, ask for changes
 * (the agent revises; the revision is shown as paragraph-level changes, each with its reason),
 * edit it (shown once more, so what is approved is what goes out), or accept some of a
 * revision's changes. Approving can authorise the effect that follows (ctx.approval's `authorises`).
 */

export const MAX_REVISIONS = 5;

export interface ReviewOptions {
  first: Draft;
  title(d: Draft, revised: boolean): string;
  /** Fields shown beside subject, paragraphs and changes (recipient, tone, kind). */
  proposal(d: Draft): Record<string, unknown>;
  rationale: string;
  /** The effect approving this exact draft allows (null: none). */
  authorises(d: Draft): { adapter: string; action: string; args: unknown } | null;
  revise(previous: Draft, request: string): Promise<Revision>;
}

export type Reviewed = { kind: 'approved'; draft: Draft } | { kind: 'rejected'; note: string | null } | { kind: 'stopped'; draft: Draft };

export async function reviewDraft(ctx: WorkflowContext, o: ReviewOptions): Promise<Reviewed> {
  let draft = o.first;
  let changes: DraftChange[] | null = null;
  for (let round = 0; round <= MAX_REVISIONS; round++) {
    const authorises = o.authorises(draft);
    const decision = await ctx.approval({
      title: o.title(draft, changes !== null),
      kind: 'draft',
      risk: 'medium',
      proposal: { ...o.proposal(draft), subject: draft.subject, paragraphs: draft.paragraphs, changes },
      rationale: o.rationale,
      ...(authorises ? { authorises } : {}),
    });
    if (decision.decision === 'reject') return { kind: 'rejected', note: decision.note ?? null };
    const edited = decision.editedProposal as (Partial<Draft> & { request?: string }) | undefined;
    if (decision.decision === 'approve_partial' && changes) {
      // Some of the revision's changes kept: the result is a new text, shown again before it goes out.
      const kept = acceptSome(draft, changes, decision.acceptedParts ?? []);
      changes = paragraphChanges(draft.paragraphs, kept.paragraphs, 'changes you did not accept are undone');
      draft = kept;
    } else if (decision.decision === 'edit' && edited?.paragraphs?.length) {
      // The operator's own text: shown once more as a revision, so what is approved is what is sent.
      const mine = { subject: edited.subject ?? draft.subject, paragraphs: edited.paragraphs };
      changes = paragraphChanges(draft.paragraphs, mine.paragraphs, 'edited by you');
      draft = mine;
    } else if (decision.decision === 'edit') {
      const request = edited?.request?.trim() || decision.note?.trim() || 'improve it';
      const revised = await o.revise(draft, request);
      changes = paragraphChanges(draft.paragraphs, revised.paragraphs, revised.reason);
      draft = { subject: revised.subject, paragraphs: revised.paragraphs };
    } else return { kind: 'approved', draft };
  }
  return { kind: 'stopped', draft };
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
        // An extra removed paragraph sits where the replacement ends in the new text.
        const at = a === null ? index + next.value.length : index + k;
        out.push({ index: at, kind: b === null ? 'added' : a === null ? 'removed' : 'changed', before: b, after: a, reason });
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

/** Takes the accepted changes (by their number in `changes`) of a revision and keeps the rest as they were. */
function acceptSome(revised: Draft, changes: DraftChange[], accepted: (string | number)[]): Draft {
  return { subject: revised.subject, paragraphs: acceptChanges(revised.paragraphs, changes, new Set(accepted.map(Number))) };
}


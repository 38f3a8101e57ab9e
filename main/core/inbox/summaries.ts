import type { DraftProposal, EffectProposal, Reconciliation } from '../../../shared/domain/proposals';
import type { KernelErrorBody } from '../../../shared/domain/kernel';

/** One line per inbox item, enough to decide on from the list (the detail shows the rest). */

const MAX = 160;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

const KIND_LABEL: Record<string, string> = { email: 'E-mail', proposal: 'Proposal', post: 'Post', release_notes: 'Release notes' };

function draftLine(d: DraftProposal): string {
  const what = KIND_LABEL[d.kind ?? 'email'] ?? 'Text';
  const to = d.to ? ` to ${d.to}` : '';
  const changes = d.changes?.length ? ` · ${d.changes.length} changed paragraph${d.changes.length === 1 ? '' : 's'}` : '';
  return `${what}${to}: “${d.subject}”${changes}`;
}

function reconciliationLine(r: Reconciliation): string {
  return `${r.summary.matched} of ${r.summary.invoices} invoices matched, ${r.summary.mismatched} mismatch${r.summary.mismatched === 1 ? '' : 'es'} to look at`;
}

function effectLine(e: EffectProposal): string {
  const args = JSON.stringify(e.args ?? {});
  return `${e.adapter}.${e.action} ${args}`;
}

export function approvalSummary(kind: string, proposal: unknown, rationale: string | null, title: string): string {
  const p = isRecord(proposal) ? proposal : {};
  if (kind === 'draft' && typeof p.subject === 'string' && Array.isArray(p.paragraphs)) return oneLine(draftLine(p as unknown as DraftProposal));
  if (kind === 'reconciliation' && isRecord(p.summary)) return oneLine(reconciliationLine(p as unknown as Reconciliation));
  if (kind === 'effect' && typeof p.adapter === 'string' && typeof p.action === 'string') return oneLine(effectLine(p as unknown as EffectProposal));
  return oneLine(rationale || title);
}

export function failureSummary(reason: KernelErrorBody): string {
  const where = reason.step ? `${reason.step.name}: ` : '';
  return oneLine(`${where}${reason.message}`);
}

export const ESCALATION_TITLE: Record<string, string> = {
  budget: 'Budget cap reached',
  compensation_failed: 'Undo failed',
  step_failed: 'A step keeps failing',
};

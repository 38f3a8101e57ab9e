/**
 * The shapes of the proposals the inbox knows how to show; anything else is shown as JSON.
 * Proposals cross the API as JSON, so each is checked before it is read.
 */

import type { DraftChange, DraftProposal, EffectProposal, Reconciliation } from '../../../../shared/domain/proposals';
import { isObject } from '../../util/guards';

export type { DraftChange, DraftProposal, EffectProposal, InvoiceView, Match, Mismatch, PaymentView, RowSource } from '../../../../shared/domain/proposals';
export type ReconciliationProposal = Reconciliation;

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function asDraft(p: unknown): DraftProposal | null {
  if (!isObject(p) || typeof p.subject !== 'string' || !strings(p.paragraphs)) return null;
  const changes = Array.isArray(p.changes) ? (p.changes.filter((c) => isObject(c) && typeof c.index === 'number') as DraftChange[]) : null;
  return { to: typeof p.to === 'string' ? p.to : null, subject: p.subject, paragraphs: p.paragraphs, changes, tone: typeof p.tone === 'string' ? p.tone : '', ...(typeof p.kind === 'string' ? { kind: p.kind } : {}) };
}

export function asReconciliation(p: unknown): ReconciliationProposal | null {
  if (!isObject(p) || !Array.isArray(p.matches) || !Array.isArray(p.mismatches) || !isObject(p.summary)) return null;
  return p as unknown as ReconciliationProposal;
}

export function asEffect(p: unknown): EffectProposal | null {
  if (!isObject(p) || typeof p.adapter !== 'string' || typeof p.action !== 'string') return null;
  return { adapter: p.adapter, action: p.action, args: p.args };
}

/** An amount as the core formatted it, with its currency unless it already says it. */
export const money = (amount: string, currency: string | null): string => (currency && !amount.includes(currency) ? `${amount} ${currency}` : amount);

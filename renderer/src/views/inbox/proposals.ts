/**
 * The shapes of the proposals the inbox knows how to show; anything else is shown as JSON.
 * Proposals cross the API as JSON, so each is checked before it is read.
 */

export interface DraftChange {
  index: number;
  kind: 'changed' | 'added' | 'removed';
  before: string | null;
  after: string | null;
  reason: string;
}

export interface DraftProposal {
  to: string | null;
  subject: string;
  paragraphs: string[];
  changes: DraftChange[] | null;
  tone: string;
}

export interface RowSource {
  file: string;
  row: number | null;
  cells: Record<string, string>;
}

export interface InvoiceView {
  number: string | null;
  customer: string | null;
  amount: string;
  currency: string | null;
  issued: string | null;
  due: string | null;
  source: RowSource;
}

export interface PaymentView {
  date: string | null;
  amount: string;
  currency: string | null;
  reference: string;
  payer: string | null;
  transactionId: string | null;
  source: RowSource;
}

export interface Match {
  id: string;
  invoice: InvoiceView;
  payments: PaymentView[];
  rule: string;
  reason: string;
  entityName: string | null;
}

export interface Mismatch {
  id: string;
  type: string;
  title: string;
  reason: string;
  invoice: InvoiceView | null;
  payments: PaymentView[];
  numbers: Record<string, string | number | null>;
  rows?: { file: string; row: number | null; cells: Record<string, string>; problem: string }[];
}

export interface ReconciliationProposal {
  matches: Match[];
  mismatches: Mismatch[];
  summary: { text: string; asOf: string; openNotDue?: { number: string | null; customer: string | null; amount: string; currency: string | null; due: string | null }[] };
}

export interface EffectProposal {
  adapter: string;
  action: string;
  args: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function asDraft(p: unknown): DraftProposal | null {
  if (!isObject(p) || typeof p.subject !== 'string' || !strings(p.paragraphs)) return null;
  const changes = Array.isArray(p.changes) ? (p.changes.filter((c) => isObject(c) && typeof c.index === 'number') as DraftChange[]) : null;
  return { to: typeof p.to === 'string' ? p.to : null, subject: p.subject, paragraphs: p.paragraphs, changes, tone: typeof p.tone === 'string' ? p.tone : '' };
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

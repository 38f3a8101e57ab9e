/**
 * What agents propose through an approval, as the inbox shows it (DESIGN.md §5): a draft with
 * its paragraph-level changes, a reconciliation, a gated effect. Declared once here; the core
 * builds them, the renderer reads them.
 */

/** One changed paragraph of a revision, with the reason for the change. */
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
  /** What is being written (email, proposal, post, release_notes); absent: a follow-up e-mail. */
  kind?: string;
}

/** An effect waiting at its gate. */
export interface EffectProposal {
  adapter: string;
  action: string;
  args: unknown;
}

/** Where a row of evidence came from: the file, the row number, the cells by header. */
export interface RowSource {
  file: string;
  row: number | null;
  cells: Record<string, string>;
}

export interface InvoiceView {
  number: string | null;
  customer: string | null;
  amount: string;
  amountCents: number;
  currency: string | null;
  issued: string | null;
  due: string | null;
  source: RowSource;
}

export interface PaymentView {
  date: string | null;
  amount: string;
  amountCents: number;
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
  rule: 'reference' | 'amount+customer';
  reason: string;
  entityId: string | null;
  entityName: string | null;
}

export type MismatchType =
  | 'partial_payment'
  | 'overpayment'
  | 'duplicate_payment'
  | 'unmatched_payment'
  | 'overdue_invoice'
  | 'currency_mismatch'
  | 'ambiguous_payment'
  | 'conflicting_invoice'
  | 'unreadable_row';

export interface Mismatch {
  id: string;
  type: MismatchType;
  title: string;
  reason: string;
  invoice: InvoiceView | null;
  payments: PaymentView[];
  numbers: Record<string, string | number | null>;
  /** Unreadable rows: the row as it is in the file. */
  rows?: { file: string; row: number | null; cells: Record<string, string>; problem: string }[];
}

export interface ReconciliationSummary {
  asOf: string;
  invoices: number;
  payments: number;
  matched: number;
  mismatched: number;
  byType: Partial<Record<MismatchType, number>>;
  /** Unpaid invoices not yet due: nothing wrong with them yet. */
  openNotDue: { number: string | null; customer: string | null; amount: string; currency: string | null; due: string | null }[];
  /** Rows left out on purpose (outgoing payments, totals lines, repeated transactions). */
  skipped: number;
  text: string;
}

export interface Reconciliation {
  matches: Match[];
  mismatches: Mismatch[];
  summary: ReconciliationSummary;
}


/** A revised text as the inbox shows it: runs of unchanged paragraphs between the changes. */
export type DraftSegment = { type: 'same'; from: number; paragraphs: string[] } | { type: 'change'; changeNo: number; change: DraftChange };

/**
 * Walks the revised paragraphs in order: a removal sits before the paragraph at its index, a
 * change or an addition is the paragraph at its index, everything else is unchanged.
 */
export function draftSegments(paragraphs: string[], changes: DraftChange[]): DraftSegment[] {
  const out: DraftSegment[] = [];
  const same = (i: number, p: string) => {
    const last = out.at(-1);
    if (last?.type === 'same') last.paragraphs.push(p);
    else out.push({ type: 'same', from: i, paragraphs: [p] });
  };
  for (let i = 0; i <= paragraphs.length; i++) {
    changes.forEach((change, changeNo) => change.kind === 'removed' && change.index === i && out.push({ type: 'change', changeNo, change }));
    if (i === paragraphs.length) break;
    const changeNo = changes.findIndex((c) => c.kind !== 'removed' && c.index === i);
    if (changeNo >= 0) out.push({ type: 'change', changeNo, change: changes[changeNo]! });
    else same(i, paragraphs[i]!);
  }
  return out;
}

/** The text with only the accepted changes (by their number in `changes`); the others as they were before. */
export function acceptChanges(paragraphs: string[], changes: DraftChange[], accepted: ReadonlySet<number>): string[] {
  return draftSegments(paragraphs, changes).flatMap((s) => {
    if (s.type === 'same') return s.paragraphs;
    const { before, after } = s.change;
    const text = accepted.has(s.changeNo) ? after : before;
    return text === null ? [] : [text];
  });
}

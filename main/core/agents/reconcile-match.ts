import type { InvoiceView, Match, Mismatch, MismatchType, PaymentView, Reconciliation, ReconciliationSummary, RowSource } from '../../../shared/domain/proposals';
import { addDays, daysBetween, money, type InvoiceRecord, type PaymentRecord, type UnreadRow } from './reconcile-csv';

export type { InvoiceView, Match, Mismatch, MismatchType, PaymentView, Reconciliation } from '../../../shared/domain/proposals';

/**
 * Matching invoices to payments, deterministic and in integer cents: an invoice number in a
 * payment's reference first; then the same amount from the same customer (names compared
 * loosely) within a date window; a repeated payment of a paid invoice is a duplicate. What
 * does not add up is a mismatch with the rows and the numbers as evidence, never a match.
 */

export interface KnownParty {
  id: string;
  name: string;
  aliases: string[];
}

export interface MatchOptions {
  /** Today, YYYY-MM-DD: what is overdue is counted against it. */
  asOf: string;
  /** How long after its due date (or issue date) a payment still matches by amount and customer. */
  windowDays: number;
  /** Payment terms assumed for an invoice with an issue date but no due date. */
  termsDays: number;
  entities: KnownParty[];
  unread?: UnreadRow[];
  skipped?: number;
}

const view = (i: InvoiceRecord): InvoiceView => ({ number: i.number, customer: i.customer, amount: money(i.amountCents, i.currency), amountCents: i.amountCents, currency: i.currency, issued: i.issued, due: i.due, source: i.source });
const pview = (p: PaymentRecord): PaymentView => ({
  date: p.date,
  amount: money(p.amountCents, p.currency),
  amountCents: p.amountCents,
  currency: p.currency,
  reference: p.reference,
  payer: p.payer,
  transactionId: p.transactionId,
  source: p.source,
});

// ---- names ----

const LEGAL = new Set(['gmbh', 'mbh', 'ag', 'ug', 'kg', 'ohg', 'gbr', 'ev', 'co', 'cie', 'ltd', 'limited', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation', 'company', 'plc', 'bv', 'nv', 'vof', 'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'oy', 'ab', 'as', 'aps', 'pty', 'the', 'and', 'und', 'et']);

export function nameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/&/g, ' and ')
    .replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1')
    .split(/[^a-z0-9]+/)
    .filter((t) => t && !LEGAL.has(t))
    // German umlauts written out by banks (MUELLER for Müller) compare equal to the plain letter.
    .map((t) => t.replace(/([aou])e/g, '$1'));
}

function bigrams(s: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
  return out;
}

function dice(a: string, b: string): number {
  if (a.length < 2 || b.length < 2) return a === b ? 1 : 0;
  const x = bigrams(a);
  const y = bigrams(b);
  let inter = 0;
  for (const [k, n] of x) inter += Math.min(n, y.get(k) ?? 0);
  return (2 * inter) / (a.length - 1 + (b.length - 1));
}

/**
 * How alike two party names are (0–1), ignoring case, accents, punctuation and legal forms:
 * 1 for the same words, 0.9 when one name's words are all in the other (a bank's
 * "NORTHWIND STUDIO GMBH" and "Northwind"), else the bigram similarity of the words.
 */
export function nameSimilarity(a: string, b: string): number {
  const x = nameTokens(a);
  const y = nameTokens(b);
  if (!x.length || !y.length) return 0;
  const xs = x.join(' ');
  const ys = y.join(' ');
  if (xs === ys) return 1;
  const [short, long] = x.length <= y.length ? [x, new Set(y)] : [y, new Set(x)];
  if (short.every((t) => long.has(t)) && short.some((t) => t.length >= 3)) return 0.9;
  return dice(x.join(''), y.join(''));
}

export const SAME_PARTY = 0.85;

/** Whether a payment comes from an invoice's customer: by the payer's name, or the customer named in the reference. */
function fromCustomer(p: PaymentRecord, customer: string | null): boolean {
  if (!customer) return false;
  if (p.payer && nameSimilarity(p.payer, customer) >= SAME_PARTY) return true;
  const words = nameTokens(customer);
  if (!words.length || !words.some((w) => w.length >= 3)) return false;
  const ref = ` ${nameTokens(p.reference).join(' ')} `;
  return ref.includes(` ${words.join(' ')} `);
}

export function entityFor(customer: string | null, entities: KnownParty[]): KnownParty | null {
  if (!customer) return null;
  let best: { e: KnownParty; score: number } | null = null;
  for (const e of entities) {
    const score = Math.max(...[e.name, ...e.aliases].map((n) => nameSimilarity(customer, n)));
    if (score >= 0.9 && (!best || score > best.score)) best = { e, score };
  }
  return best?.e ?? null;
}

// ---- references ----

const refKey = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** The text of a payment where invoice numbers may be written, normalised to A–Z, 0–9 and single spaces. */
const refText = (p: PaymentRecord) => ` ${`${p.invoiceRef ?? ''} ${p.reference}`.toUpperCase().replace(/[^A-Z0-9]+/g, ' ').trim()} `;

function mentions(text: string, number: string): boolean {
  const parts = number.toUpperCase().match(/[A-Z]+|\d+/g);
  if (!parts) return false;
  const pattern = parts.join(' ?');
  return new RegExp(`(?<![A-Z0-9])${pattern}(?![0-9])${/[A-Z]$/.test(parts[parts.length - 1]!) ? '(?![A-Z])' : ''}`).test(text);
}

/** An invoice number's last run of digits, when it is long enough to stand for the number ("1042" for INV-1042). */
const digitCore = (number: string): string | null => {
  const runs = number.match(/\d+/g);
  const last = runs?.[runs.length - 1]?.replace(/^0+/, '');
  return last && last.length >= 4 ? last : null;
};

// ---- matching ----

interface Allocation {
  payment: PaymentRecord;
  rule: Match['rule'];
}

const sameCurrency = (a: string | null, b: string | null) => a === null || b === null || a === b;

function withinWindow(p: PaymentRecord, i: InvoiceRecord, o: MatchOptions): boolean {
  if (!p.date) return true;
  const from = i.issued ? addDays(i.issued, -7) : null;
  const due = i.due ?? (i.issued ? addDays(i.issued, o.termsDays) : null);
  const to = due ? addDays(due, o.windowDays) : null;
  return (!from || p.date >= from) && (!to || p.date <= to);
}

const byDate = (a: PaymentRecord, b: PaymentRecord) => (a.date ?? '9999').localeCompare(b.date ?? '9999');

const label = (i: InvoiceRecord) => (i.number ? `invoice ${i.number}` : `the invoice on row ${i.source.row ?? '?'} of ${i.source.file}`);
const plabel = (p: PaymentRecord) =>
  `the payment of ${money(p.amountCents, p.currency)}${p.payer ? ` from ${p.payer}` : ''}${p.date ? ` on ${p.date}` : ''}${p.transactionId ? ` (${p.transactionId})` : ''}`;

export function reconcile(invoicesIn: InvoiceRecord[], paymentsIn: PaymentRecord[], o: MatchOptions): Reconciliation {
  const mismatches: Mismatch[] = [];
  const matches: Match[] = [];
  let skipped = o.skipped ?? 0;
  const add = (m: Omit<Mismatch, 'id'>) => mismatches.push({ id: `x${mismatches.length + 1}`, ...m });

  for (const u of o.unread ?? []) {
    add({
      type: 'unreadable_row',
      title: `Row ${u.source.row ?? '?'} of ${u.source.file} could not be read`,
      reason: `Row ${u.source.row ?? '?'} of the ${u.role} file "${u.source.file}" was left out: ${u.problem}. Correct it in the export if it matters.`,
      invoice: null,
      payments: [],
      numbers: {},
      rows: [{ file: u.source.file, row: u.source.row, cells: u.source.cells, problem: u.problem }],
    });
  }

  // The same invoice twice (a CSV and its PDF): kept once; with different amounts, a conflict.
  const invoices: InvoiceRecord[] = [];
  for (const inv of invoicesIn) {
    const twin = inv.number ? invoices.find((x) => x.number && refKey(x.number) === refKey(inv.number!)) : undefined;
    if (!twin) invoices.push(inv);
    else if (twin.amountCents === inv.amountCents && sameCurrency(twin.currency, inv.currency)) skipped++;
    else {
      add({
        type: 'conflicting_invoice',
        title: `Invoice ${inv.number} appears twice with different amounts`,
        reason: `Invoice ${inv.number} is ${money(twin.amountCents, twin.currency)} in ${twin.source.file} but ${money(inv.amountCents, inv.currency)} in ${inv.source.file}; the first is used for matching.`,
        invoice: view(inv),
        payments: [],
        numbers: { first: money(twin.amountCents, twin.currency), second: money(inv.amountCents, inv.currency) },
      });
    }
  }
  // The same bank transaction in two overlapping exports: kept once.
  const payments: PaymentRecord[] = [];
  for (const p of [...paymentsIn].sort(byDate)) {
    if (p.transactionId && payments.some((x) => x.transactionId === p.transactionId && x.amountCents === p.amountCents)) skipped++;
    else payments.push(p);
  }

  const alloc = new Map<InvoiceRecord, Allocation[]>(invoices.map((i) => [i, []]));
  const allocated = new Set<PaymentRecord>();
  const cores = new Map<string, InvoiceRecord[]>();
  for (const i of invoices) {
    const core = i.number ? digitCore(i.number) : null;
    if (core) cores.set(core, [...(cores.get(core) ?? []), i]);
  }

  // 1. An invoice number in the reference.
  for (const p of payments) {
    const text = refText(p);
    let named = invoices.filter((i) => i.number && refKey(i.number).length >= 3 && mentions(text, i.number));
    if (!named.length) {
      named = [...cores].filter(([core, list]) => list.length === 1 && new RegExp(`(?<![0-9])0*${core}(?![0-9])`).test(text)).map(([, list]) => list[0]!);
      if (named.length > 1) named = [];
    }
    if (!named.length) continue;
    const wrong = named.find((i) => !sameCurrency(i.currency, p.currency));
    if (wrong) {
      allocated.add(p);
      add({
        type: 'currency_mismatch',
        title: `Payment for ${label(wrong)} is in ${p.currency}, the invoice in ${wrong.currency}`,
        reason: `${cap(plabel(p))} names ${label(wrong)} (${money(wrong.amountCents, wrong.currency)}) but is in another currency; it was not counted as paying it.`,
        invoice: view(wrong),
        payments: [pview(p)],
        numbers: { invoiced: money(wrong.amountCents, wrong.currency), paid: money(p.amountCents, p.currency) },
      });
      continue;
    }
    if (named.length === 1) {
      alloc.get(named[0]!)!.push({ payment: p, rule: 'reference' });
      allocated.add(p);
      continue;
    }
    const total = named.reduce((s, i) => s + i.amountCents, 0);
    allocated.add(p);
    if (total === p.amountCents) {
      // One transfer for several invoices: each is paid in full by its share.
      for (const i of named) alloc.get(i)!.push({ payment: { ...p, amountCents: i.amountCents }, rule: 'reference' });
    } else {
      add({
        type: 'ambiguous_payment',
        title: `One payment names ${named.length} invoices but does not add up`,
        reason: `${cap(plabel(p))} names ${named.map((i) => i.number).join(', ')} (together ${money(total, named[0]!.currency)}) but is ${money(p.amountCents, p.currency)}; it was not split among them.`,
        invoice: null,
        payments: [pview(p)],
        numbers: { invoiced: money(total, named[0]!.currency), paid: money(p.amountCents, p.currency), difference: money(p.amountCents - total, p.currency) },
      });
      // Kept for the invoices' own findings: named but not counted.
    }
  }

  // 2. The same amount from the same customer within the window, the oldest open invoice first.
  const isOpen = (i: InvoiceRecord) => alloc.get(i)!.length === 0;
  const alternatives = new Map<InvoiceRecord, InvoiceRecord[]>();
  for (const p of payments) {
    if (allocated.has(p)) continue;
    const candidates = invoices
      .filter((i) => isOpen(i) && i.amountCents === p.amountCents && sameCurrency(i.currency, p.currency) && fromCustomer(p, i.customer) && withinWindow(p, i, o))
      .sort((a, b) => (a.due ?? a.issued ?? '9999').localeCompare(b.due ?? b.issued ?? '9999'));
    const chosen = candidates[0];
    if (!chosen) continue;
    alloc.get(chosen)!.push({ payment: p, rule: 'amount+customer' });
    allocated.add(p);
    if (candidates.length > 1) alternatives.set(chosen, candidates.slice(1));
  }

  // 3. The same amount again from the customer of an invoice already paid: a duplicate payment.
  for (const p of payments) {
    if (allocated.has(p)) continue;
    const paid = invoices.find((i) => {
      const a = alloc.get(i)!;
      const sum = a.reduce((s, x) => s + x.payment.amountCents, 0);
      return a.length > 0 && sum >= i.amountCents && p.amountCents === i.amountCents && sameCurrency(i.currency, p.currency) && fromCustomer(p, i.customer) && withinWindow(p, i, o);
    });
    if (!paid) continue;
    alloc.get(paid)!.push({ payment: p, rule: 'amount+customer' });
    allocated.add(p);
  }

  // Each invoice's payments against its amount.
  for (const inv of invoices) {
    const list = alloc.get(inv)!.sort((a, b) => byDate(a.payment, b.payment));
    const paidCents = list.reduce((s, a) => s + a.payment.amountCents, 0);
    const due = inv.due ?? (inv.issued ? addDays(inv.issued, o.termsDays) : null);
    const late = due && due < o.asOf ? daysBetween(due, o.asOf) : 0;
    const dueNote = !inv.due && due ? ` (no due date; counted ${o.termsDays} days after issue)` : '';
    const ps = list.map((a) => a.payment);
    const numbers = (extra: Record<string, string | number | null>) => ({ invoiced: money(inv.amountCents, inv.currency), paid: money(paidCents, inv.currency), ...extra });
    if (!list.length) {
      if (late > 0) {
        add({
          type: 'overdue_invoice',
          title: `${cap(label(inv))} (${inv.customer ?? 'unknown customer'}) is unpaid, ${late} day${late === 1 ? '' : 's'} overdue`,
          reason: `No payment matches ${label(inv)} of ${money(inv.amountCents, inv.currency)}${inv.customer ? ` to ${inv.customer}` : ''}, due ${due}${dueNote}: by reference, no payment names it; by amount, no payment of ${money(inv.amountCents, inv.currency)} came from this customer.`,
          invoice: view(inv),
          payments: [],
          numbers: numbers({ open: money(inv.amountCents, inv.currency), due, daysOverdue: late }),
        });
      }
      continue;
    }
    let covered = 0;
    let k = 0;
    while (k < ps.length && covered < inv.amountCents) covered += ps[k++]!.amountCents;
    if (covered === inv.amountCents) {
      const used = ps.slice(0, k);
      const extra = ps.slice(k);
      const rule = list.slice(0, k).some((a) => a.rule === 'reference') ? 'reference' : 'amount+customer';
      const entity = entityFor(inv.customer, o.entities);
      const others = alternatives.get(inv);
      matches.push({
        id: `m${matches.length + 1}`,
        invoice: view(inv),
        payments: used.map(pview),
        rule,
        reason:
          (rule === 'reference' ? `The payment reference names ${inv.number}` : `Same amount (${money(inv.amountCents, inv.currency)}) from ${inv.customer} within ${o.windowDays} days of the due date`) +
          (used.length > 1 ? `; paid in ${used.length} instalments adding up to the invoiced amount` : '; the amount is the invoiced amount') +
          (others ? `; ${others.map((x) => x.number).join(', ')} had the same amount and customer, the older invoice was taken` : '') +
          '.',
        entityId: entity?.id ?? null,
        entityName: entity?.name ?? null,
      });
      if (extra.length) {
        const same = extra.every((p) => p.amountCents === inv.amountCents || used.some((u) => u.amountCents === p.amountCents));
        const extraCents = extra.reduce((s, p) => s + p.amountCents, 0);
        add({
          type: same ? 'duplicate_payment' : 'overpayment',
          title: same ? `${cap(label(inv))} was paid twice` : `${cap(label(inv))} was overpaid by ${money(extraCents, inv.currency)}`,
          reason: same
            ? `${cap(label(inv))} of ${money(inv.amountCents, inv.currency)} is paid by ${plabel(used[0]!)}; ${extra.map(plabel).join(' and ')} ${extra.length === 1 ? 'pays' : 'pay'} it again. Refund it or keep it as credit.`
            : `${cap(label(inv))} of ${money(inv.amountCents, inv.currency)} is paid in full, and ${extra.map(plabel).join(' and ')} came on top.`,
          invoice: view(inv),
          payments: extra.map(pview),
          numbers: numbers({ excess: money(extraCents, inv.currency) }),
        });
      }
    } else if (paidCents < inv.amountCents) {
      const open = inv.amountCents - paidCents;
      add({
        type: 'partial_payment',
        title: `${cap(label(inv))} is partly paid: ${money(open, inv.currency)} open`,
        reason:
          `${cap(label(inv))}${inv.customer ? ` (${inv.customer})` : ''} is ${money(inv.amountCents, inv.currency)}; ${ps.length === 1 ? plabel(ps[0]!) : `${ps.length} payments`} ${ps.length === 1 ? 'pays' : 'pay'} ${money(paidCents, inv.currency)}, ` +
          `leaving ${money(open, inv.currency)} open${late > 0 ? `, ${late} days after the due date ${due}` : ''}.`,
        invoice: view(inv),
        payments: ps.map(pview),
        numbers: numbers({ open: money(open, inv.currency), due, daysOverdue: late || null }),
      });
    } else {
      const excess = paidCents - inv.amountCents;
      add({
        type: 'overpayment',
        title: `${cap(label(inv))} was overpaid by ${money(excess, inv.currency)}`,
        reason: `${cap(label(inv))}${inv.customer ? ` (${inv.customer})` : ''} is ${money(inv.amountCents, inv.currency)} but ${ps.length === 1 ? plabel(ps[0]!) : `${ps.length} payments`} came to ${money(paidCents, inv.currency)}: ${money(excess, inv.currency)} more than invoiced.`,
        invoice: view(inv),
        payments: ps.map(pview),
        numbers: numbers({ excess: money(excess, inv.currency) }),
      });
    }
  }

  // Payments nothing explains.
  for (const p of payments) {
    if (allocated.has(p)) continue;
    const sameAmount = invoices.filter((i) => i.amountCents === p.amountCents && sameCurrency(i.currency, p.currency));
    const sameCustomer = invoices.filter((i) => fromCustomer(p, i.customer));
    const hints = [
      sameAmount.length ? `${sameAmount.map((i) => `${i.number ?? 'an invoice'} (${i.customer ?? '?'})`).slice(0, 3).join(', ')} ${sameAmount.length === 1 ? 'has' : 'have'} the same amount but ${p.payer ? 'another customer' : 'no reference to it'}` : '',
      sameCustomer.length ? `${p.payer ?? 'the payer'} has invoice${sameCustomer.length === 1 ? '' : 's'} ${sameCustomer.map((i) => `${i.number ?? '?'} (${money(i.amountCents, i.currency)})`).slice(0, 3).join(', ')}, none of this amount and currency` : '',
    ].filter(Boolean);
    add({
      type: 'unmatched_payment',
      title: `Payment of ${money(p.amountCents, p.currency)}${p.payer ? ` from ${p.payer}` : ''} matches no invoice`,
      reason: `No invoice matches ${plabel(p)}${p.reference ? ` (reference "${p.reference}")` : ''}: its reference names no invoice number and no open invoice of this amount is from this payer${hints.length ? `. ${cap(hints.join('; '))}` : ''}.`,
      invoice: null,
      payments: [pview(p)],
      numbers: { paid: money(p.amountCents, p.currency) },
    });
  }

  const byType: Partial<Record<MismatchType, number>> = {};
  for (const m of mismatches) byType[m.type] = (byType[m.type] ?? 0) + 1;
  const openNotDue = invoices
    .filter((i) => alloc.get(i)!.length === 0 && !mismatches.some((m) => m.type === 'overdue_invoice' && m.invoice?.source === i.source))
    .map((i) => ({ number: i.number, customer: i.customer, amount: money(i.amountCents, i.currency), currency: i.currency, due: i.due ?? (i.issued ? addDays(i.issued, o.termsDays) : null) }));
  const summary: ReconciliationSummary = {
    asOf: o.asOf,
    invoices: invoices.length,
    payments: payments.length,
    matched: matches.length,
    mismatched: mismatches.length,
    byType,
    openNotDue,
    skipped,
    text: summaryText(invoices.length, payments.length, matches.length, byType, openNotDue.length),
  };
  return { matches, mismatches, summary };
}

const TYPE_WORDS: Record<MismatchType, [string, string]> = {
  partial_payment: ['partial payment', 'partial payments'],
  overpayment: ['overpayment', 'overpayments'],
  duplicate_payment: ['duplicate payment', 'duplicate payments'],
  unmatched_payment: ['payment without invoice', 'payments without invoice'],
  overdue_invoice: ['overdue invoice', 'overdue invoices'],
  currency_mismatch: ['currency mismatch', 'currency mismatches'],
  ambiguous_payment: ['payment that does not add up', 'payments that do not add up'],
  conflicting_invoice: ['conflicting invoice', 'conflicting invoices'],
  unreadable_row: ['unreadable row', 'unreadable rows'],
};

function summaryText(invoices: number, payments: number, matched: number, byType: Partial<Record<MismatchType, number>>, open: number): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const issues = Object.entries(byType).map(([t, k]) => n(k!, ...TYPE_WORDS[t as MismatchType]));
  const total = Object.values(byType).reduce((s, k) => s + (k ?? 0), 0);
  return (
    `${n(invoices, 'invoice', 'invoices')} and ${n(payments, 'payment', 'payments')}: ${matched} matched` +
    (total ? `, ${total} to review (${issues.join(', ')})` : ', nothing to review') +
    (open ? `; ${n(open, 'invoice', 'invoices')} open, not yet due` : '') +
    '.'
  );
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

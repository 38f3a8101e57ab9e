import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/database';
import { assembleCore, type Assembled } from '../../main/core/host/assemble';
import { KernelError } from '../../main/core/kernel/errors';
import { decideApproval, resolveEscalation, startRun } from '../../main/core/kernel/operator';
import {
  extractInvoice,
  mapColumns,
  parseAmount,
  parseDate,
  parseTable,
  readInvoices,
  readPayments,
  type ColumnMapping,
  type InvoiceRecord,
  type PaymentRecord,
} from '../../main/core/agents/reconcile-csv';
import type { ReconciliationSummary as Summary } from '../../shared/domain/proposals';
import { nameSimilarity, reconcile, type Match, type Mismatch } from '../../main/core/agents/reconcile-match';
import { until } from '../support/memory-core';
import { tempDir } from '../support/temp';

/** The error a function throws (fails the test when it does not). */
function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelError);
    return err as KernelError;
  }
  throw new Error('expected an error');
}

const mapped = (csv: string, role: 'invoices' | 'payments', name = 'file.csv') => {
  const table = parseTable(csv, name, role);
  const mapping = mapColumns({ role, file: name, headers: table.headers, sample: table.rows.slice(0, 8) });
  return { table, mapping };
};
const invoicesOf = (csv: string) => {
  const { table, mapping } = mapped(csv, 'invoices', 'invoices.csv');
  return readInvoices(table, mapping);
};
const paymentsOf = (csv: string) => {
  const { table, mapping } = mapped(csv, 'payments', 'payments.csv');
  return readPayments(table, mapping);
};

describe('reading exports', () => {
  it('reads amounts the way people write them, in integer cents', () => {
    const cases: [string, 'dot' | 'comma', number, string | null][] = [
      ['1200.00', 'dot', 120000, null],
      ['1,234.50', 'dot', 123450, null],
      ['1.234,50', 'comma', 123450, null],
      ['1.234,50 €', 'dot', 123450, 'EUR'], // both marks: the last one is the decimal mark, whatever the column says
      ['€ 1 234,50', 'comma', 123450, 'EUR'],
      ["CHF 1'234.50", 'dot', 123450, 'CHF'],
      ['$1,200', 'dot', 120000, 'USD'],
      ['1,200', 'comma', 120, null], // a decimal comma column: one comma is the decimal mark
      ['1.200', 'comma', 120000, null], // ... and one dot before three digits a thousands separator
      ['-45.10', 'dot', -4510, null],
      ['(45.10)', 'dot', -4510, null],
      ['45,10-', 'comma', -4510, null],
      ['0.125', 'dot', 13, null], // rounded half up
      ['12,5', 'dot', 1250, null],
      ['EUR 800', 'dot', 80000, 'EUR'],
      ['1.234.567,89', 'comma', 123456789, null],
    ];
    for (const [raw, style, cents, currency] of cases) expect(parseAmount(raw, style), raw).toEqual({ cents, currency });
    for (const bad of ['', 'abc', '12..5', '1,23,4.00', 'INV-1042', '2026-10-03', '12 apples']) expect(parseAmount(bad, 'dot'), bad).toBeNull();
  });

  it('reads dates in ISO, numeric and written forms', () => {
    const cases: [string, 'dmy' | 'mdy', string][] = [
      ['2026-10-03', 'dmy', '2026-10-03'],
      ['2026-10-03T14:22:00Z', 'dmy', '2026-10-03'],
      ['03/10/2026', 'dmy', '2026-10-03'],
      ['10/03/2026', 'mdy', '2026-10-03'],
      ['25/10/2026', 'mdy', '2026-10-25'], // 25 cannot be a month
      ['03.10.2026', 'dmy', '2026-10-03'],
      ['3.10.26', 'dmy', '2026-10-03'],
      ['3 Oct 2026', 'dmy', '2026-10-03'],
      ['Oct 3, 2026', 'dmy', '2026-10-03'],
      ['3rd October 2026', 'dmy', '2026-10-03'],
      ['3. Oktober 2026', 'dmy', '2026-10-03'],
      ['03-Oct-2026', 'dmy', '2026-10-03'],
      ['Sat, 3 Oct 2026', 'dmy', '2026-10-03'],
      ['20261003', 'dmy', '2026-10-03'],
    ];
    for (const [raw, order, date] of cases) expect(parseDate(raw, order), raw).toBe(date);
    for (const bad of ['31/02/2026', 'tomorrow', '2026', 'Oct 2026', '1200.00']) expect(parseDate(bad, 'dmy'), bad).toBeNull();
  });

  it('parses a semicolon export with a BOM, a caption row, quoted fields and blank lines, keeping spreadsheet row numbers', () => {
    const csv = '\uFEFFKontoauszug Oktober 2026;;;\n\nBuchungstag;Verwendungszweck;Auftraggeber;Betrag\n03.10.2026;"Rechnung INV-1042; danke";"Northwind Studio GmbH";1.200,00\n\n05.10.2026;"Zahlung\nzwei Zeilen";Contoso;"450,00"\n';
    const t = parseTable(csv, 'konto.csv', 'payments');
    expect(t.delimiter).toBe(';');
    expect(t.headers).toEqual(['Buchungstag', 'Verwendungszweck', 'Auftraggeber', 'Betrag']);
    expect(t.rows).toEqual([
      ['03.10.2026', 'Rechnung INV-1042; danke', 'Northwind Studio GmbH', '1.200,00'],
      ['05.10.2026', 'Zahlung\nzwei Zeilen', 'Contoso', '450,00'],
    ]);
    expect(t.rowNumbers).toEqual([4, 6]);
  });

  it('says exactly what is wrong with a file that cannot be read', () => {
    expect(thrown(() => parseTable('', 'a.csv', 'invoices')).message).toBe('The invoices file "a.csv" is empty: there is nothing to reconcile.');
    expect(thrown(() => parseTable('\uFEFF \n\n', 'a.csv', 'invoices')).message).toMatch(/is empty/);
    expect(thrown(() => parseTable('Invoice,Customer,Amount\n', 'a.csv', 'invoices')).message).toBe('The invoices file "a.csv" has a header (Invoice, Customer, Amount) but no rows.');
    expect(thrown(() => parseTable('INV-1,Acme,100.00\nINV-2,Beta,200.00\n', 'a.csv', 'invoices')).message).toMatch(/has no header row: its first row \("INV-1", "Acme", "100.00"\) looks like data/);
    expect(thrown(() => parseTable('just a line of prose\nand another one\n', 'notes.csv', 'payments')).message).toMatch(/has only one column/);
    expect(thrown(() => parseTable('A,B\n1,"open quote\n2,3\n', 'q.csv', 'payments')).message).toMatch(/quoted field that opens on row 2 is never closed/);
    const broken = thrown(() => parseTable('Invoice,Customer,Amount\nINV-1,M\uFFFDller,100.00\n', 'latin.csv', 'invoices'));
    expect(broken.kind).toBe('permanent');
    expect(broken.message).toBe('The invoices file "latin.csv" is not valid UTF-8 text: 1 character could not be decoded (first on line 2). Export it again as UTF-8 ("CSV UTF-8" in Excel).');
    const huge = `Date,Amount\n2026-10-01,${'9'.repeat(10 * 1024 * 1024)}\n`;
    expect(thrown(() => parseTable(huge, 'huge.csv', 'payments')).message).toMatch(/^The payments file "huge.csv": line 2 is 10\.0 MB long \(a row may be at most 100 KB\)/);
  });

  it('maps the usual header names, in several languages, to fields', () => {
    const cols = (headers: string[], role: 'invoices' | 'payments') => {
      const m = mapColumns({ role, file: 'f.csv', headers, sample: [] });
      return Object.fromEntries(Object.entries(m).filter(([k, v]) => v !== null && k !== 'reason' && k !== 'confidence').map(([k, v]) => [k, headers[v as number]]));
    };
    expect(cols(['Invoice #', 'Bill To', 'Date', 'Due', 'Amount due', 'Currency'], 'invoices')).toEqual({ invoiceNumber: 'Invoice #', customer: 'Bill To', issueDate: 'Date', dueDate: 'Due', amount: 'Amount due', currency: 'Currency' });
    expect(cols(['Number', 'Client', 'Invoice date', 'Due date', 'Net', 'VAT', 'Total'], 'invoices')).toEqual({ invoiceNumber: 'Number', customer: 'Client', issueDate: 'Invoice date', dueDate: 'Due date', amount: 'Total' });
    expect(cols(['Rechnungsnummer', 'Kunde', 'Rechnungsdatum', 'Fällig am', 'Betrag', 'Währung'], 'invoices')).toEqual({ invoiceNumber: 'Rechnungsnummer', customer: 'Kunde', issueDate: 'Rechnungsdatum', dueDate: 'Fällig am', amount: 'Betrag', currency: 'Währung' });
    expect(cols(['Ref', 'Customer', 'Total'], 'invoices')).toEqual({ invoiceNumber: 'Ref', customer: 'Customer', amount: 'Total' });
    expect(cols(['Buchungstag', 'Valutadatum', 'Beguenstigter/Zahlungspflichtiger', 'Verwendungszweck', 'Betrag', 'Saldo'], 'payments')).toEqual({ paymentDate: 'Buchungstag', payer: 'Beguenstigter/Zahlungspflichtiger', reference: 'Verwendungszweck', amount: 'Betrag' });
    expect(cols(['Transaction ID', 'Date', 'From', 'Memo', 'Debit', 'Credit', 'Balance'], 'payments')).toEqual({ transactionId: 'Transaction ID', paymentDate: 'Date', payer: 'From', reference: 'Memo', amount: 'Credit' });
  });

  it('finds an amount column by its values when the header says nothing, and reports a missing one', () => {
    const byValues = mapColumns({ role: 'invoices', file: 'f.csv', headers: ['Invoice', 'Customer', 'Col3'], sample: [['INV-1', 'Acme', '1.200,00'], ['INV-2', 'Beta', '80,50']] });
    expect(byValues.amount).toBe(2);
    expect(byValues.confidence).toBeLessThan(0.9);
    const none = mapColumns({ role: 'invoices', file: 'f.csv', headers: ['Invoice', 'Customer', 'Date'], sample: [['INV-1', 'Acme', '2026-10-01']] });
    expect(none.amount).toBeNull();
    expect(none.confidence).toBeLessThan(0.5);
    const { table, mapping } = mapped('Invoice,Customer,Date\nINV-1,Acme,2026-10-01\n', 'invoices', 'no-amount.csv');
    const err = thrown(() => readInvoices(table, mapping));
    expect(err.message).toBe(
      'The invoices file "no-amount.csv" has no amount column: none of its columns ("Invoice", "Customer", "Date") reads as an amount. Name the column with the invoiced total "Amount" (or Total, Betrag, Montant) and run the reconciliation again.',
    );
  });

  it('reads rows into records: decimal commas by column, currencies, totals rows skipped, bad rows kept as evidence', () => {
    const inv = invoicesOf('Rechnungsnummer;Kunde;Datum;Fällig am;Betrag\nRE-2026-001;Müller GmbH;01.10.2026;31.10.2026;1.234,50 €\nRE-2026-002;Contoso;02.10.2026;01.11.2026;99,90 €\nRE-2026-003;Beta;03.10.2026;02.11.2026;n/a\nGS-2026-001;Contoso;04.10.2026;;-50,00 €\nSumme;;;;1.284,40 €\n');
    expect(inv.records.map((r) => [r.number, r.customer, r.amountCents, r.currency, r.issued, r.due])).toEqual([
      ['RE-2026-001', 'Müller GmbH', 123450, 'EUR', '2026-10-01', '2026-10-31'],
      ['RE-2026-002', 'Contoso', 9990, 'EUR', '2026-10-02', '2026-11-01'],
    ]);
    expect(inv.unread).toHaveLength(1);
    expect(inv.unread[0]).toMatchObject({ problem: 'the amount "n/a" is not a number', source: { row: 4, cells: { Rechnungsnummer: 'RE-2026-003' } } });
    expect(inv.skipped).toEqual([
      { row: 5, why: 'a credit note or a zero amount' },
      { row: 6, why: 'a totals row' },
    ]);

    const pay = paymentsOf('Date,Description,From,Debit,Credit\n10/05/2026,Card payment,,-20.00,\n10/06/2026,INV-1,Acme,,"1,200.00"\n');
    expect(pay.records.map((p) => [p.date, p.amountCents, p.payer, p.reference])).toEqual([['2026-06-10', 120000, 'Acme', 'INV-1']]);
    expect(pay.skipped).toEqual([{ row: 2, why: 'no incoming amount' }]);
  });

  it('extracts an invoice from a text document by its labels', () => {
    const text = `ACME Design Ltd\n42 Harbour Road\n\nINVOICE\nInvoice No.: INV-2041\nInvoice date: 3 Oct 2026\nPayment terms: net 30\n\nBill to:\nNorthwind Studio\n17 Elm Street\n\nWebsite redesign   1,000.00\nVAT 20%   200.00\nSubtotal 1,000.00\nTotal due: EUR 1,200.00\n`;
    const { record, missing } = extractInvoice(text, 'inv-2041.txt');
    expect(record).toMatchObject({ number: 'INV-2041', customer: 'Northwind Studio', amountCents: 120000, currency: 'EUR', issued: '2026-10-03', due: '2026-11-02' });
    expect(missing).toEqual([]);
    const german = extractInvoice(`Rechnung Nr. RE-77\nRechnungsdatum: 01.09.2026\nFällig am: 15.09.2026\nKunde: Müller GmbH\nNettobetrag 1.000,00 €\nMwSt 19 % 190,00 €\nGesamtbetrag 1.190,00 €\n`, 're-77.txt');
    expect(german.record).toMatchObject({ number: 'RE-77', customer: 'Müller GmbH', amountCents: 119000, currency: 'EUR', issued: '2026-09-01', due: '2026-09-15' });
    expect(thrown(() => extractInvoice('Thank you for your order.\nWe will ship it soon.', 'letter.txt')).message).toMatch(/^The invoice document "letter.txt" has no amount to reconcile/);
  });

  it('compares party names loosely', () => {
    expect(nameSimilarity('NORTHWIND STUDIO GMBH', 'Northwind Studio')).toBe(1);
    expect(nameSimilarity('Northwind', 'Northwind Studio Ltd.')).toBe(0.9);
    expect(nameSimilarity('Müller & Söhne KG', 'MUELLER UND SOEHNE')).toBe(1);
    expect(nameSimilarity('Contoso Ltd', 'Contoso Limited')).toBe(1);
    expect(nameSimilarity('Northwind Studios', 'Northwind Studio')).toBeGreaterThanOrEqual(0.85);
    expect(nameSimilarity('Contoso', 'Fabrikam')).toBeLessThan(0.5);
  });
});

const inv = (number: string, customer: string, amountCents: number, issued: string, due: string, row = 2): InvoiceRecord => ({ number, customer, amountCents, currency: 'EUR', issued, due, source: { file: 'invoices.csv', row, cells: {} } });
const pay = (date: string, amountCents: number, reference: string, payer: string | null, transactionId: string, row = 2): PaymentRecord => ({
  date,
  amountCents,
  currency: 'EUR',
  reference,
  invoiceRef: null,
  payer,
  transactionId,
  source: { file: 'payments.csv', row, cells: {} },
});

describe('matching', () => {
  const options = { asOf: '2026-11-20', windowDays: 60, termsDays: 30, entities: [{ id: 'e1', name: 'Northwind Studio', aliases: [] }] };

  it('matches by reference, by amount and customer, and in instalments', () => {
    const r = reconcile(
      [inv('INV-1042', 'Northwind Studio', 120000, '2026-09-20', '2026-10-20'), inv('INV-1043', 'Contoso Ltd', 45000, '2026-09-25', '2026-10-25'), inv('INV-1044', 'Fabrikam', 30000, '2026-10-01', '2026-10-31')],
      [
        pay('2026-10-03', 120000, 'Payment inv 1042 thanks', 'NORTHWIND STUDIO GMBH', 'TX-1'),
        pay('2026-10-20', 45000, 'October services', 'Contoso', 'TX-2'),
        pay('2026-10-10', 10000, 'INV-1044 part 1', 'Fabrikam', 'TX-3'),
        pay('2026-10-30', 20000, 'INV-1044 rest', 'Fabrikam', 'TX-4'),
      ],
      options,
    );
    expect(r.mismatches).toEqual([]);
    expect(r.matches.map((m) => [m.invoice.number, m.rule, m.payments.map((p) => p.transactionId), m.entityId])).toEqual([
      ['INV-1042', 'reference', ['TX-1'], 'e1'],
      ['INV-1043', 'amount+customer', ['TX-2'], null],
      ['INV-1044', 'reference', ['TX-3', 'TX-4'], null],
    ]);
    expect(r.matches[2]!.reason).toMatch(/paid in 2 instalments/);
    expect(r.summary.text).toBe('3 invoices and 4 payments: 3 matched, nothing to review.');
  });

  it('reports partial, duplicate and unexplained payments and overdue invoices, each with its evidence', () => {
    const r = reconcile(
      [
        inv('INV-1', 'Northwind Studio', 120000, '2026-09-01', '2026-10-01'),
        inv('INV-2', 'Contoso', 80000, '2026-09-01', '2026-10-01'),
        inv('INV-3', 'Fabrikam', 50000, '2026-09-01', '2026-10-15'),
        inv('INV-4', 'Tailspin', 70000, '2026-11-01', '2026-12-01'),
      ],
      [pay('2026-10-02', 50000, 'INV-1', 'Northwind Studio', 'TX-1'), pay('2026-10-02', 80000, 'INV-2', 'Contoso', 'TX-2'), pay('2026-10-09', 80000, 'Invoice INV-2', 'Contoso', 'TX-3'), pay('2026-10-12', 33300, 'Thanks!', 'Wingtip Toys', 'TX-4')],
      options,
    );
    const byType = Object.fromEntries(r.mismatches.map((m) => [m.type, m]));
    expect(Object.keys(byType).sort()).toEqual(['duplicate_payment', 'overdue_invoice', 'partial_payment', 'unmatched_payment']);
    expect(byType.partial_payment).toMatchObject({ invoice: { number: 'INV-1' }, payments: [{ transactionId: 'TX-1' }], numbers: { invoiced: '1,200.00 EUR', paid: '500.00 EUR', open: '700.00 EUR' } });
    expect(byType.partial_payment!.reason).toMatch(/leaving 700\.00 EUR open, 50 days after the due date 2026-10-01/);
    expect(byType.duplicate_payment).toMatchObject({ invoice: { number: 'INV-2' }, payments: [{ transactionId: 'TX-3' }], numbers: { excess: '800.00 EUR' } });
    expect(byType.unmatched_payment).toMatchObject({ invoice: null, payments: [{ transactionId: 'TX-4', payer: 'Wingtip Toys' }] });
    expect(byType.overdue_invoice).toMatchObject({ invoice: { number: 'INV-3' }, numbers: { daysOverdue: 36, due: '2026-10-15' } });
    // INV-2 is paid (once): its first payment is a match, the second the duplicate.
    expect(r.matches.map((m) => [m.invoice.number, m.payments.map((p) => p.transactionId)])).toEqual([['INV-2', ['TX-2']]]);
    // INV-4 is not due yet: open, not a mismatch.
    expect(r.summary.openNotDue.map((o) => o.number)).toEqual(['INV-4']);
    expect(r.summary.text).toBe('4 invoices and 4 payments: 1 matched, 4 to review (1 partial payment, 1 duplicate payment, 1 overdue invoice, 1 payment without invoice); 1 invoice open, not yet due.');
  });

  it('never matches by amount across customers, currencies or outside the date window', () => {
    const r = reconcile(
      [inv('INV-9', 'Northwind Studio', 10000, '2026-01-01', '2026-01-31')],
      [pay('2026-01-10', 10000, 'misc', 'Someone Else', 'TX-1'), { ...pay('2026-01-10', 10000, 'misc', 'Northwind Studio', 'TX-2'), currency: 'USD' }, pay('2026-09-30', 10000, 'misc', 'Northwind Studio', 'TX-3')],
      { ...options, asOf: '2026-02-10' },
    );
    expect(r.matches).toEqual([]);
    expect(r.mismatches.filter((m) => m.type === 'unmatched_payment')).toHaveLength(3);
    expect(r.mismatches.find((m) => m.type === 'unmatched_payment')!.reason).toMatch(/INV-9 \(Northwind Studio\) has the same amount but another customer/);
  });
});

// ---- the workflow on the real core ----

let core: (Assembled & { close(): Promise<void> }) | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

/** Keel's core as the worker assembles it, on `dir` (a fresh folder by default), without the auto-triage schedule. */
async function start(dir = tempDir()): Promise<{ c: Assembled; dir: string }> {
  const { db } = await openDatabase(dir);
  const assembled = await assembleCore({ db, dataDir: dir, adapters: [], undoSeconds: 0, autoTriage: false, memory: { overrides: { embedding: { modelId: 'absent-model', dtype: 'fp32', autoDownload: false } } }, notify: () => {} });
  core = Object.assign(assembled, {
    async close() {
      await assembled.stop();
      await db.close();
    },
  });
  return { c: assembled, dir };
}

/** Files written to the temp folder and ingested through memory; resolves once their text is stored (or they failed), unless `wait` is false. */
async function ingest(c: Assembled, dir: string, files: Record<string, string | Buffer>, wait = true): Promise<string[]> {
  const paths = Object.entries(files).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
  const outcomes = await c.memory.documents.ingestPaths(paths);
  const ids = outcomes.map((o) => o.documentId!);
  if (!wait) return ids;
  await until('documents stored', async () => {
    const { rows } = await c.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM memory_documents WHERE id = ANY($1) AND (current_version IS NOT NULL OR status = 'failed')`, [ids]);
    return rows[0]!.n === ids.length;
  });
  return ids;
}

interface Proposal {
  matches: Match[];
  mismatches: Mismatch[];
  summary: Summary;
}

async function approvalOf(c: Assembled, runId: string) {
  return until('the reconciliation approval', async () => {
    const { rows } = await c.kernel.db.query<{ id: string; kind: string; risk: string; title: string; proposal: Proposal }>(
      `SELECT id, kind, risk, title, proposal FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`,
      [runId],
    );
    return rows[0];
  });
}

async function runEnd(c: Assembled, runId: string, statuses: string[]) {
  return until(`run ${statuses.join('/')}`, async () => {
    const { rows } = await c.kernel.db.query<{ status: string; output: unknown; error: { kind: string; message: string } | null }>('SELECT status, output, error FROM kernel_runs WHERE id = $1', [runId]);
    return rows[0] && statuses.includes(rows[0].status) ? rows[0] : undefined;
  });
}

async function factsOf(c: Assembled) {
  const { memories } = await c.memory.memories.list({ kinds: ['fact'], limit: 100 });
  return memories.sort((a, b) => a.text.localeCompare(b.text));
}

const INVOICES_CSV = `Invoice #,Customer,Issue date,Due date,Amount due,Currency
INV-1042,Northwind Studio,2026-09-20,2026-10-20,"1,200.00",EUR
INV-1043,Contoso Ltd,2026-09-25,2026-10-25,450.00,EUR
INV-1044,Fabrikam,2026-10-01,2026-10-31,"2,300.50",EUR
`;
const PAYMENTS_CSV = `Transaction ID,Booking date,Payer,Reference,Amount
TRX-9001,03/10/2026,NORTHWIND STUDIO GMBH,Payment INV-1042 thank you,"1,200.00"
TRX-9002,24/10/2026,Contoso,October services,450.00
TRX-9003,30/10/2026,Fabrikam Inc.,inv1044,"2,300.50"
TRX-9004,31/10/2026,Landlord,Rent October,"-1,500.00"
`;

describe('agent.reconciler on the real core', () => {
  it('proposes a clean match set in one approval and, approved, remembers each match as a paid fact with provenance and the client linked', async () => {
    const { c, dir } = await start();
    const northwind = await c.memory.entities.upsert({ type: 'client', name: 'Northwind Studio', attributes: {} });
    const [invoices, payments] = await ingest(c, dir, { 'invoices.csv': INVOICES_CSV, 'payments.csv': PAYMENTS_CSV });
    const { id: runId } = await startRun(c.kernel, { workflow: 'agent.reconciler', input: { invoices: [{ documentId: invoices }], payments: [{ documentId: payments }], asOf: '2026-11-05' } });

    const approval = await approvalOf(c, runId);
    expect(approval).toMatchObject({ kind: 'reconciliation', risk: 'low', title: 'Reconciliation: 3 matches' });
    const { matches, mismatches, summary } = approval.proposal;
    expect(mismatches).toEqual([]);
    expect(matches.map((m) => [m.invoice.number, m.rule, m.payments[0]!.transactionId])).toEqual([
      ['INV-1042', 'reference', 'TRX-9001'],
      ['INV-1043', 'amount+customer', 'TRX-9002'],
      ['INV-1044', 'reference', 'TRX-9003'],
    ]);
    expect(matches[0]!.payments[0]).toMatchObject({ date: '2026-10-03', amount: '1,200.00', source: { file: 'payments.csv', row: 2, cells: { Payer: 'NORTHWIND STUDIO GMBH' } } });
    expect(matches[0]).toMatchObject({ entityId: northwind.id, entityName: 'Northwind Studio' });
    expect(summary).toMatchObject({ invoices: 3, payments: 3, matched: 3, mismatched: 0, skipped: 1 });

    await decideApproval(c.kernel, approval.id, { decision: 'approve' });
    const end = await runEnd(c, runId, ['succeeded', 'paused', 'failed', 'dead_lettered']);
    expect(end.status).toBe('succeeded');

    const facts = await factsOf(c);
    expect(facts.map((f) => f.text)).toEqual([
      'Invoice INV-1042 (Northwind Studio, 1,200.00 EUR) paid on 2026-10-03 by transfer TRX-9001 (reference "Payment INV-1042 thank you").',
      'Invoice INV-1043 (Contoso Ltd, 450.00 EUR) paid on 2026-10-24 by transfer TRX-9002 (reference "October services").',
      'Invoice INV-1044 (Fabrikam, 2,300.50 EUR) paid on 2026-10-30 by transfer TRX-9003 (reference "inv1044").',
    ]);
    expect(facts.every((f) => f.attribute?.startsWith('payment_status:') && f.value === 'paid' && f.provenance.runId === runId && f.provenance.source === 'agent:reconciler')).toBe(true);
    expect(facts.map((f) => f.entityId)).toEqual([northwind.id, null, null]);
    expect((await c.kernel.db.query(`SELECT 1 FROM kernel_escalations WHERE run_id = $1`, [runId])).rows).toHaveLength(0);
    // The column mapping is a model task, one per table, recorded like every model call.
    const { rows } = await c.kernel.db.query<{ task: string }>(`SELECT data->'model'->>'task' AS task FROM kernel_ledger WHERE run_id = $1 AND type = 'step.completed' AND data ? 'model'`, [runId]);
    expect(rows.map((r) => r.task)).toEqual(['reconcile.columns', 'reconcile.columns']);
  });

  it('reads a semicolon, decimal-comma export (BOM, German headers) and a windows-1252 bank export from their original bytes', async () => {
    const { c, dir } = await start();
    const invoices = '\uFEFFRechnungsnummer;Kunde;Rechnungsdatum;Fällig am;Betrag\nRE-2026-001;Müller GmbH;01.10.2026;31.10.2026;1.234,50 €\nRE-2026-002;Bäckerei Schön;02.10.2026;01.11.2026;"99,90 €"\n';
    const bank = 'Buchungstag;Verwendungszweck;Beguenstigter/Zahlungspflichtiger;Betrag;Saldo\n14.10.2026;Rechnung RE-2026-001 vielen Dank;MÜLLER GMBH;1.234,50;5.000,00\n20.10.2026;Brötchen Oktober;Bäckerei Schön;99,90;5.099,90\n';
    const [inv, pay] = await ingest(c, dir, { 'rechnungen.csv': invoices, 'konto.csv': iconv.encode(bank, 'windows-1252') });
    const { id: runId } = await startRun(c.kernel, { workflow: 'agent.reconciler', input: { invoices: [{ documentId: inv }], payments: [{ documentId: pay }], asOf: '2026-11-05' } });
    await approvalOf(c, runId);
    // Keel quits while the proposal waits; after a restart the run resumes from its recorded steps.
    await core!.close();
    core = null;
    const { c: again } = await start(dir);
    const approval = await approvalOf(again, runId);
    const { matches, mismatches } = approval.proposal;
    expect(mismatches).toEqual([]);
    expect(matches.map((m) => [m.invoice.number, m.invoice.customer, m.invoice.amountCents, m.payments[0]!.payer, m.rule])).toEqual([
      ['RE-2026-001', 'Müller GmbH', 123450, 'MÜLLER GMBH', 'reference'],
      ['RE-2026-002', 'Bäckerei Schön', 9990, 'Bäckerei Schön', 'amount+customer'],
    ]);
    await decideApproval(again.kernel, approval.id, { decision: 'approve_partial', acceptedParts: [matches[0]!.id] });
    expect((await runEnd(again, runId, ['succeeded', 'paused', 'failed'])).status).toBe('succeeded');
    const { rows: reads } = await again.kernel.db.query(`SELECT 1 FROM kernel_steps WHERE run_id = $1 AND name LIKE 'read:%'`, [runId]);
    expect(reads).toHaveLength(2); // each file read once, not again after the restart
    expect((await factsOf(again)).map((f) => f.text)).toEqual(['Invoice RE-2026-001 (Müller GmbH, 1,234.50 EUR) paid on 2026-10-14 by transfer (reference "Rechnung RE-2026-001 vielen Dank").']);
  });

  it('reports a partial payment, a duplicate payment, a payment without invoice and an overdue invoice, then escalates them with the evidence', async () => {
    const { c } = await start();
    const invoices = `Number,Client,Date,Due,Total
INV-1,Northwind Studio,2026-09-01,2026-10-01,1200.00
INV-2,Contoso,2026-09-01,2026-10-01,800.00
INV-3,Fabrikam,2026-09-01,2026-10-15,500.00
INV-4,Tailspin Toys,2026-09-10,2026-10-10,300.00
`;
    const payments = `Date;Memo;Counterparty;Amount
02.10.2026;INV-1 first part;Northwind Studio;500,00
02.10.2026;INV-2;Contoso;800,00
09.10.2026;Invoice INV-2;Contoso;800,00
12.10.2026;Thanks!;Wingtip Toys;333,00
11.10.2026;Tailspin INV-4;Tailspin Toys;300,00
`;
    const { id: runId } = await startRun(c.kernel, { workflow: 'agent.reconciler', input: { invoices: [{ csv: invoices, name: 'invoices.csv' }], payments: [{ csv: payments, name: 'bank.csv' }], asOf: '2026-11-20' } });
    const approval = await approvalOf(c, runId);
    expect(approval.title).toBe('Reconciliation: 2 matches, 4 mismatches');
    const { matches, mismatches } = approval.proposal;
    expect(matches.map((m) => m.invoice.number)).toEqual(['INV-2', 'INV-4']);
    const byType = Object.fromEntries(mismatches.map((m) => [m.type, m]));
    expect(byType.partial_payment).toMatchObject({ invoice: { number: 'INV-1', amount: '1,200.00' }, payments: [{ amount: '500.00', source: { file: 'bank.csv', row: 2, cells: { Memo: 'INV-1 first part' } } }], numbers: { open: '700.00' } });
    expect(byType.duplicate_payment).toMatchObject({ invoice: { number: 'INV-2' }, payments: [{ date: '2026-10-09', reference: 'Invoice INV-2' }] });
    expect(byType.duplicate_payment!.reason).toMatch(/pays it again/);
    expect(byType.unmatched_payment).toMatchObject({ payments: [{ payer: 'Wingtip Toys', amount: '333.00' }] });
    expect(byType.overdue_invoice).toMatchObject({ invoice: { number: 'INV-3', customer: 'Fabrikam' }, numbers: { daysOverdue: 36 } });

    await decideApproval(c.kernel, approval.id, { decision: 'approve' });
    // The matches are remembered; the mismatches wait for the operator as an escalation.
    const escalation = await until('the escalation', async () => {
      const { rows } = await c.kernel.db.query<{ id: string; kind: string; reason: { kind: string; message: string; details: { reconciliation: { mismatches: Mismatch[] } } } }>(
        `SELECT id, kind, reason FROM kernel_escalations WHERE run_id = $1 AND status = 'open'`,
        [runId],
      );
      return rows[0];
    });
    expect((await runEnd(c, runId, ['paused'])).status).toBe('paused');
    expect(escalation.kind).toBe('step_failed');
    expect(escalation.reason.message).toMatch(/^The reconciliation found 4 mismatches to look into/);
    expect(escalation.reason.message).toContain('Invoice INV-1 is partly paid: 700.00 open');
    expect(escalation.reason.details.reconciliation.mismatches.map((m) => m.type).sort()).toEqual(['duplicate_payment', 'overdue_invoice', 'partial_payment', 'unmatched_payment']);
    expect(escalation.reason.details.reconciliation.mismatches.find((m) => m.type === 'unmatched_payment')!.payments[0]!.source.cells).toEqual({ Date: '12.10.2026', Memo: 'Thanks!', Counterparty: 'Wingtip Toys', Amount: '333,00' });
    expect((await factsOf(c)).map((f) => f.text.split(' paid')[0])).toEqual(['Invoice INV-2 (Contoso, 800.00)', 'Invoice INV-4 (Tailspin Toys, 300.00)']);

    // Once handled, the operator skips the step and the run finishes.
    await resolveEscalation(c.kernel, escalation.id, { action: 'skip', output: { acknowledged: true }, note: 'called the clients' });
    const end = await runEnd(c, runId, ['succeeded', 'failed']);
    expect(end.status).toBe('succeeded');
    expect(end.output).toMatchObject({ confirmed: ['m1', 'm2'], mismatches: 4 });
  });

  it('reads several invoice documents (one invoice each), waiting for their ingestion, and matches them against payments', async () => {
    const { c, dir } = await start();
    // The run starts at once: a document may still be being ingested (waited for: a transient failure, retried).
    const docs = await ingest(
      c,
      dir,
      {
      'inv-2041.txt': 'ACME Design Ltd\n\nINVOICE\nInvoice No.: INV-2041\nInvoice date: 3 Oct 2026\nDue date: 2 Nov 2026\n\nBill to: Northwind Studio\n\nWebsite redesign 1,000.00\nVAT 20% 200.00\nTotal due: EUR 1,200.00\n',
      'inv-2042.md': '# Invoice INV-2042\n\nCustomer: Contoso Ltd\n\nDate: 2026-10-05\nPayment terms: net 14\n\n| Item | Amount |\n|---|---|\n| Workshop | €650.00 |\n\n**Amount due: €650.00**\n',
      },
      false,
    );
    const payments = 'Date,Payer,Reference,Amount\n2026-10-20,Northwind Studio,INV-2041,1200.00\n2026-10-21,Contoso,Workshop,650.00\n';
    const { id: runId } = await startRun(c.kernel, { workflow: 'agent.reconciler', input: { invoices: docs.map((documentId) => ({ documentId })), payments: [{ csv: payments }], asOf: '2026-11-05' } });
    const approval = await approvalOf(c, runId);
    expect(approval.proposal.mismatches).toEqual([]);
    expect(approval.proposal.matches.map((m) => [m.invoice.number, m.invoice.customer, m.invoice.amount, m.invoice.due, m.invoice.source.file, m.rule])).toEqual([
      ['INV-2041', 'Northwind Studio', '1,200.00 EUR', '2026-11-02', 'inv-2041.txt', 'reference'],
      ['INV-2042', 'Contoso Ltd', '650.00 EUR', '2026-10-19', 'inv-2042.md', 'amount+customer'],
    ]);
    await decideApproval(c.kernel, approval.id, { decision: 'reject', note: 'wrong month' });
    const end = await runEnd(c, runId, ['succeeded', 'failed']);
    expect(end.output).toMatchObject({ rejected: true, confirmed: 0, note: 'wrong month' });
    expect(await factsOf(c)).toEqual([]);
  });

  it('stops with a specific permanent error for an empty file, a file with no amount column and a document that failed to ingest', async () => {
    const { c, dir } = await start();
    const [noAmount, empty] = await ingest(c, dir, { 'no-amount.csv': 'Invoice,Customer,Date\nINV-1,Acme,2026-10-01\nINV-2,Beta,2026-10-02\n', 'empty.csv': '' });
    const cases: [unknown, RegExp][] = [
      [{ invoices: [{ csv: '', name: 'empty.csv' }], payments: [{ csv: 'Date,Amount\n2026-10-01,10.00\n' }] }, /^The invoices file "empty.csv" is empty: there is nothing to reconcile\.$/],
      [{ invoices: [{ documentId: noAmount }], payments: [{ csv: 'Date,Amount\n2026-10-01,10.00\n' }] }, /^The invoices file "no-amount.csv" has no amount column: none of its columns \("Invoice", "Customer", "Date"\) reads as an amount/],
      [{ invoices: [{ csv: 'Invoice,Amount\nINV-1,10.00\n' }], payments: [{ documentId: empty }] }, /^The payments document "empty.csv" could not be ingested \(empty file\)/],
    ];
    for (const [input, message] of cases) {
      const { id } = await startRun(c.kernel, { workflow: 'agent.reconciler', input });
      const end = await runEnd(c, id, ['dead_lettered', 'failed', 'paused', 'succeeded', 'waiting_approval']);
      expect(end.status).toBe('dead_lettered');
      expect(end.error!.kind).toBe('permanent');
      expect(end.error!.message).toMatch(message);
    }
  });
});

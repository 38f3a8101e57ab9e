import Papa from 'papaparse';
import { z } from 'zod';
import { KernelError } from '../kernel/errors';
import { fence, type ModelTask } from './model-call';

/**
 * The reconciler's reading of real-world exports (pure functions, no I/O): CSV tables
 * (delimiter, BOM, quotes, caption rows, a header), amounts in integer cents (decimal commas,
 * thousands separators, currency symbols), dates in the formats people export, the column
 * mapping task (a model may map odd headers; the builtin rule reads the common ones), rows as
 * invoices or payments, and invoices extracted from a document's text by rules.
 */

export type Role = 'invoices' | 'payments';

/** A CSV export, as the workflow records it. */
export interface Table {
  name: string;
  delimiter: string;
  headers: string[];
  /** Data rows, each as long as `headers`. */
  rows: string[][];
  /** The spreadsheet row number of each data row (the header's row is 1 in a plain export). */
  rowNumbers: number[];
}

/** Where a record came from, with the row itself as evidence. */
export type { RowSource } from '../../../shared/domain/proposals';
import type { RowSource } from '../../../shared/domain/proposals';

export interface InvoiceRecord {
  number: string | null;
  customer: string | null;
  amountCents: number;
  currency: string | null;
  issued: string | null;
  due: string | null;
  source: RowSource;
}

export interface PaymentRecord {
  date: string | null;
  amountCents: number;
  currency: string | null;
  /** Memo, description, remittance information: where invoice numbers are written. */
  reference: string;
  /** An explicit invoice column some exports carry (Stripe, PayPal). */
  invoiceRef: string | null;
  payer: string | null;
  transactionId: string | null;
  source: RowSource;
}

/** A row that could not be read: never dropped silently, reported as a mismatch. */
export interface UnreadRow {
  role: Role;
  source: RowSource;
  problem: string;
}

export const MAX_TEXT_CHARS = 20 * 1024 * 1024;
export const MAX_LINE_CHARS = 100 * 1024;
export const MAX_ROWS = 100_000;
const DELIMITERS = [',', ';', '\t', '|'];

const fail = (message: string, details?: Record<string, unknown>) => new KernelError('permanent', message, details);

export function size(chars: number): string {
  if (chars >= 1024 * 1024) return `${(chars / 1024 / 1024).toFixed(1)} MB`;
  if (chars >= 1024) return `${Math.round(chars / 1024)} KB`;
  return `${chars} bytes`;
}

/** The line (1-based) a character offset is on. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Checks that text is text a person exported: not empty, decodable, not binary, no absurd lines. */
export function checkText(text: string, label: string): string {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (body.trim() === '') throw fail(`${label} is empty: there is nothing to reconcile.`);
  if (body.length > MAX_TEXT_CHARS) throw fail(`${label} is ${size(body.length)}, more than the ${size(MAX_TEXT_CHARS)} a reconciliation reads; export a shorter period.`);
  const bad = body.search(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  if (bad !== -1) {
    const count = (body.match(/\uFFFD/g) ?? []).length || 1;
    throw fail(`${label} is not valid UTF-8 text: ${count} character${count === 1 ? '' : 's'} could not be decoded (first on line ${lineAt(body, bad)}). Export it again as UTF-8 ("CSV UTF-8" in Excel).`);
  }
  const sample = body.slice(0, 64 * 1024);
  const control = (sample.match(/[\u0000-\u0008\u000E-\u001F]/g) ?? []).length;
  if (control > 0 && control / sample.length > 0.01) throw fail(`${label} is binary data, not a CSV export or a text document.`);
  let start = 0;
  let line = 1;
  for (;;) {
    const end = body.indexOf('\n', start);
    const length = (end === -1 ? body.length : end) - start;
    if (length > MAX_LINE_CHARS) {
      throw fail(`${label}: line ${line} is ${size(length)} long (a row may be at most ${size(MAX_LINE_CHARS)}). This is not a row-per-line export; check that it is the right file and that no quote is left open.`);
    }
    if (end === -1) break;
    start = end + 1;
    line++;
  }
  return body.replace(/\u0000/g, '');
}

const filled = (row: string[]) => row.filter((c) => c.trim() !== '').length;

/** A cell no header has: a date, or money written with decimals or a currency. */
function surelyData(cell: string): boolean {
  const c = cell.trim();
  return c !== '' && (parseDate(c, 'dmy') !== null || (/[.,]\d{2}\b|[€$£]/.test(c) && parseAmount(c, 'dot') !== null));
}

/** A cell that could be data rather than a column name: a number, a code like INV-1. */
function maybeData(cell: string): boolean {
  const c = cell.trim();
  return c !== '' && (parseAmount(c, 'dot') !== null || /^[A-Z]{2,5}[-/]?\d+$/i.test(c));
}

/**
 * A CSV export as a table: BOM stripped, delimiter guessed (comma, semicolon, tab, pipe),
 * caption rows above the header skipped, blank rows dropped (row numbers kept). Anything that
 * makes it unreadable is a permanent error saying what is wrong.
 */
export function parseTable(text: string, name: string, role: Role): Table {
  const label = `The ${role} file "${name}"`;
  const body = checkText(text, label);
  const parsed = Papa.parse<string[]>(body, { delimitersToGuess: DELIMITERS, skipEmptyLines: false });
  const unclosed = parsed.errors.find((e) => e.code === 'MissingQuotes');
  if (unclosed) throw fail(`${label}: a quoted field that opens on row ${(unclosed.row ?? 0) + 1} is never closed, so the rest of the file cannot be read as rows.`);
  const all = parsed.data;
  // Caption rows above the header ("Account statement", a period) fill fewer cells than the table.
  const widest = Math.max(0, ...all.slice(0, 50).map(filled));
  const first = widest < 2 ? -1 : all.findIndex((row) => filled(row) >= Math.max(2, Math.ceil(widest / 2)));
  if (first === -1) {
    throw fail(`${label} has only one column: it is not a delimited export (expected columns separated by commas, semicolons or tabs).`);
  }
  const headerRow = all[first]!;
  const dataLike = headerRow.filter(maybeData).length;
  if (headerRow.some(surelyData) || (dataLike > 0 && dataLike * 2 >= filled(headerRow))) {
    throw fail(
      `${label} has no header row: its first row (${headerRow.filter((c) => c.trim()).slice(0, 5).map((c) => `"${c.trim()}"`).join(', ')}) looks like data. ` +
        `Add a first row naming the columns, e.g. ${role === 'invoices' ? 'Invoice, Customer, Amount, Due date' : 'Date, Reference, Amount, Payer'}.`,
    );
  }
  const headers = headerRow.map((h, i) => h.replace(/^\uFEFF/, '').trim() || `Column ${i + 1}`);
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (let i = first + 1; i < all.length; i++) {
    const row = all[i]!;
    if (filled(row) === 0) continue;
    rows.push(headers.map((_, c) => (row[c] ?? '').trim()));
    rowNumbers.push(i + 1);
    if (rows.length > MAX_ROWS) throw fail(`${label} has more than ${MAX_ROWS.toLocaleString('en')} rows; export a shorter period.`);
  }
  if (!rows.length) throw fail(`${label} has a header (${headers.join(', ')}) but no rows.`);
  return { name, delimiter: parsed.meta.delimiter, headers, rows, rowNumbers };
}

// ---- amounts ----

export type DecimalStyle = 'dot' | 'comma';

const SYMBOLS: [RegExp, string][] = [
  [/US\$/i, 'USD'],
  [/C\$|CA\$/i, 'CAD'],
  [/A\$|AU\$/i, 'AUD'],
  [/€/, 'EUR'],
  [/£/, 'GBP'],
  [/¥/, 'JPY'],
  [/\$/, 'USD'],
  [/\bFr\.|\bSFr\.?/, 'CHF'],
];
const CODES = new Set(['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'CAD', 'AUD', 'NZD', 'JPY', 'CNY', 'INR', 'SGD', 'HKD', 'ZAR', 'BRL', 'MXN', 'TRY', 'RON', 'BGN', 'ILS']);

/** The currency an amount cell or a currency cell names, if any. */
export function currencyIn(text: string): string | null {
  const code = text.toUpperCase().match(/(?<![A-Z])[A-Z]{3}(?![A-Z])/g)?.find((c) => CODES.has(c));
  if (code) return code;
  for (const [re, c] of SYMBOLS) if (re.test(text)) return c;
  return null;
}

/**
 * An amount in integer cents. Currency symbols and codes, spaces and apostrophes as
 * thousands separators, minus signs, parentheses and trailing minus are understood; with
 * both `.` and `,` the last is the decimal mark, with one kind `style` (the column's) breaks
 * the tie. More than two decimals are rounded half up. Not an amount: null.
 */
export function parseAmount(raw: string, style: DecimalStyle): { cents: number; currency: string | null } | null {
  let s = raw.trim();
  if (!s) return null;
  const currency = currencyIn(s);
  s = s.replace(/US\$|CA\$|AU\$|C\$|A\$|SFr\.?|Fr\./gi, '').replace(/[€£¥$]/g, '').replace(/(?<![A-Za-z])[A-Za-z]{3}(?![A-Za-z])/g, (m) => (CODES.has(m.toUpperCase()) ? '' : m));
  s = s.replace(/[\s\u00A0\u202F\u2009']/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (/^[-−–]/.test(s)) {
    negative = !negative;
    s = s.slice(1);
  } else if (/[-−–]$/.test(s)) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  s = s.replace(/^\+/, '');
  if (!/^\d[\d.,]*$/.test(s) || /[.,]{2}/.test(s) || /[.,]$/.test(s)) return null;
  const dots = (s.match(/\./g) ?? []).length;
  const commas = (s.match(/,/g) ?? []).length;
  let decimal: '.' | ',' | null = null;
  if (dots && commas) decimal = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
  else if (dots + commas === 1) {
    const mark = dots ? '.' : ',';
    const after = s.length - s.indexOf(mark) - 1;
    decimal = (mark === '.') === (style === 'dot') ? mark : after === 3 ? null : mark;
  } else if (dots > 1 || commas > 1) decimal = null;
  const thousands = decimal === '.' ? ',' : decimal === ',' ? '.' : dots ? '.' : ',';
  const [whole = '', fraction = ''] = decimal ? [s.slice(0, s.lastIndexOf(decimal)), s.slice(s.lastIndexOf(decimal) + 1)] : [s, ''];
  if (decimal && whole.includes(decimal)) return null;
  if (whole.includes(thousands) && !new RegExp(`^\\d{1,3}(\\${thousands}\\d{3})+$`).test(whole)) return null;
  const digits = whole.split(thousands).join('');
  if (digits.length > 13) return null;
  const cents2 = (fraction + '00').slice(0, 2);
  let cents = Number(digits) * 100 + Number(cents2);
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1;
  if (negative && cents !== 0) cents = -cents;
  return { cents, currency };
}

/** The decimal mark a column's values use: the majority of the unambiguous ones, else `fallback`. */
export function decimalStyle(values: string[], fallback: DecimalStyle): DecimalStyle {
  let comma = 0;
  let dot = 0;
  for (const v of values) {
    const s = v.replace(/[^\d.,]/g, '');
    if (/,\d{1,2}$/.test(s) || /\.\d{3},/.test(s)) comma++;
    else if (/\.\d{1,2}$/.test(s) || /,\d{3}\./.test(s)) dot++;
  }
  return comma > dot ? 'comma' : dot > comma ? 'dot' : fallback;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

export const money = (cents: number, currency: string | null) => `${formatCents(cents)}${currency ? ` ${currency}` : ''}`;

// ---- dates ----

export type DateOrder = 'dmy' | 'mdy';

const MONTH_NAMES: [number, string[]][] = [
  [1, ['jan', 'january', 'januar', 'janvier', 'janv', 'jän', 'jaen', 'jänner', 'januari', 'enero', 'ene', 'gennaio', 'gen']],
  [2, ['feb', 'february', 'februar', 'février', 'fevrier', 'fév', 'fev', 'februari', 'febrero', 'febbraio']],
  [3, ['mar', 'march', 'märz', 'maerz', 'marz', 'mrz', 'mars', 'maart', 'mrt', 'marzo']],
  [4, ['apr', 'april', 'avril', 'avr', 'abril', 'abr', 'aprile']],
  [5, ['may', 'mai', 'mei', 'mayo', 'maggio', 'mag']],
  [6, ['jun', 'june', 'juni', 'juin', 'junio', 'giugno', 'giu']],
  [7, ['jul', 'july', 'juli', 'juillet', 'juil', 'julio', 'luglio', 'lug']],
  [8, ['aug', 'august', 'août', 'aout', 'augustus', 'agosto', 'ago']],
  [9, ['sep', 'sept', 'september', 'septembre', 'septiembre', 'settembre', 'set']],
  [10, ['oct', 'october', 'oktober', 'okt', 'octobre', 'octubre', 'ottobre', 'ott']],
  [11, ['nov', 'november', 'novembre', 'noviembre']],
  [12, ['dec', 'december', 'dezember', 'dez', 'décembre', 'decembre', 'déc', 'diciembre', 'dic', 'dicembre']],
];
const MONTHS = new Map(MONTH_NAMES.flatMap(([n, names]) => names.map((name) => [name, n] as const)));

function ymd(y: number, m: number, d: number): string | null {
  if (y < 100) y += y < 70 ? 2000 : 1900;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A date as YYYY-MM-DD: ISO (with or without a time), YYYYMMDD, numeric day/month/year with
 * `/`, `.` or `-` (the order from `order` when both parts could be the month), and written
 * months in English, German, French, Dutch, Spanish and Italian ("3 Oct 2026", "Oct 3, 2026",
 * "3. Oktober 2026"). Not a date: null.
 */
export function parseDate(raw: string, order: DateOrder): string | null {
  const s = raw.trim();
  if (!s || s.length > 40) return null;
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return ymd(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return ymd(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[ T,].*)?$/.exec(s);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    const y = +m[3]!;
    const dmy = a > 12 ? true : b > 12 ? false : order === 'dmy';
    return dmy ? ymd(y, b, a) : ymd(y, a, b);
  }
  const tokens = s
    .toLowerCase()
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .match(/\d+|[\p{L}]+/gu);
  if (!tokens || tokens.length > 6) return null;
  const months = tokens.filter((t) => MONTHS.has(t));
  const numbers = tokens.filter((t) => /^\d+$/.test(t));
  const words = tokens.filter((t) => !/^\d+$/.test(t) && !MONTHS.has(t));
  if (months.length !== 1 || numbers.length !== 2 || words.some((w) => !/^(of|the|de|den|der|le|el|am)$|day$|tag$|di$/.test(w) && !WEEKDAYS.test(w))) return null;
  const month = MONTHS.get(months[0]!)!;
  const [p, q] = numbers.map(Number) as [number, number];
  const yearFirst = numbers[0]!.length === 4;
  const yearLast = numbers[1]!.length === 4 || (numbers[1]!.length === 2 && p <= 31 && numbers[0]!.length <= 2);
  if (yearFirst) return ymd(p, month, q);
  if (yearLast) return ymd(q, month, p);
  return null;
}
const WEEKDAYS = /^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mo|di|mi|do|fr|sa|so|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)$/;

/** Whether a column writes day/month or month/day: told by the values where a part exceeds 12. */
export function dateOrder(values: string[], fallback: DateOrder): DateOrder {
  let dmy = 0;
  let mdy = 0;
  for (const v of values) {
    const m = /^(\d{1,2})[-/.](\d{1,2})[-/.]\d{2,4}/.exec(v.trim());
    if (!m) continue;
    if (+m[1]! > 12) dmy++;
    else if (+m[2]! > 12) mdy++;
  }
  return dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : fallback;
}

const DATE_IN_TEXT = [
  /\b\d{4}-\d{1,2}-\d{1,2}\b/,
  /\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b/,
  /\b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?[\p{L}]{3,10}\.?,?\s+\d{4}\b/u,
  /\b[\p{L}]{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b/u,
];

/** The first date written in a piece of text. */
export function findDate(text: string, order: DateOrder): string | null {
  let best: { at: number; date: string } | null = null;
  for (const re of DATE_IN_TEXT) {
    const g = new RegExp(re.source, `${re.flags}g`);
    for (const m of text.matchAll(g)) {
      const date = parseDate(m[0].replace(/\.(?=\s)/g, ''), order);
      if (date && (!best || m.index < best.at)) best = { at: m.index, date };
      if (date) break;
    }
  }
  return best?.date ?? null;
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// ---- the column mapping ----

const FIELDS = ['invoiceNumber', 'customer', 'amount', 'currency', 'issueDate', 'dueDate', 'paymentDate', 'reference', 'payer', 'transactionId'] as const;
export type Field = (typeof FIELDS)[number];
export const ROLE_FIELDS: Record<Role, readonly Field[]> = {
  invoices: ['invoiceNumber', 'customer', 'amount', 'currency', 'issueDate', 'dueDate'],
  payments: ['paymentDate', 'amount', 'currency', 'reference', 'payer', 'transactionId', 'invoiceNumber'],
};

const Column = z.number().int().min(0).nullable();
export const ColumnMapping = z.object({
  invoiceNumber: Column,
  customer: Column,
  amount: Column,
  currency: Column,
  issueDate: Column,
  dueDate: Column,
  paymentDate: Column,
  reference: Column,
  payer: Column,
  transactionId: Column,
  confidence: z.number().min(0).max(1),
  reason: z.string(),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export interface ColumnsInput {
  role: Role;
  file: string;
  headers: string[];
  sample: string[][];
}

/** Header words per field: exact names score 3, a name containing one of `words` scores 2. */
const NAMES: Record<Role, Partial<Record<Field, { exact: string[]; words: string[] }>>> = {
  invoices: {
    invoiceNumber: {
      exact: ['invoice', 'invoice no', 'invoice number', 'invoice id', 'invoice ref', 'invoice reference', 'invoice num', 'number', 'no', 'nr', 'num', 'ref', 'reference', 'id', 'document', 'document no', 'doc no', 'bill no', 'bill number', 'rechnung', 'rechnungsnummer', 'rechnungsnr', 're nr', 'rg nr', 'belegnummer', 'beleg', 'beleg nr', 'facture', 'numero', 'numero de facture', 'no facture', 'factuur', 'factuurnummer', 'factuurnr', 'factura', 'numero de factura', 'fattura'],
      words: ['invoice', 'rechnung', 'rechnungsnummer', 'facture', 'factuur', 'factura', 'fattura'],
    },
    customer: {
      exact: ['customer', 'customer name', 'client', 'client name', 'bill to', 'billed to', 'sold to', 'company', 'company name', 'name', 'kunde', 'kundenname', 'kunden name', 'debitor', 'debtor', 'account', 'account name', 'buyer', 'recipient', 'empfanger', 'rechnungsempfanger', 'klant', 'klantnaam', 'cliente', 'nom', 'nom du client', 'contact'],
      words: ['customer', 'client', 'kunde', 'kunden', 'company', 'klant', 'cliente'],
    },
    amount: {
      exact: ['amount', 'total', 'amount due', 'total due', 'balance due', 'grand total', 'gross', 'gross amount', 'total amount', 'invoice total', 'invoice amount', 'amount incl vat', 'total incl vat', 'total incl tax', 'amount incl tax', 'sum', 'betrag', 'gesamtbetrag', 'rechnungsbetrag', 'bruttobetrag', 'brutto', 'summe', 'endbetrag', 'montant', 'montant ttc', 'total ttc', 'bedrag', 'totaal', 'importe', 'importo', 'value', 'open amount', 'outstanding'],
      words: ['amount', 'total', 'betrag', 'summe', 'montant', 'bedrag', 'totaal', 'importe', 'importo', 'gross', 'brutto'],
    },
    currency: { exact: ['currency', 'ccy', 'cur', 'curr', 'currency code', 'wahrung', 'devise', 'moneda', 'valuta'], words: ['currency', 'wahrung', 'devise'] },
    issueDate: {
      exact: ['date', 'invoice date', 'issue date', 'issued', 'issued on', 'date issued', 'created', 'created at', 'created on', 'rechnungsdatum', 'datum', 'belegdatum', 'date de facture', 'date facture', 'factuurdatum', 'fecha', 'fecha factura', 'data', 'sent', 'sent on'],
      words: ['date', 'datum', 'issued'],
    },
    dueDate: {
      exact: ['due', 'due date', 'due on', 'payment due', 'date due', 'due by', 'faellig', 'fallig', 'falligkeit', 'fallig am', 'falligkeitsdatum', 'zahlungsziel', 'zahlbar bis', 'echeance', 'date d echeance', 'vervaldatum', 'vervaldag', 'vencimiento', 'fecha de vencimiento', 'scadenza', 'payable by'],
      words: ['due', 'fallig', 'falligkeit', 'echeance', 'vervaldatum', 'vencimiento', 'scadenza'],
    },
  },
  payments: {
    paymentDate: {
      exact: ['date', 'booking date', 'value date', 'transaction date', 'payment date', 'paid on', 'paid at', 'date paid', 'received', 'received on', 'buchungstag', 'buchungsdatum', 'valutadatum', 'wertstellung', 'datum', 'posted', 'posted on', 'posting date', 'created', 'created at', 'date de valeur', 'date d operation', 'boekdatum', 'transactiedatum', 'fecha', 'fecha valor', 'completed', 'completed date', 'settled', 'settlement date'],
      words: ['date', 'datum', 'buchungstag'],
    },
    amount: {
      exact: ['amount', 'amount paid', 'paid', 'paid amount', 'payment', 'payment amount', 'credit', 'credit amount', 'received amount', 'incoming', 'in', 'gross', 'total', 'betrag', 'umsatz', 'haben', 'gutschrift', 'eingang', 'montant', 'credit eur', 'bedrag', 'importe', 'importo', 'value', 'sum'],
      words: ['amount', 'betrag', 'credit', 'montant', 'bedrag', 'importe', 'paid', 'umsatz'],
    },
    currency: { exact: ['currency', 'ccy', 'cur', 'curr', 'currency code', 'wahrung', 'devise', 'moneda', 'valuta'], words: ['currency', 'wahrung', 'devise'] },
    reference: {
      exact: ['reference', 'ref', 'memo', 'description', 'details', 'purpose', 'payment reference', 'payment details', 'remittance', 'remittance information', 'remittance info', 'narrative', 'verwendungszweck', 'buchungstext', 'text', 'communication', 'mededeling', 'omschrijving', 'libelle', 'concepto', 'causale', 'note', 'notes', 'message', 'subject'],
      words: ['reference', 'memo', 'description', 'verwendungszweck', 'purpose', 'remittance', 'narrative', 'mededeling', 'omschrijving', 'libelle'],
    },
    payer: {
      exact: ['payer', 'payer name', 'from', 'name', 'counterparty', 'counterparty name', 'counter party', 'sender', 'remitter', 'debtor', 'debtor name', 'customer', 'customer name', 'client', 'auftraggeber', 'zahler', 'begunstigter zahlungspflichtiger', 'name zahlungsbeteiligter', 'zahlungspflichtiger', 'tegenrekening naam', 'naam tegenpartij', 'naam', 'account name', 'other party', 'payee payer', 'donneur d ordre', 'ordenante'],
      words: ['payer', 'counterparty', 'auftraggeber', 'sender', 'zahlungspflichtiger', 'zahlungsbeteiligter', 'remitter', 'debtor', 'tegenpartij'],
    },
    transactionId: {
      exact: ['transaction id', 'transaction', 'id', 'txn id', 'txn', 'payment id', 'transaction reference', 'transaction no', 'bank reference', 'end to end id', 'end to end reference', 'transaktions id', 'transaktionsnummer', 'charge id', 'receipt', 'receipt no'],
      words: ['transaction id', 'txn', 'transaktion'],
    },
    invoiceNumber: {
      exact: ['invoice', 'invoice no', 'invoice number', 'invoice id', 'invoice ref', 'rechnung', 'rechnungsnummer', 'rechnungsnr', 'facture', 'factuur', 'factuurnummer'],
      words: ['invoice', 'rechnung', 'facture', 'factuur'],
    },
  },
};

/** Words that make a header something other than the amount to match (net, tax, a running balance). */
const NOT_AMOUNT = /\b(net|netto|tax|vat|mwst|ust|subtotal|discount|fee|fees|balance|saldo|soll|debit|debet|withdrawal|out|ht|excl|exkl)\b/;

export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/#|n[°º]|\bno\.(?=\s|$)/g, ' no ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

function headerScore(header: string, field: Field, role: Role): number {
  const names = NAMES[role][field];
  if (!names) return 0;
  const h = normaliseHeader(header);
  if (!h) return 0;
  if (names.exact.includes(h)) return 3;
  if (field === 'amount' && NOT_AMOUNT.test(h)) return 0;
  if ((field === 'issueDate' || field === 'paymentDate') && /\bdue\b|fallig/.test(h)) return 0;
  if (field === 'invoiceNumber' && /\b(date|datum|amount|total|betrag|due)\b/.test(h)) return 0;
  if (field === 'customer' && /\b(id|no|number|nr)\b/.test(h)) return 0;
  return names.words.some((w) => new RegExp(`(^|\\s)${w}(\\s|$)`).test(h) || (w.length >= 8 && h.includes(w))) ? 2 : 0;
}

/** Share of a column's sample values that `test` accepts (empty cells ignored). */
function share(sample: string[][], column: number, test: (v: string) => boolean): number {
  const values = sample.map((r) => (r[column] ?? '').trim()).filter(Boolean);
  return values.length ? values.filter(test).length / values.length : 0;
}

const MONETARY = (v: string) => /[€$£]|(?<![A-Za-z])(EUR|USD|GBP|CHF)(?![A-Za-z])/.test(v) ? parseAmount(v, 'dot') !== null : /^[-+(]?\d{1,3}([.,' \u00A0]?\d{3})*[.,]\d{2}\)?-?$/.test(v.trim());

/**
 * The builtin rule of `reconcile.columns`: header names in English, German, French, Dutch,
 * Spanish and Italian (exact names before names containing a word, each column used once),
 * then the values for what the headers leave open (a column of money amounts, of dates, of
 * invoice-number-like codes). Confidence drops when the amount comes from the values alone
 * and is low when there is no amount at all (a model, if one is set, is then asked).
 */
export function mapColumns({ role, headers, sample }: ColumnsInput): ColumnMapping {
  const fields = ROLE_FIELDS[role];
  const pairs: { field: Field; column: number; score: number }[] = [];
  headers.forEach((h, column) => fields.forEach((field) => pairs.push({ field, column, score: headerScore(h, field, role) })));
  pairs.sort((a, b) => b.score - a.score || fields.indexOf(a.field) - fields.indexOf(b.field) || a.column - b.column);
  const out: Record<Field, number | null> = Object.fromEntries(FIELDS.map((f) => [f, null])) as Record<Field, number | null>;
  const used = new Set<number>();
  const how: string[] = [];
  for (const p of pairs) {
    if (p.score === 0 || out[p.field] !== null || used.has(p.column)) continue;
    out[p.field] = p.column;
    used.add(p.column);
    how.push(`${p.field} ← "${headers[p.column]}"`);
  }
  let confidence = 0.9;
  const free = headers.map((_, i) => i).filter((i) => !used.has(i));
  const byValues = (field: Field, test: (v: string) => boolean) => {
    if (out[field] !== null) return false;
    const column = free.find((i) => !used.has(i) && share(sample, i, test) >= 0.8);
    if (column === undefined) return false;
    out[field] = column;
    used.add(column);
    how.push(`${field} ← "${headers[column]}" (by its values)`);
    return true;
  };
  if (byValues('amount', MONETARY)) confidence = 0.6;
  const dateField = role === 'invoices' ? 'issueDate' : 'paymentDate';
  byValues(dateField, (v) => parseDate(v, 'dmy') !== null);
  if (role === 'invoices') byValues('invoiceNumber', (v) => /^[A-Z]{1,6}[-/ ]?\d{2,}[-/\d]*$/i.test(v.trim()));
  if (out.amount === null) confidence = 0.2;
  return { ...out, confidence, reason: how.length ? how.join('; ') : 'no column name or value was recognised' };
}

export const columnsTask: ModelTask<ColumnsInput, ColumnMapping> = {
  name: 'reconcile.columns',
  output: ColumnMapping,
  prompt: ({ role, file, headers, sample }) =>
    `Map the columns of this ${role} export to fields, by column index (0-based), or null when no column holds the field. ` +
    (role === 'invoices'
      ? 'Fields: invoiceNumber (the invoice number or reference), customer (who was billed), amount (the total to be paid, gross, not net or tax), currency, issueDate, dueDate; set paymentDate, reference, payer and transactionId to null. '
      : 'Fields: paymentDate (booking or value date), amount (money received; not a running balance), currency, reference (memo, description, remittance text), payer (who paid), transactionId, invoiceNumber (only a dedicated invoice column); set customer, issueDate and dueDate to null. ') +
    'Give your confidence (0-1) and the reason.\n' +
    fence(`file=${JSON.stringify(file.slice(0, 200))}`, `Columns: ${JSON.stringify(headers.map((name, index) => ({ index, name })))}\nFirst rows:\n${sample.map((r) => JSON.stringify(r)).join('\n')}`),
  builtin: (input) => mapColumns(input),
  confidence: (o) => o.confidence,
  maxTokens: 400,
};

// ---- rows to records ----

function columnOf(mapping: ColumnMapping, field: Field, table: Table): number | null {
  const c = mapping[field];
  return c !== null && Number.isInteger(c) && c >= 0 && c < table.headers.length ? c : null;
}

/** A totals line under the table: its first cell a word like Total, at most three cells filled. */
const SUMMARY_ROW = /^(total|totals|sum|summe|gesamt|gesamtsumme|totaal|subtotal|grand total|somme|saldo|balance)(\s.*)?:?$/i;

export interface Read<T> {
  records: T[];
  unread: UnreadRow[];
  /** Rows left out on purpose (totals lines, outgoing payments), counted for the summary. */
  skipped: { row: number; why: string }[];
}

function sourceOf(table: Table, i: number): RowSource {
  return { file: table.name, row: table.rowNumbers[i] ?? null, cells: Object.fromEntries(table.headers.map((h, c) => [h, table.rows[i]![c] ?? ''])) };
}

interface Columns {
  amount: number;
  at: (f: Field) => number | null;
  cell: (row: string[], f: Field) => string;
  style: DecimalStyle;
  order: DateOrder;
  currency: string | null;
}

function columns(table: Table, mapping: ColumnMapping, role: Role, defaultCurrency: string | null): Columns {
  const at = (f: Field) => (ROLE_FIELDS[role].includes(f) ? columnOf(mapping, f, table) : null);
  const amount = at('amount');
  const label = `The ${role} file "${table.name}"`;
  if (amount === null) {
    throw fail(
      `${label} has no amount column: none of its columns (${table.headers.map((h) => `"${h}"`).join(', ')}) reads as an amount. ` +
        `Name the column with the ${role === 'invoices' ? 'invoiced total' : 'amount received'} "Amount" (or Total, Betrag, Montant) and run the reconciliation again.`,
      { file: table.name, headers: table.headers, mapping },
    );
  }
  const amounts = table.rows.map((r) => r[amount] ?? '').filter(Boolean);
  if (!amounts.some((v) => parseAmount(v, 'dot') !== null)) {
    throw fail(`${label}: its amount column "${table.headers[amount]}" holds no amounts (e.g. "${amounts[0] ?? ''}").`, { file: table.name, column: table.headers[amount] });
  }
  const style = decimalStyle(amounts, table.delimiter === ';' ? 'comma' : 'dot');
  const currencies = amounts.map(currencyIn).filter((c): c is string => c !== null);
  const cur = at('currency');
  const currencyColumn = cur === null ? [] : table.rows.map((r) => currencyIn(r[cur] ?? '')).filter((c): c is string => c !== null);
  const seen = [...currencyColumn, ...currencies];
  const currency = seen.length ? mostCommon(seen) : defaultCurrency;
  const dateColumns = (['issueDate', 'dueDate', 'paymentDate'] as Field[]).map(at).filter((c): c is number => c !== null);
  const order = dateOrder(dateColumns.flatMap((c) => table.rows.map((r) => r[c] ?? '')), currency === 'USD' ? 'mdy' : 'dmy');
  return { amount, at, cell: (row, f) => { const c = at(f); return c === null ? '' : (row[c] ?? '').trim(); }, style, order, currency };
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

function isSummaryRow(row: string[]): boolean {
  const first = row.find((c) => c.trim() !== '');
  return first !== undefined && filled(row) <= 3 && SUMMARY_ROW.test(first.trim());
}

/** Reads an invoices table with its mapping: one record per invoice row; unreadable rows are kept as evidence. */
export function readInvoices(table: Table, mapping: ColumnMapping, defaultCurrency: string | null = null): Read<InvoiceRecord> {
  const col = columns(table, mapping, 'invoices', defaultCurrency);
  const out: Read<InvoiceRecord> = { records: [], unread: [], skipped: [] };
  table.rows.forEach((row, i) => {
    const source = sourceOf(table, i);
    const number = col.cell(row, 'invoiceNumber') || null;
    const rawAmount = row[col.amount] ?? '';
    if (isSummaryRow(row)) return void out.skipped.push({ row: source.row ?? i + 2, why: 'a totals row' });
    const amount = parseAmount(rawAmount, col.style);
    if (!amount) return void out.unread.push({ role: 'invoices', source, problem: rawAmount ? `the amount "${rawAmount}" is not a number` : 'the amount is empty' });
    if (amount.cents <= 0) return void out.skipped.push({ row: source.row ?? i + 2, why: 'a credit note or a zero amount' });
    const rawIssued = col.cell(row, 'issueDate');
    const rawDue = col.cell(row, 'dueDate');
    const issued = rawIssued ? parseDate(rawIssued, col.order) : null;
    const due = rawDue ? parseDate(rawDue, col.order) : null;
    if ((rawIssued && !issued) || (rawDue && !due)) return void out.unread.push({ role: 'invoices', source, problem: `the date "${rawIssued && !issued ? rawIssued : rawDue}" is not a date` });
    const currency = currencyIn(col.cell(row, 'currency')) ?? amount.currency ?? col.currency;
    out.records.push({ number, customer: col.cell(row, 'customer') || null, amountCents: amount.cents, currency, issued, due, source });
  });
  return out;
}

/** Reads a payments table: incoming amounts only (outgoing and empty credit rows are skipped and counted). */
export function readPayments(table: Table, mapping: ColumnMapping, defaultCurrency: string | null = null): Read<PaymentRecord> {
  const col = columns(table, mapping, 'payments', defaultCurrency);
  const out: Read<PaymentRecord> = { records: [], unread: [], skipped: [] };
  table.rows.forEach((row, i) => {
    const source = sourceOf(table, i);
    const rawAmount = row[col.amount] ?? '';
    const rawDate = col.cell(row, 'paymentDate');
    if (isSummaryRow(row)) return void out.skipped.push({ row: source.row ?? i + 2, why: 'a totals row' });
    if (!rawAmount) return void out.skipped.push({ row: source.row ?? i + 2, why: 'no incoming amount' });
    const amount = parseAmount(rawAmount, col.style);
    if (!amount) return void out.unread.push({ role: 'payments', source, problem: `the amount "${rawAmount}" is not a number` });
    if (amount.cents <= 0) return void out.skipped.push({ row: source.row ?? i + 2, why: 'an outgoing payment or a zero amount' });
    const date = rawDate ? parseDate(rawDate, col.order) : null;
    if (rawDate && !date) return void out.unread.push({ role: 'payments', source, problem: `the date "${rawDate}" is not a date` });
    const currency = currencyIn(col.cell(row, 'currency')) ?? amount.currency ?? col.currency;
    out.records.push({
      date,
      amountCents: amount.cents,
      currency,
      reference: col.cell(row, 'reference'),
      invoiceRef: col.cell(row, 'invoiceNumber') || null,
      payer: col.cell(row, 'payer') || null,
      transactionId: col.cell(row, 'transactionId') || null,
      source,
    });
  });
  return out;
}

// ---- an invoice document ----

const AMOUNT_IN_TEXT = /(?:(US\$|EUR|USD|GBP|CHF|[€$£])\s?)?([-−]?\d{1,3}(?:[,.'\u00A0\u202F ]\d{3})*(?:[.,]\d{1,2})?|[-−]?\d+(?:[.,]\d{1,2})?)(?:\s?(EUR|USD|GBP|CHF|[€$£]))?(?![\d%])/g;
const DATE_SPANS = /\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}\.?\s+[\p{L}]{3,10}\.?\s+\d{4}\b|\b[\p{L}]{3,10}\.?\s+\d{1,2},?\s+\d{4}\b/gu;

/** The money amounts written on a line (dates, percentages and bare small numbers left out). */
function amountsOn(line: string): { cents: number; currency: string | null; strong: boolean }[] {
  const clean = line.replace(DATE_SPANS, (m) => ' '.repeat(m.length));
  const out: { cents: number; currency: string | null; strong: boolean }[] = [];
  for (const m of clean.matchAll(AMOUNT_IN_TEXT)) {
    const symbol = m[1] ?? m[3] ?? null;
    const number = m[2]!.trim();
    const hasDecimals = /[.,]\d{1,2}$/.test(number);
    const style: DecimalStyle = /,\d{1,2}$/.test(number) ? 'comma' : 'dot';
    const parsed = parseAmount(number.replace('−', '-'), style);
    if (!parsed) continue;
    out.push({ cents: parsed.cents, currency: symbol ? currencyIn(symbol) : null, strong: hasDecimals || symbol !== null });
  }
  return out;
}

const TOTAL_LABELS = [
  /\b(amount|balance|total)\s+(due|payable|to pay)\b|\bzu zahlen\b|\bzahlbetrag\b|\bte betalen\b|\bnet a payer\b|\bnet à payer\b|\bmontant dû\b/i,
  /\bgrand\s+total\b|\btotal\s+(amount|incl\.?|inkl\.?|gross|ttc|eur|usd|gbp)\b|\bgesamtbetrag\b|\brechnungsbetrag\b|\bendbetrag\b|\bbruttobetrag\b|\bmontant\s+total\b|\btotaal\b|\binvoice\s+(total|amount)\b/i,
  /^(?!.*\b(sub\s?total|net|netto|excl|exkl|vat|tax|mwst|ust|ht)\b).*\b(total|summe|gesamt|amount)\b/i,
];
const NUMBER_LABEL = /\b(?:invoice|rechnung|facture|factuur|factura|bill)\s*(?:no\.?|number|nr\.?|nummer|num(?:ber|[ée]ro)?|#|n[°º])?\s*[:#.]?\s*([A-Z0-9][A-Z0-9\-/._]*\d[A-Z0-9\-/._]*)/i;
const NUMBER_CODE = /\b((?:INV|RE|RG|FA|FAC|INVOICE|RN|BILL)[-/ ]?\d{2,}(?:[-/]\d+)*)\b/i;
const CUSTOMER_LABEL = /^(?:bill(?:ed)?\s+to|invoice\s+to|sold\s+to|customer|client|kunde|rechnungsempf[äa]nger|factur[ée]\s+[àa]|klant|to)\b(?!\s*(?:no\b|number|nr\b|id\b|#|vat|tax|ust))\s*[:\-–]?\s*(.*)$/i;
const DUE_LABEL = /\b(?:due\s+date|payment\s+due|due\s+on|due\s+by|due|pay(?:able)?\s+by|f[äa]llig(?:\s+am)?|f[äa]lligkeit|zahlbar\s+bis|[ée]ch[ée]ance|vervaldatum)\b\s*[:\-–]?\s*(.*)$/i;
const ISSUE_LABEL = /\b(?:invoice\s+date|date\s+of\s+issue|issue\s+date|issued(?:\s+on)?|rechnungsdatum|datum|date\s+de\s+facture|factuurdatum|date)\b\s*[:\-–]?\s*(.*)$/i;
const TERMS = /\bnet\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:days|tage|tagen|jours|dagen)\b/i;

export interface ExtractedInvoice {
  record: InvoiceRecord;
  /** What was not found (the record has nulls there). */
  missing: string[];
}

/**
 * An invoice document's fields by rules: its number (after "Invoice no." and the like, or an
 * INV-style code), the customer (after "Bill to"), the amount due (the amount on the line
 * labelled amount due, else total, the last such line winning), the currency, the issue and
 * due dates (or the due date from payment terms such as "net 30"). No amount: a permanent
 * error naming the labels looked for.
 */
export function extractInvoice(text: string, name: string): ExtractedInvoice {
  const body = checkText(text, `The invoice document "${name}"`);
  const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
  const allText = lines.join('\n');
  const order: DateOrder = /\$|USD/.test(allText) && !/€|EUR/.test(allText) ? 'mdy' : 'dmy';
  const numberMatch = lines.map((l) => NUMBER_LABEL.exec(l)).find((m) => m && !parseDate(m[1]!, order));
  const number = numberMatch?.[1] ?? NUMBER_CODE.exec(allText)?.[1] ?? null;

  let amount: { cents: number; currency: string | null; line: string } | null = null;
  for (const label of TOTAL_LABELS) {
    for (let i = 0; i < lines.length; i++) {
      if (!label.test(lines[i]!)) continue;
      const here = amountsOn(lines[i]!.replace(label, ' ')).filter((a) => a.strong);
      const found = here.length ? here : amountsOn(lines[i + 1] ?? '').filter((a) => a.strong);
      const last = found[found.length - 1];
      if (last) amount = { ...last, line: lines[i]! };
    }
    if (amount) break;
  }
  if (!amount) {
    throw fail(`The invoice document "${name}" has no amount to reconcile: no line labelled "Amount due", "Total" or the like carries a money amount.`, { document: name });
  }
  const currency = amount.currency ?? currencyIn(allText);

  let customer: string | null = null;
  for (let i = 0; i < lines.length && !customer; i++) {
    const m = CUSTOMER_LABEL.exec(lines[i]!);
    if (!m) continue;
    const rest = m[1]!.trim();
    customer = (rest || lines[i + 1] || '').replace(/[,;].*$/, '').trim() || null;
  }

  let due: string | null = null;
  for (const line of lines) {
    const m = DUE_LABEL.exec(line);
    if (m && (due = findDate(m[1]!, order))) break;
  }
  let issued: string | null = null;
  for (const line of lines) {
    if (DUE_LABEL.test(line)) continue;
    const m = ISSUE_LABEL.exec(line);
    if (m && (issued = findDate(m[1]!, order))) break;
  }
  const terms = TERMS.exec(allText);
  if (!due && issued && terms) due = addDays(issued, Number(terms[1] ?? terms[2]));

  const missing = [!number && 'invoice number', !customer && 'customer', !issued && 'issue date', !due && 'due date'].filter((x): x is string => Boolean(x));
  const quote = [numberMatch?.[0], amount.line].filter(Boolean).join(' … ').slice(0, 300);
  return {
    record: { number, customer, amountCents: amount.cents, currency, issued, due, source: { file: name, row: null, cells: { text: quote } } },
    missing,
  };
}

import Papa from 'papaparse';
import { DocumentBuilder, tableRowText } from '../builder';
import type { ParsedDocument } from '../types';

export interface CsvShape {
  delimiter: string;
  columns: number;
  /** Rows seen in the sample (at most SAMPLE_ROWS). */
  rows: number;
}

const SAMPLE_ROWS = 50;
const SAMPLE_CHARS = 64 * 1024;
/** Papa's delimiter guess is limited to what people really use. */
const DELIMITERS = [',', ';', '\t'];
/** Warnings about malformed rows: a few say enough. */
const MAX_WARNINGS = 5;

/**
 * Does the text look like a table? The same delimiter (comma, semicolon or tab) must split
 * every sampled row into the same number (≥ 2) of fields, as Papa's guesser counts them.
 */
export function csvShape(text: string): CsvShape | null {
  // Whole rows only: a row cut in half would look like a different field count.
  const lastBreak = text.length > SAMPLE_CHARS ? text.lastIndexOf('\n', SAMPLE_CHARS) : -1;
  const sample = text.length <= SAMPLE_CHARS ? text : text.slice(0, lastBreak > 0 ? lastBreak : SAMPLE_CHARS);
  const parsed = Papa.parse<string[]>(sample, { preview: SAMPLE_ROWS, skipEmptyLines: 'greedy', delimitersToGuess: DELIMITERS });
  const rows = parsed.data;
  const columns = rows[0]?.length ?? 0;
  if (parsed.errors.length > 0 || rows.length < 2 || columns < 2) return null;
  if (!rows.every((row) => row.length === columns)) return null;
  return { delimiter: parsed.meta.delimiter, columns, rows: rows.length };
}

/**
 * A CSV file: caption rows (a single filled cell above the table) become paragraphs, the
 * next row is the header, and every data row a `table_row` block "Header: value; ...".
 */
export function parseCsv(text: string, encoding: string, delimiter: string): ParsedDocument {
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  const builder = new DocumentBuilder();
  let i = 0;
  for (; i < rows.length - 1 && isCaption(rows[i]!); i++) builder.add('paragraph', rows[i]!.join(' '));
  const headers = (rows[i] ?? []).map((name, column) => name.trim() || `Column ${column + 1}`);
  for (const row of rows.slice(i + 1)) builder.add('table_row', tableRowText(headers, row));
  if (i + 1 >= rows.length) builder.add('table_row', headers.join('; '));
  const warnings = parsed.errors.slice(0, MAX_WARNINGS).map((e) => `row ${(e.row ?? 0) + 1}: ${e.message}`);
  const meta = { encoding, delimiter, columns: String(headers.length) };
  return { type: 'csv', title: null, ...builder.build(), meta, warnings };
}

function isCaption(row: string[]): boolean {
  return row.length >= 2 && row.filter((cell) => cell.trim() !== '').length <= 1;
}

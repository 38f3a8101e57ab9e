import { DocumentBuilder, tableRowText } from '../builder';
import type { ParsedDocument } from '../types';

/**
 * Markdown, line by line: ATX and Setext headings, paragraphs, list items, fenced code
 * (kept whole), block quotes and pipe tables (one `table_row` block per row, with its
 * headers). Inline markup is stripped just enough to keep the words: links keep their
 * text, emphasis loses its markers.
 */
export function parseMarkdown(text: string, encoding: string): ParsedDocument {
  const lines = text.split('\n');
  const builder = new DocumentBuilder();
  let i = 0;
  while (i < lines.length) i = readBlock(lines, i, builder);
  return { type: 'markdown', title: builder.firstHeading(1), ...builder.build(), meta: { encoding }, warnings: [] };
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const THEMATIC = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const QUOTE = /^ {0,3}>[ ]?(.*)$/;
const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-{1,}:?[ \t]*(?:\|[ \t]*:?-{1,}:?[ \t]*)+\|?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;

type Reader = (lines: string[], i: number, builder: DocumentBuilder) => number | null;

/** Tries each block form in precedence order; a paragraph is what is left. */
function readBlock(lines: string[], i: number, builder: DocumentBuilder): number {
  const line = lines[i]!;
  if (line.trim() === '' || THEMATIC.test(line) || LINK_DEFINITION.test(line)) return i + 1;
  const readers: Reader[] = [readFence, readTable, readAtx, readQuote, readListItem];
  for (const read of readers) {
    const next = read(lines, i, builder);
    if (next !== null) return next;
  }
  return readParagraph(lines, i, builder);
}

function readFence(lines: string[], i: number, builder: DocumentBuilder): number | null {
  const open = FENCE.exec(lines[i]!)?.[1];
  if (!open) return null;
  const closing = new RegExp(`^ {0,3}${open[0] === '`' ? '`' : '~'}{${open.length},}[ \\t]*$`);
  let j = i + 1;
  while (j < lines.length && !closing.test(lines[j]!)) j++;
  builder.add('code', lines.slice(i + 1, j).join('\n'));
  return j + 1; // an unclosed fence runs to the end of the document, as in CommonMark
}

function readTable(lines: string[], i: number, builder: DocumentBuilder): number | null {
  const next = lines[i + 1];
  if (!lines[i]!.includes('|') || next === undefined || !TABLE_SEPARATOR.test(next)) return null;
  const headers = cells(lines[i]!);
  let j = i + 2;
  for (; j < lines.length && lines[j]!.includes('|') && lines[j]!.trim() !== ''; j++) {
    builder.add('table_row', tableRowText(headers, cells(lines[j]!)));
  }
  if (j === i + 2) builder.add('table_row', headers.join('; ')); // a table of headers only
  return j;
}

function readAtx(lines: string[], i: number, builder: DocumentBuilder): number | null {
  const match = ATX.exec(lines[i]!);
  if (!match) return null;
  builder.add('heading', inline(match[2] ?? ''), { level: match[1]!.length });
  return i + 1;
}

function readQuote(lines: string[], i: number, builder: DocumentBuilder): number | null {
  const body: string[] = [];
  let j = i;
  for (; j < lines.length; j++) {
    const match = QUOTE.exec(lines[j]!);
    if (!match) break;
    body.push(match[1]!);
  }
  if (j === i) return null;
  for (const paragraph of body.join('\n').split(/\n[ \t]*\n/)) builder.add('quote', inline(paragraph));
  return j;
}

function readListItem(lines: string[], i: number, builder: DocumentBuilder): number | null {
  const match = LIST_ITEM.exec(lines[i]!);
  if (!match || THEMATIC.test(lines[i]!)) return null;
  const body = [match[1]!];
  let j = i + 1;
  while (j < lines.length && continues(lines[j]!)) body.push(lines[j++]!);
  builder.add('list_item', inline(body.join('\n')));
  return j;
}

function readParagraph(lines: string[], i: number, builder: DocumentBuilder): number {
  const body = [lines[i]!];
  let j = i + 1;
  for (; j < lines.length; j++) {
    const setext = SETEXT.exec(lines[j]!);
    if (setext) {
      builder.add('heading', inline(body.join('\n')), { level: setext[1]!.startsWith('=') ? 1 : 2 });
      return j + 1;
    }
    if (!continues(lines[j]!) || startsTable(lines, j)) break;
    body.push(lines[j]!);
  }
  builder.add('paragraph', inline(body.join('\n')));
  return j;
}

/** A line carries on the current paragraph or list item unless it starts a block of its own. */
function continues(line: string): boolean {
  if (line.trim() === '') return false;
  return ![FENCE, ATX, THEMATIC, LIST_ITEM, QUOTE].some((form) => form.test(line));
}

function startsTable(lines: string[], i: number): boolean {
  const next = lines[i + 1];
  return lines[i]!.includes('|') && next !== undefined && TABLE_SEPARATOR.test(next);
}

/** The cells of a pipe-table row; `\|` is a literal pipe. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => inline(cell.replace(/\\\|/g, '|').trim()));
}

/**
 * Strips inline markup but keeps every word: link and image text stay, markers go. Spans
 * are bounded (a few hundred characters) so that unmatched markers in a huge paragraph
 * cost linear time, not quadratic.
 */
function inline(text: string): string {
  return text
    .replace(/!\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)/g, '$1')
    .replace(/\[([^\]\n]{1,500})\]\([^)\s]{0,2000}(?:\s+"[^"\n]{0,500}")?\)/g, '$1')
    .replace(/\[([^\]\n]{1,500})\]\[[^\]\n]{0,500}\]/g, '$1')
    .replace(/<((?:https?|mailto):[^>\s]{1,2000})>/g, '$1')
    .replace(/(`+)([^`\n]{1,500}?)\1(?!`)/g, '$2')
    .replace(/(\*\*|__|~~)(?=\S)([^\n]{0,500}?\S)\1/g, '$2')
    .replace(/\*(?=\S)([^*\n]{0,500}?\S)\*/g, '$1')
    .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]{0,500}?\S)_(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1');
}

import { getDocumentProxy } from 'unpdf';
import type { IngestLimits } from '../../../../../shared/domain/documents';
import { DocumentBuilder } from '../builder';
import { IngestFailure, type ParsedDocument } from '../types';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** The parts of a pdf.js text item this reader uses. */
interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

interface Line {
  text: string;
  y: number;
  /** Font size of the line's longest run (superscripts and bullets do not count). */
  size: number;
  /** Set sideways (an arXiv stamp in the margin): never a heading. */
  rotated: boolean;
}

interface Paragraph {
  text: string;
  size: number;
  page: number;
  list: boolean;
  rotated: boolean;
}

/** Lines further apart than this many font sizes start a new paragraph (body spacing is ~1.2). */
const PARAGRAPH_GAP = 1.6;
/** A paragraph this much larger than the body text, and short, is a heading. */
const HEADING_RATIO = 1.15;
const MAX_HEADING_CHARS = 200;
const BULLET = /^[•●▪◦‣∙○■□➢►✓-]\s*/;

/**
 * A PDF through pdf.js (unpdf's serverless build): text items are grouped into lines (by
 * their end-of-line marks and y positions) and lines into paragraphs (by vertical gaps and
 * font size); larger, short paragraphs are headings. Every block keeps its page number.
 */
export async function parsePdf(bytes: Uint8Array, limits: IngestLimits): Promise<ParsedDocument> {
  const pdf = await open(bytes);
  try {
    if (pdf.numPages > limits.maxPages) {
      const pages = (n: number) => n.toLocaleString('en');
      throw new IngestFailure('too_many_pages', `the PDF has ${pages(pdf.numPages)} pages, over the ${pages(limits.maxPages)}-page limit`);
    }
    const paragraphs: Paragraph[] = [];
    for (let page = 1; page <= pdf.numPages; page++) paragraphs.push(...toParagraphs(await pageLines(pdf, page), page));
    const builder = new DocumentBuilder();
    addParagraphs(builder, paragraphs);
    if (builder.isEmpty) throw new IngestFailure('no_text_layer', 'no text layer (scanned PDF): run OCR first');
    const info = await metadata(pdf);
    const title = info.title || builder.firstHeading(1);
    return { type: 'pdf', title, ...builder.build(), pages: pdf.numPages, meta: info, warnings: [] };
  } finally {
    await pdf.destroy();
  }
}

async function open(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    // A copy: pdf.js takes (detaches) the buffer it is given, and the caller's bytes are theirs.
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (err) {
    if (err instanceof Error && err.name === 'PasswordException') {
      throw new IngestFailure('password_protected', 'password-protected PDF: Keel cannot read it without the password');
    }
    throw new IngestFailure('corrupt', `damaged or truncated PDF: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function pageLines(pdf: PdfDocument, number: number): Promise<Line[]> {
  const page = await pdf.getPage(number);
  const content = await page.getTextContent();
  page.cleanup();
  return toLines(content.items.filter((item) => 'str' in item) as TextItem[]);
}

/**
 * pdf.js marks line ends (`hasEOL`, often on an empty item); a jump in y also ends a line,
 * and a gap between items on a line becomes a space.
 */
function toLines(items: TextItem[]): Line[] {
  const lines: Line[] = [];
  let parts: string[] = [];
  let y = 0;
  let endX = 0;
  let size = 0;
  let longest = 0;
  let rotated = false;
  const finish = () => {
    const text = parts.join('').replace(/\s+/g, ' ').trim();
    if (text) lines.push({ text, y, size, rotated });
    parts = [];
    longest = 0;
  };
  for (const item of items) {
    const str = item.str.replace(/[\u0000-\u0008\u000b\u000e-\u001f]/g, '');
    const [a = 0, b = 0, c = 0, d = 0, x = 0, itemY = 0] = item.transform;
    const itemSize = Math.hypot(c, d) || item.height;
    if (str !== '') {
      if (parts.length > 0 && (Math.abs(itemY - y) > Math.max(size, itemSize) / 2 || x < endX - 2 * itemSize)) finish();
      if (parts.length === 0) [y, rotated] = [itemY, Math.abs(b) > Math.abs(a)];
      else if (x - endX > itemSize * 0.15 && !/\s$/.test(parts.at(-1)!) && !/^\s/.test(str)) parts.push(' ');
      parts.push(str);
      endX = x + item.width;
      if (str.trim().length > longest) [longest, size] = [str.trim().length, itemSize];
    }
    if (item.hasEOL) finish();
  }
  finish();
  return lines;
}

/** Consecutive lines of one size and normal spacing form a paragraph; a bullet starts a new one. */
function toParagraphs(lines: Line[], page: number): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: (Paragraph & { y: number }) | null = null;
  for (const line of lines) {
    const bullet = BULLET.test(line.text);
    if (current && !bullet && continuesParagraph(current, line)) {
      current.text = joinLines(current.text, line.text);
      current.y = line.y;
      continue;
    }
    const text = bullet ? line.text.replace(BULLET, '') : line.text;
    current = { text, size: line.size, page, list: bullet, rotated: line.rotated, y: line.y };
    paragraphs.push(current);
  }
  return paragraphs;
}

/**
 * The next line below at normal spacing and in the same size, or the rest of the same line
 * (pdf.js sometimes ends a line after a superscript). PDF y grows upwards: a line above is
 * the top of the next column.
 */
function continuesParagraph(current: Paragraph & { y: number }, line: Line): boolean {
  const gap = current.y - line.y;
  return gap > -current.size / 2 && gap <= current.size * PARAGRAPH_GAP && Math.abs(line.size - current.size) < 0.5;
}

/** Joins wrapped lines; "re-" + "cent" becomes "recent". */
function joinLines(a: string, b: string): string {
  if (/\p{Ll}-$/u.test(a) && /^\p{Ll}/u.test(b)) return a.slice(0, -1) + b;
  return `${a} ${b}`;
}

/** Headings: short paragraphs set larger than the body text; bigger type, higher level. */
function addParagraphs(builder: DocumentBuilder, paragraphs: Paragraph[]): void {
  const body = bodySize(paragraphs);
  const isHeading = (p: Paragraph) =>
    !p.rotated && p.size >= body * HEADING_RATIO && p.text.length <= MAX_HEADING_CHARS && /\p{L}/u.test(p.text);
  const sizes = [...new Set(paragraphs.filter(isHeading).map((p) => round(p.size)))].sort((a, b) => b - a);
  for (const p of paragraphs) {
    if (isHeading(p)) builder.add('heading', p.text, { level: Math.min(sizes.indexOf(round(p.size)) + 1, 6), page: p.page });
    else builder.add(p.list ? 'list_item' : 'paragraph', p.text, { page: p.page });
  }
}

/** The size most of the text is set in, weighted by characters. */
function bodySize(paragraphs: Paragraph[]): number {
  const chars = new Map<number, number>();
  for (const p of paragraphs) chars.set(round(p.size), (chars.get(round(p.size)) ?? 0) + p.text.length);
  return [...chars].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

function round(size: number): number {
  return Math.round(size * 2) / 2;
}

async function metadata(pdf: PdfDocument): Promise<Record<string, string>> {
  const { info } = (await pdf.getMetadata().catch(() => ({ info: {} }))) as { info: Record<string, unknown> };
  const fields = { title: info.Title, author: info.Author, subject: info.Subject, keywords: info.Keywords, creator: info.Creator, producer: info.Producer };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== '')
      .map(([key, value]) => [key, value.trim()]),
  );
}

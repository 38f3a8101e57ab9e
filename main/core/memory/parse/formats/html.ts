import { isTag, isText, type AnyNode, type Element } from 'domhandler';
import { DomUtils, parseDocument } from 'htmlparser2';
import { DocumentBuilder, tableRowText } from '../builder';
import { decodeWith, isUtf8, type DecodedText } from '../encoding';
import type { BlockKind, ParsedDocument } from '../types';

/** Elements whose content is never text for a reader. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'head', 'iframe', 'object', 'canvas', 'select', 'img']);
/** Elements that start and end a block of text. */
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'nav', 'aside', 'address', 'figure',
  'figcaption', 'form', 'fieldset', 'legend', 'details', 'summary', 'dl', 'dt', 'dd', 'ul', 'ol',
  'center', 'caption', 'body', 'html', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'table',
]);
const HEADING = /^h([1-6])$/;
/** A table whose cells hold more than this is page layout, not data: its cells are read as blocks. */
const MAX_DATA_CELL_CHARS = 1_000;
/** The class docx.ts gives Word's page breaks (mammoth's `hr`), so they count pages. */
export const PAGE_BREAK_CLASS = 'keel-page-break';

/**
 * An HTML file, decoded (honouring a declared charset), to a document: headings, paragraphs,
 * list items, quotes, code and table rows. The title is <title>, else the first <h1>.
 */
export function parseHtmlFile(bytes: Uint8Array, decoded: DecodedText): ParsedDocument {
  const { text, encoding } = declaredDecoding(bytes) ?? decoded;
  const dom = parseDocument(text);
  const builder = new DocumentBuilder();
  new HtmlWalker(builder).walk(dom.children);
  const titleElement = DomUtils.findOne((el) => el.name === 'title', dom.children);
  const title = (titleElement && cellText(titleElement)) || builder.firstHeading(1);
  return { type: 'html', title, ...builder.build(), meta: { encoding }, warnings: [] };
}

/**
 * Walks HTML into an existing builder (an e-mail's HTML body, mammoth's rendering of a DOCX);
 * returns the page count when `pageBreaks` asked for pages to be counted.
 */
export function addHtml(builder: DocumentBuilder, html: string, options: { pageBreaks?: boolean } = {}): number | undefined {
  const walker = new HtmlWalker(builder, options);
  walker.walk(parseDocument(html).children);
  return walker.pages;
}

/**
 * Not UTF-8 but the page declares its charset (<meta charset>, or http-equiv Content-Type):
 * believe the declaration over a statistical guess.
 */
function declaredDecoding(bytes: Uint8Array): DecodedText | null {
  if (isUtf8(bytes)) return null;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const label = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (!label) return null;
  // As browsers do: Latin-1 and ASCII labels mean windows-1252.
  const encoding = ['iso-8859-1', 'latin1', 'us-ascii', 'ascii'].includes(label) ? 'windows-1252' : label;
  return decodeWith(bytes, encoding);
}

interface OpenBlock {
  kind: BlockKind;
  level?: number;
  page?: number;
  parts: string[];
}

/**
 * Walks a DOM in document order, collecting inline text into the open block and closing it
 * at every block-level element, so nesting (a <p> in a <div> in a <td>) never loses text.
 */
class HtmlWalker {
  private open: OpenBlock = { kind: 'paragraph', parts: [] };
  private quoteDepth = 0;
  private preDepth = 0;
  /** Set when the HTML carries page breaks (DOCX): the page the walk is on. */
  private page: number | undefined;
  /** Word writes a hard break and then its rendered break at the same spot: count one page. */
  private textSinceBreak = false;

  constructor(
    private readonly builder: DocumentBuilder,
    options: { pageBreaks?: boolean } = {},
  ) {
    if (options.pageBreaks) this.page = 1;
  }

  get pages(): number | undefined {
    return this.page;
  }

  walk(nodes: AnyNode[]): void {
    for (const node of nodes) this.visit(node);
    this.close();
  }

  private visit(node: AnyNode): void {
    if (isText(node)) return this.text(node.data);
    if (!isTag(node) || SKIPPED.has(node.name)) return;
    const heading = HEADING.exec(node.name);
    if (heading) return this.block(node, 'heading', Number(heading[1]));
    switch (node.name) {
      case 'br':
        return this.lineBreak();
      case 'hr':
        if (node.attribs.class === PAGE_BREAK_CLASS) this.pageBreak();
        return this.close();
      case 'li':
        return this.block(node, 'list_item');
      case 'pre':
        return this.pre(node);
      case 'blockquote':
        return this.quote(node);
      case 'table':
        return this.table(node);
      default:
        if (BLOCKS.has(node.name)) return this.block(node, this.quoteDepth > 0 ? 'quote' : 'paragraph');
        this.children(node);
    }
  }

  /** Pages laid out with <br><br> instead of <p> (old sites, e-mails): a blank line ends a block. */
  private lineBreak(): void {
    const last = this.open.parts.findLast((part) => part.trim() !== '' || part === '\n');
    if (last === '\n') return this.close();
    this.text('\n', true);
  }

  private pageBreak(): void {
    if (this.page === undefined || !this.textSinceBreak) return;
    this.page++;
    this.textSinceBreak = false;
  }

  private children(node: Element): void {
    for (const child of node.children) this.visit(child);
  }

  private text(data: string, literal = false): void {
    const text = literal || this.preDepth > 0 ? data : data.replace(/\s+/g, ' ');
    if (text.trim() !== '') {
      this.textSinceBreak = true;
      this.open.page ??= this.page;
    }
    this.open.parts.push(text);
  }

  private block(node: Element, kind: BlockKind, level?: number): void {
    this.close();
    this.open = { kind, level, parts: [] };
    this.children(node);
    this.close();
  }

  private pre(node: Element): void {
    this.preDepth++;
    this.block(node, DomUtils.findOne((el) => el.name === 'code', node.children) ? 'code' : 'paragraph');
    this.preDepth--;
  }

  private quote(node: Element): void {
    this.quoteDepth++;
    this.block(node, 'quote');
    this.quoteDepth--;
  }

  /** Emits the open block (if it has text) and opens a fresh one of the surrounding kind. */
  private close(): void {
    const { kind, level, page, parts } = this.open;
    this.builder.add(kind, parts.join(''), { level, page });
    this.open = { kind: this.quoteDepth > 0 ? 'quote' : 'paragraph', parts: [] };
  }

  /** Data tables become one `table_row` per row, with headers; layout tables are walked. */
  private table(node: Element): void {
    const rows = tableRows(node).map((cells) => cells.map((cell) => ({ cell, text: cellText(cell) })));
    const isData = rows.length >= 2 && rows.every((row) => row.every(({ text }) => text.length <= MAX_DATA_CELL_CHARS));
    if (!isData) return this.block(node, 'paragraph');
    this.close();
    const caption = node.children.find((c): c is Element => isTag(c) && c.name === 'caption');
    if (caption) this.block(caption, 'paragraph');
    const [head = [], ...body] = rows;
    const headers = head.flatMap(({ cell, text }) => spread(cell, text, text));
    for (const row of body) {
      this.open = { kind: 'table_row', parts: [] };
      this.text(tableRowText(headers, row.flatMap(({ cell, text }) => spread(cell, text, ''))));
      this.close();
    }
  }
}

/** The rows of this table (not of tables nested in its cells), each as its cells. */
function tableRows(table: Element): Element[][] {
  const sections = table.children.filter(isTag);
  const trs = sections.flatMap((el) => (['thead', 'tbody', 'tfoot'].includes(el.name) ? el.children.filter(isTag) : [el]));
  return trs
    .filter((tr) => tr.name === 'tr')
    .map((tr) => tr.children.filter((c): c is Element => isTag(c) && (c.name === 'td' || c.name === 'th')))
    .filter((cells) => cells.length > 0);
}

/** A cell spanning columns fills them all (a header repeats), so later cells line up. */
function spread(cell: Element, text: string, filler: string): string[] {
  const span = Math.min(Math.max(Number(cell.attribs.colspan) || 1, 1), 100);
  return [text, ...Array<string>(span - 1).fill(filler)];
}

/** An element's readable text on one line: block boundaries and <br> become spaces. */
function cellText(root: Element): string {
  const parts: string[] = [];
  const visit = (node: AnyNode): void => {
    if (isText(node)) parts.push(node.data);
    if (!isTag(node) || SKIPPED.has(node.name)) return;
    if (BLOCKS.has(node.name) || node.name === 'br') parts.push(' ');
    node.children.forEach(visit);
  };
  visit(root);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

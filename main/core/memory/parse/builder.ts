import type { Block, BlockKind } from './types';

/** A block longer than this is cut (at a line, sentence or word end) so chunks stay bounded. */
export const MAX_BLOCK_CHARS = 2_000;
/** Code is kept whole as far as reasonable; only pathological blocks are cut, at line ends. */
const MAX_CODE_CHARS = 8_000;

const SEPARATOR = '\n\n';

interface BlockOptions {
  level?: number;
  page?: number;
}

/**
 * Collects a document's blocks and its text at once: each block is appended to the text,
 * blocks separated by a blank line, so that `block.text === text.slice(block.start, block.end)`
 * holds by construction. Empty blocks are dropped; long ones are split.
 */
export class DocumentBuilder {
  private readonly parts: string[] = [];
  private readonly blocks: Block[] = [];
  private length = 0;

  /**
   * Adds a block: prose has its whitespace collapsed and blank lines folded (a blank line
   * separates blocks); code keeps its layout.
   */
  add(kind: BlockKind, text: string, options: BlockOptions = {}): void {
    const max = kind === 'code' ? MAX_CODE_CHARS : MAX_BLOCK_CHARS;
    // Whatever the source (a mail part, a PDF font), stored text is NFC and NUL-free.
    const plain = text.replace(/\u0000/g, '').normalize('NFC');
    const clean = kind === 'code' ? cleanCode(plain) : collapse(plain);
    for (const piece of splitBounded(clean, max)) this.push(kind, piece, options);
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  /** The first heading of the given level, for titles. */
  firstHeading(level: number): string | null {
    return this.blocks.find((b) => b.kind === 'heading' && b.level === level)?.text ?? null;
  }

  build(): { text: string; blocks: Block[] } {
    return { text: this.parts.join(''), blocks: this.blocks };
  }

  private push(kind: BlockKind, text: string, options: BlockOptions): void {
    if (text.trim() === '') return;
    if (this.length > 0) {
      this.parts.push(SEPARATOR);
      this.length += SEPARATOR.length;
    }
    const start = this.length;
    this.parts.push(text);
    this.length += text.length;
    const block: Block = { kind, text, start, end: this.length };
    if (options.level !== undefined) block.level = options.level;
    if (options.page !== undefined) block.page = options.page;
    this.blocks.push(block);
  }
}

/** One table row as "Header A: value; Header B: value", so each row can be found on its own. */
export function tableRowText(headers: readonly string[], cells: readonly string[]): string {
  return cells
    .map((cell, i) => [oneLine(headers[i] ?? ''), oneLine(cell)] as const)
    .filter(([, value]) => value !== '')
    .map(([header, value]) => (header ? `${header}: ${value}` : value))
    .join('; ');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Horizontal whitespace: a run of it, or one odd space (tab, no-break space), becomes ' '. */
const SPACE_RUN = /[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

/**
 * Runs of spaces/tabs become one space, lines are trimmed, and blank lines disappear.
 * Single plain spaces are left alone: replacing each of them makes this 40 times slower.
 */
function collapse(text: string): string {
  return text.replace(SPACE_RUN, ' ').replace(/ ?\n[ \n]*/g, '\n').trim();
}

/** Code keeps its indentation; only trailing spaces and surrounding blank lines go. */
function cleanCode(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, '');
}

/**
 * Cuts text into pieces of at most `max` characters, preferring a line end, then a sentence
 * end, then a space in the second half of each window; a hard cut only for unbroken runs.
 * Linear in the text's length: each window is scanned once.
 */
function splitBounded(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let pos = 0;
  while (text.length - pos > max) {
    const cut = cutPoint(text, pos, pos + max);
    pieces.push(text.slice(pos, cut).trim());
    pos = cut;
  }
  pieces.push(text.slice(pos).trim());
  return pieces.filter((p) => p !== '');
}

/** The best place to cut within (from + half, to]: after a newline, a sentence end, a space. */
function cutPoint(text: string, from: number, to: number): number {
  const floor = from + Math.floor((to - from) / 2);
  let sentence = -1;
  let space = -1;
  // One backward pass over the window only (lastIndexOf would scan back to the start).
  for (let i = to - 1; i >= floor; i--) {
    const c = text[i];
    if (c === '\n') return i + 1;
    if (c !== ' ') continue;
    if (space < 0) space = i + 1;
    const before = text[i - 1];
    if (sentence < 0 && (before === '.' || before === '!' || before === '?')) sentence = i + 1;
  }
  if (sentence >= 0) return sentence;
  if (space >= 0) return space;
  // No break at all: cut, but never between the halves of a surrogate pair.
  const high = text.charCodeAt(to - 1);
  return high >= 0xd800 && high <= 0xdbff ? to - 1 : to;
}

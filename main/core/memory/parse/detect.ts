import { fileTypeFromBuffer, type FileTypeResult } from 'file-type';
import type { DocumentType } from '../../../../shared/domain/documents';
import { byteOrderMark, decodeText, type DecodedText } from './encoding';
import { csvShape } from './formats/csv';
import { isDocxZip } from './formats/docx';
import { IngestFailure } from './types';

/** What the content is, with the decoded text for text formats (decoded once, here). */
export type Detection =
  | { type: 'pdf' | 'docx' }
  | { type: 'csv'; decoded: DecodedText; delimiter: string }
  | { type: 'email' | 'html' | 'markdown' | 'text'; decoded: DecodedText };

/** How far into the text the structural checks look. */
const SNIFF_CHARS = 64 * 1024;
/** Where a PDF's `%PDF-` may start: readers tolerate some junk before it. */
const PDF_MAGIC_WINDOW = 1024;
const PDF_TAIL_WINDOW = 2048;
/** Word documents by file-type's name for them: plain, macro-enabled, templates. */
const WORD_TYPES = new Set(['docx', 'docm', 'dotx', 'dotm']);
/** Extensions that promise a binary format Keel reads; the content must keep that promise. */
const PROMISED = new Map<string, 'pdf' | 'docx'>([
  ['pdf', 'pdf'],
  ['docx', 'docx'],
]);
const FORMAT_NAME = { pdf: 'PDF', docx: 'DOCX' } as const;

/** The document's type, from its content (the name only breaks ties between text formats). */
export async function detectType(bytes: Uint8Array, name: string): Promise<DocumentType> {
  return (await detect(bytes, name)).type;
}

export async function detect(bytes: Uint8Array, name: string): Promise<Detection> {
  const ext = extension(name);
  const binary = await binaryKind(bytes, ext);
  if (binary !== null) {
    if (typeof binary !== 'string') throw mismatchOr(ext, binary.description, new IngestFailure('unsupported_format', `unsupported format: ${bare(binary.description)}`));
    if (PROMISED.has(ext) && PROMISED.get(ext) !== binary) throw mismatch(ext, describe(binary));
    return { type: binary };
  }
  let decoded: DecodedText;
  try {
    decoded = decodeText(bytes);
  } catch (err) {
    throw err instanceof IngestFailure && err.code === 'unsupported_format' ? mismatchOr(ext, 'binary data', err) : err;
  }
  const detection = textDetection(decoded, ext);
  if (PROMISED.has(ext)) throw mismatch(ext, describe(detection.type));
  return detection;
}

/**
 * Binary formats by their magic bytes: 'pdf', 'docx', a description of something Keel does
 * not read, or null for text (left to the structural checks).
 */
async function binaryKind(bytes: Uint8Array, ext: string): Promise<'pdf' | 'docx' | { description: string } | null> {
  if (hasPdfMagic(bytes)) return 'pdf';
  // Text with a byte-order mark is text; file-type takes a UTF-32 BOM for MPEG audio.
  if (byteOrderMark(bytes)) return null;
  const found = await fileTypeFromBuffer(bytes);
  if (!found || found.mime.startsWith('text/') || found.ext === 'xml') return null;
  if (WORD_TYPES.has(found.ext)) return 'docx';
  if (found.ext !== 'zip') return { description: describeFileType(found) };
  try {
    return (await isDocxZip(bytes)) ? 'docx' : { description: 'a ZIP archive' };
  } catch (err) {
    // A zip whose directory cannot be read: a damaged DOCX if it claims to be one.
    if (ext === 'docx') return 'docx';
    return { description: `a damaged ZIP archive (${err instanceof Error ? err.message : String(err)})` };
  }
}

/**
 * `%PDF-1.x` at the start, or after a little junk; then, so that a note quoting a PDF header
 * is not taken for one, the file must also end the way PDFs do (`startxref`).
 */
function hasPdfMagic(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.subarray(0, PDF_MAGIC_WINDOW).toString('latin1').search(/%PDF-\d\.\d/);
  if (at <= 0) return at === 0;
  return buffer.subarray(Math.max(0, buffer.length - PDF_TAIL_WINDOW)).includes('startxref', 0, 'latin1');
}

function textDetection(decoded: DecodedText, ext: string): Detection {
  const sample = decoded.text.slice(0, SNIFF_CHARS);
  if (isEmail(sample)) return { type: 'email', decoded };
  const html = htmlEvidence(sample);
  const markdown = markdownEvidence(sample);
  // README-style Markdown may open with a few HTML tags; its own marks decide then.
  if (html === 'certain' || (html === 'likely' && markdown !== 'strong')) return { type: 'html', decoded };
  if (markdown === 'strong') return { type: 'markdown', decoded };
  const csv = csvShape(decoded.text);
  // Two rows could be prose with a comma each; it takes three, or a .csv name, to be a table.
  if (csv && (csv.rows >= 3 || ext === 'csv' || ext === 'tsv')) return { type: 'csv', decoded, delimiter: csv.delimiter };
  if (markdown === 'weak' || ext === 'md' || ext === 'markdown') return { type: 'markdown', decoded };
  return { type: 'text', decoded };
}

const EMAIL_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'received']);

/** RFC 822: the text opens with header lines (folded lines allowed) ending at a blank line. */
function isEmail(text: string): boolean {
  const lines = text.split('\n', 200);
  let i = lines[0]?.startsWith('From ') ? 1 : 0; // an mbox separator line
  let headers = 0;
  let known = false;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i]!;
    if (headers > 0 && /^[ \t]+\S/.test(line)) continue;
    const name = /^([A-Za-z0-9][A-Za-z0-9-]*):/.exec(line)?.[1];
    if (!name) return false;
    headers++;
    known ||= EMAIL_HEADERS.has(name.toLowerCase());
  }
  return headers >= 2 && known;
}

const HTML_TAGS = /<(p|div|span|a|img|table|tr|td|th|ul|ol|li|h[1-6]|br|body|head|title|meta|link|script|style|section|article|header|footer|nav|main|form|b|i|em|strong|pre|code|blockquote)\b[^>]*>/gi;

/** Certain: a doctype or <html> after any XML prolog and comments. Likely: a run of real tags. */
function htmlEvidence(text: string): 'certain' | 'likely' | null {
  const head = text.slice(0, 4096).replace(/^\s*(?:<\?xml[^>]*\?>\s*|<!--[\s\S]*?-->\s*)*/, '');
  if (/^<!doctype\s+html/i.test(head) || /^<html[\s>]/i.test(head)) return 'certain';
  if (!head.startsWith('<')) return null;
  const tags = new Set([...head.matchAll(HTML_TAGS)].map((m) => m[1]!.toLowerCase()));
  return tags.size >= 2 ? 'likely' : null;
}

/**
 * Markdown's marks: headings, fences, tables or Setext underlines are strong evidence;
 * lists and links together are weak evidence (plain notes have lists too).
 */
function markdownEvidence(text: string): 'strong' | 'weak' | null {
  const strong = [/^#{1,6}[ \t]+\S/m, /^ {0,3}(```|~~~)/m, /^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|/m, /^\S.*\n=+[ \t]*$/m];
  if (strong.some((re) => re.test(text))) return 'strong';
  const list = /^[ \t]*(?:[-*+]|\d{1,9}\.)[ \t]+\S/m.test(text);
  const link = /\[[^\]\n]+\]\([^)\s]+\)/.test(text);
  return list && link ? 'weak' : null;
}

function extension(name: string): string {
  const match = /\.([^./\\]+)$/.exec(name);
  return match ? match[1]!.toLowerCase() : '';
}

function mismatch(ext: string, content: string): IngestFailure {
  const promised = FORMAT_NAME[PROMISED.get(ext)!];
  return new IngestFailure('type_mismatch', `not a ${promised} although named .${ext} (the content is ${content})`);
}

/** A named-as-PDF/DOCX file holding something else is a mismatch; otherwise `failure`. */
function mismatchOr(ext: string, content: string, failure: IngestFailure): IngestFailure {
  return PROMISED.has(ext) ? mismatch(ext, content) : failure;
}

function describe(type: DocumentType): string {
  const names: Record<DocumentType, string> = {
    pdf: 'a PDF',
    docx: 'a DOCX',
    html: 'an HTML page',
    markdown: 'Markdown text',
    text: 'plain text',
    csv: 'a CSV table',
    email: 'an e-mail',
  };
  return names[type];
}

const FILE_TYPES: Record<string, string> = {
  png: 'a PNG image',
  jpg: 'a JPEG image',
  gif: 'a GIF image',
  webp: 'a WebP image',
  tif: 'a TIFF image',
  bmp: 'a BMP image',
  heic: 'a HEIC image',
  avif: 'an AVIF image',
  ico: 'an icon',
  xlsx: 'an Excel spreadsheet (xlsx)',
  pptx: 'a PowerPoint presentation (pptx)',
  odt: 'an OpenDocument text (odt)',
  ods: 'an OpenDocument spreadsheet (ods)',
  odp: 'an OpenDocument presentation (odp)',
  epub: 'an EPUB e-book',
  cfb: 'a legacy Microsoft Office file (doc, xls or ppt)',
  rtf: 'an RTF document',
  gz: 'a gzip archive',
  '7z': 'a 7-Zip archive',
  rar: 'a RAR archive',
  tar: 'a tar archive',
  mp3: 'an MP3 audio file',
  mp4: 'an MP4 video',
  wav: 'a WAV audio file',
  exe: 'a Windows program',
  elf: 'an ELF executable',
  sqlite: 'an SQLite database',
};

function describeFileType(found: FileTypeResult): string {
  return FILE_TYPES[found.ext] ?? `a ${found.ext.toUpperCase()} file (${found.mime})`;
}

/** "a PNG image" → "PNG image", for "unsupported format: PNG image". */
function bare(description: string): string {
  return description.replace(/^(?:a|an) /, '');
}

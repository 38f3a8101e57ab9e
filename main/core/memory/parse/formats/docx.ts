import mammoth from 'mammoth';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { IngestLimits } from '../../../../../shared/domain/documents';
import { DocumentBuilder } from '../builder';
import { formatSize } from '../size';
import { IngestFailure, type ParsedDocument } from '../types';
import { addHtml, PAGE_BREAK_CLASS } from './html';

/** An entry expanding more than this many times over its compressed size is a bomb... */
const MAX_RATIO = 200;
/** ...once it is big enough to matter (small XML parts compress very well, legitimately). */
const RATIO_CHECK_BYTES = 1024 * 1024;
const MAIN_PART = 'word/document.xml';

interface Archive {
  zip: ZipFile;
  entries: Map<string, Entry>;
}

function openZip(bytes: Uint8Array): Promise<ZipFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return yauzl.fromBufferPromise(buffer, { lazyEntries: true, autoClose: false });
}

/** True when a zip's central directory holds a Word main document (nothing is inflated). */
export async function isDocxZip(bytes: Uint8Array): Promise<boolean> {
  const zip = await openZip(bytes);
  try {
    for await (const entry of zip.eachEntry()) if (entry.fileName === MAIN_PART) return true;
    return false;
  } finally {
    zip.close();
  }
}

/**
 * A DOCX: the archive's central directory is checked against the limits before anything is
 * inflated, then mammoth renders it to HTML (headings, paragraphs, lists, tables), which
 * html.ts walks. mammoth reads the parts through yauzl, which refuses an entry that inflates
 * to more than its declared size, so the checked sizes are the real ones.
 */
export async function parseDocx(bytes: Uint8Array, limits: IngestLimits): Promise<ParsedDocument> {
  const zip = await openZip(bytes);
  try {
    const reader = new PartReader({ zip, entries: await checkedEntries(zip, limits) });
    const result = await mammoth.convertToHtml(reader.asMammothInput(), {
      styleMap: [`br[type='page'] => hr.${PAGE_BREAK_CLASS}`],
      // Images are never text: do not even inflate them.
      convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
    });
    return await toDocument(result, reader);
  } finally {
    zip.close();
  }
}

async function toDocument(result: Awaited<ReturnType<typeof mammoth.convertToHtml>>, reader: PartReader): Promise<ParsedDocument> {
  const builder = new DocumentBuilder();
  const pages = addHtml(builder, result.value, { pageBreaks: reader.hasRenderedPages });
  const title = (await reader.coreTitle()) || builder.firstHeading(1);
  const warnings = result.messages.filter((m) => m.type === 'error').map((m) => m.message);
  const doc: ParsedDocument = { type: 'docx', title, ...builder.build(), meta: {}, warnings };
  if (pages !== undefined) doc.pages = pages;
  return doc;
}

/**
 * The archive's entries, read from the central directory only, or a `zip_bomb` failure as
 * soon as a limit is passed: too many entries, one entry expanding suspiciously (over
 * 200:1 beyond 1 MB), or too many bytes once everything is expanded.
 */
async function checkedEntries(zip: ZipFile, limits: IngestLimits): Promise<Map<string, Entry>> {
  if (zip.entryCount > limits.maxZipEntries) {
    throw new IngestFailure('zip_bomb', `zip bomb: the archive holds ${zip.entryCount.toLocaleString('en')} entries (the limit is ${limits.maxZipEntries.toLocaleString('en')})`);
  }
  const entries = new Map<string, Entry>();
  let total = 0;
  for await (const entry of zip.eachEntry()) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_CHECK_BYTES && ratio > MAX_RATIO) {
      throw new IngestFailure('zip_bomb', `zip bomb: ${entry.fileName} expands from ${formatSize(entry.compressedSize)} to ${formatSize(entry.uncompressedSize)} (${Math.round(ratio).toLocaleString('en')}:1, the limit is ${MAX_RATIO}:1)`);
    }
    total += entry.uncompressedSize;
    if (total > limits.maxZipExpandedBytes) {
      throw new IngestFailure('zip_bomb', `zip bomb: the archive expands to more than the ${formatSize(limits.maxZipExpandedBytes)} limit`);
    }
    entries.set(entry.fileName, entry);
  }
  return entries;
}

/**
 * The parts of the archive, read on demand for mammoth. Word records where it last laid out
 * each page (`w:lastRenderedPageBreak`), which mammoth ignores; they are turned into page
 * breaks here so that blocks can carry the page Word showed them on.
 */
class PartReader {
  /** Whether Word's own pagination is in the document; without it pages stay unknown. */
  hasRenderedPages = false;

  constructor(private readonly archive: Archive) {}

  /**
   * mammoth accepts an opened zip as `file` ({ exists, read }); its typings only list
   * path/buffer, hence the cast. This is how reads go through yauzl's size checks.
   */
  asMammothInput(): { buffer: Buffer } {
    const file = {
      exists: (name: string) => this.archive.entries.has(name),
      read: (name: string, encoding?: string) => this.read(name, encoding),
    };
    return { file } as unknown as { buffer: Buffer };
  }

  async coreTitle(): Promise<string> {
    if (!this.archive.entries.has('docProps/core.xml')) return '';
    const xml = (await this.bytes('docProps/core.xml')).toString('utf8');
    return decodeXmlText(/<dc:title>([^<]*)<\/dc:title>/.exec(xml)?.[1] ?? '').trim();
  }

  private async read(name: string, encoding?: string): Promise<string | Uint8Array> {
    let data = await this.bytes(name);
    if (name === MAIN_PART) data = this.markRenderedPages(data);
    if (encoding === 'base64') return data.toString('base64');
    return encoding ? data.toString('utf8') : new Uint8Array(data);
  }

  private markRenderedPages(data: Buffer): Buffer {
    const xml = data.toString('utf8');
    if (!xml.includes('<w:lastRenderedPageBreak')) return data;
    this.hasRenderedPages = true;
    return Buffer.from(xml.replace(/<w:lastRenderedPageBreak\s*\/>/g, '<w:br w:type="page"/>'), 'utf8');
  }

  private async bytes(name: string): Promise<Buffer> {
    const entry = this.archive.entries.get(name);
    if (!entry) throw new Error(`the archive has no ${name}`);
    const stream = await this.archive.zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

function decodeXmlText(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, ref: string) => {
    if (ref[0] !== '#') return named[ref.toLowerCase()] ?? '';
    return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
  });
}

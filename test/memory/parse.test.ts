import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS, type DocumentType, type IngestErrorCode } from '../../shared/domain/documents';
import { DocumentBuilder, MAX_BLOCK_CHARS } from '../../main/core/memory/parse/builder';
import { detectType } from '../../main/core/memory/parse/detect';
import { decodeText } from '../../main/core/memory/parse/encoding';
import { parseDocument } from '../../main/core/memory/parse/parse';
import { formatSize } from '../../main/core/memory/parse/size';
import { IngestFailure, type BlockKind, type ParsedDocument } from '../../main/core/memory/parse/types';
import { DOCUMENTS } from '../support/fixtures';
import { tempDir } from '../support/temp';

const limits = DEFAULT_INGEST_LIMITS;
const fixture = (name: string) => new Uint8Array(readFileSync(join(DOCUMENTS, name)));
const parseFixture = (name: string) => parseDocument(fixture(name), name, limits);

/** The IngestFailure a parse ends with (the test fails if it succeeds). */
async function failure(promise: Promise<ParsedDocument>): Promise<IngestFailure> {
  const err = await promise.then(
    (doc) => new Error(`expected a failure, got a ${doc.type} document`),
    (e: unknown) => e,
  );
  if (!(err instanceof IngestFailure)) throw err;
  return err;
}

function expectWellFormed(doc: ParsedDocument): void {
  expect(doc.blocks.length).toBeGreaterThan(0);
  let previousEnd = -1;
  for (const block of doc.blocks) {
    expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    expect(block.start).toBeGreaterThan(previousEnd);
    expect(block.text.trim()).not.toBe('');
    if (block.kind === 'heading') expect(block.level).toSatisfy((l: number) => l >= 1 && l <= 6);
    else expect(block.level).toBeUndefined();
    previousEnd = block.end;
  }
  expect(doc.text).not.toContain('\u0000');
}

const kinds = (doc: ParsedDocument, kind: BlockKind) => doc.blocks.filter((b) => b.kind === kind);

interface Case {
  file: string;
  type: DocumentType;
  phrases: string[];
  check?: (doc: ParsedDocument) => void;
}

const CASES: Case[] = [
  { file: 'book-war-and-peace-1p.txt', type: 'text', phrases: ['Genoa and Lucca', 'Anna Pavlovna', 'scarlet-liveried footman'] },
  { file: 'fake-text.txt', type: 'text', phrases: ['Doylestown, PA 18901', 'Hamburgers are delicious'] },
  {
    file: 'fake-text-utf-16-le.txt',
    type: 'text',
    phrases: ['This is a test document to use for unit tests.', 'I love fuzzy blankets'],
    check: (doc) => expect(doc.meta.encoding).toBe('UTF-16LE'),
  },
  {
    file: 'norwich-city.txt',
    type: 'text',
    // The file holds UTF-8 read as Latin-1 ("1991â\u0080\u009392"); the dash comes back.
    phrases: ['Iwan Wyn Roberts', 'The 1991–92 season brought Roberts'],
    check: (doc) => expect(doc.text).not.toMatch(/[\u0080-\u009f]/),
  },
  {
    file: 'codeblock.md',
    type: 'markdown',
    phrases: ['HTML Example', '<h1>Hello, World!</h1>', "Don't forget me this weekend!"],
    check: (doc) => {
      expect(kinds(doc, 'heading').map((h) => [h.text, h.level])).toEqual([['HTML Example', 2], ['XML Example', 2]]);
      expect(kinds(doc, 'code')).toHaveLength(3);
      expect(kinds(doc, 'code')[0]!.text).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>$/);
    },
  },
  {
    file: 'eng_spa_mult.md',
    type: 'markdown',
    phrases: ['born free and equal in dignity', 'dotados como están de razón y conciencia', 'Todos los seres humanos nacen libres'],
  },
  {
    file: 'simple-table.md',
    type: 'markdown',
    phrases: ['Juicy Apples'],
    check: (doc) => expect(kinds(doc, 'table_row').map((b) => b.text)).toEqual(['Item: Juicy Apples; Price: 1.99; # In stock: 739', 'Item: Bananas; Price: 1.89; # In stock: 6']),
  },
  {
    file: 'umlauts-non-utf8.md',
    type: 'markdown',
    phrases: ['können', 'äöüß'],
    check: (doc) => {
      expect(doc.meta.encoding).toBe('windows-1252');
      expect(doc.blocks[0]).toMatchObject({ kind: 'heading', level: 2, text: 'können' });
    },
  },
  {
    file: 'stanley-cups.csv',
    type: 'csv',
    phrases: ['Stanley Cups'],
    check: (doc) => {
      expect(kinds(doc, 'table_row').map((b) => b.text)).toContain('Team: Maple Leafs; Location: TOR; Stanley Cups: 13');
      expect(doc.meta).toMatchObject({ delimiter: ',', columns: '3' });
      expect(doc.title).toBeNull();
    },
  },
  {
    file: 'stanley-cups-utf-16.csv',
    type: 'csv',
    phrases: ['Team: Flyers; Location: PHI; Stanley Cups: 2'],
    check: (doc) => expect(doc.meta.encoding).toMatch(/^UTF-16/),
  },
  {
    file: 'semicolon-delimited.csv',
    type: 'csv',
    phrases: ['Lorem, ipsum: consectetur; dolor sit: adipiscing; amet: elit'],
    check: (doc) => expect(doc.meta.delimiter).toBe(';'),
  },
  {
    file: 'csv-with-escaped-commas.csv',
    type: 'csv',
    phrases: ['A: A,A'],
    check: (doc) => expect(kinds(doc, 'table_row')).toHaveLength(2),
  },
  {
    file: 'fake-html-cp1252.html',
    type: 'html',
    phrases: ['Die schöne Frau', 'Der Preis betrug 15,50 €', '"¡Qué rico!"', 'Kvinnan åt köttbullar'],
    check: (doc) => {
      expect(doc.meta.encoding).toBe('windows-1252');
      expect(doc.blocks[0]).toMatchObject({ kind: 'heading', level: 1, text: 'My First Heading' });
    },
  },
  {
    file: 'fake-html-with-base64-image.html',
    type: 'html',
    phrases: ['Test page'],
    check: (doc) => expect(doc.text).not.toMatch(/base64|\/9j\/|data:image/),
  },
  {
    file: 'example-with-scripts.html',
    type: 'html',
    phrases: ['Belarusian forces remain unlikely to attack Ukraine', 'Key Takeaways'],
    check: (doc) => {
      expect(doc.title).toBe('Russian Offensive Campaign Assessment, December 13 | Institute for the Study of War');
      expect(doc.text).not.toMatch(/@import|function\s*\(|jQuery/);
      expect(kinds(doc, 'heading').find((h) => h.level === 1)?.text).toBe('Russian Offensive Campaign Assessment, December 13');
    },
  },
  {
    file: 'example-10k-1p.html',
    type: 'html',
    phrases: ['Galaxy Gaming, Inc.', 'Commission file number: 000-30653'],
    check: (doc) => expect(kinds(doc, 'table_row').map((b) => b.text)).toContain('Title of each class: Common stock; Trading symbol: GLXZ; Name of exchange on which registered: OTCQB marketplace'),
  },
  {
    file: 'ideas-page.html',
    type: 'html',
    phrases: ['The way to get new ideas is to notice anomalies'],
    check: (doc) => {
      expect(doc.title).toBe('How to Get New Ideas');
      expect(doc.text).not.toContain('(new Image).src');
      // The essay's paragraphs are separated by <br><br>: they stay separate blocks.
      expect(doc.blocks.find((b) => b.text.startsWith('Knowledge grows fractally.'))).toBeDefined();
    },
  },
  {
    file: 'fake.docx',
    type: 'docx',
    phrases: ['Lorem ipsum dolor sit amet.'],
  },
  {
    file: 'docx-tables.docx',
    type: 'docx',
    phrases: ['Simple uniform table', 'g&t'],
    check: (doc) => expect(kinds(doc, 'table_row').map((b) => b.text)).toContain('Header Col 1: Lorem ipsum; Header Col 2: A link example'),
  },
  {
    file: 'handbook-1p.docx',
    type: 'docx',
    phrases: ['The United States Trustee appoints and supervises standing trustees', 'ROLE OF THE UNITED STATES TRUSTEE'],
    check: (doc) => expect(doc.blocks.find((b) => b.text.startsWith('B. ROLE'))?.page).toBe(2),
  },
  {
    file: 'page-breaks.docx',
    type: 'docx',
    phrases: ['hard page-break here>>', '<<Text on second page.'],
    check: (doc) => {
      const pageOf = (start: string) => doc.blocks.find((b) => b.text.startsWith(start))?.page;
      expect(pageOf('First page')).toBe(1);
      expect(pageOf('<<Text on second page')).toBe(2);
      expect(pageOf('<<but break falls inside link')).toBe(3);
      expect(doc.pages).toBeGreaterThanOrEqual(3);
    },
  },
  { file: 'teams_chat.docx', type: 'docx', phrases: ['James Bond', 'Dennis Forsythe'] },
  {
    file: 'fake-memo.pdf',
    type: 'pdf',
    phrases: ['To Whom it May Concern:', 'There were 20,000 bottles of water'],
  },
  {
    file: 'layout-parser-paper-fast.pdf',
    type: 'pdf',
    phrases: ['LayoutParser: A Unified Toolkit for Deep Learning Based Document Image Analysis', 'Allen Institute for AI'],
    check: (doc) => {
      expect(doc.title).toBe('LayoutParser: A Unified Toolkit for Deep Learning Based Document Image Analysis');
      expect(kinds(doc, 'heading').map((h) => h.level)).toContain(2);
      expect(new Set(doc.blocks.map((b) => b.page))).toEqual(new Set([1, 2]));
    },
  },
  {
    file: 'copy-protected.pdf',
    type: 'pdf',
    // Permission flags forbid copying; Keel reads its owner's files anyway.
    phrases: ['LayoutParser', 'Allen Institute for AI'],
    check: (doc) => expect(doc.text.length).toBeGreaterThan(2_000),
  },
  { file: 'embedded-cmap-cidfont.pdf', type: 'pdf', phrases: ['This text uses an embedded CMap', 'and should be extractable'] },
  { file: 'rotated-page-90.pdf', type: 'pdf', phrases: ['Hello World Test Text', 'Rotated page fixture'] },
  {
    file: 'multi-column-2p.pdf',
    type: 'pdf',
    phrases: ['Dense Passage Retrieval for Open-Domain Question Answering', 'Open-domain question answering'],
  },
  {
    file: 'list-item-example.pdf',
    type: 'pdf',
    phrases: ['Module One - Introduction to Product'],
    check: (doc) => expect(kinds(doc, 'list_item').map((b) => b.text)).toContain('What are product types?'),
  },
  {
    file: 'fake-email.eml',
    type: 'email',
    phrases: ['This is a test email to use for unit tests.', 'Violets are blue'],
    check: (doc) => {
      expect(doc.blocks[0]).toMatchObject({ kind: 'email_header' });
      expect(doc.blocks[0]!.text).toContain('From: Matthew Robinson <mrobinson@unstructured.io>');
      expect(doc.blocks[0]!.text).toContain('Subject: Test Email');
      expect(doc.meta).toMatchObject({ subject: 'Test Email', date: '2022-12-16T22:04:16.000Z' });
    },
  },
  {
    file: 'fake-email-malformed-encoding.eml',
    type: 'email',
    phrases: ['This is a test email to use for unit tests.', 'Roses are red'],
  },
  {
    file: 'fake-email-attachment.eml',
    type: 'email',
    phrases: ["Here's the attachments!", 'Attachment: fake-attachment.txt', 'Hey this is a fake attachment!'],
    check: (doc) => expect(doc.meta.attachments).toBe('fake-attachment.txt (30 bytes)'),
  },
  {
    file: 'mime-different-plain-html.eml',
    type: 'email',
    phrases: ['This is the text/plain part.', 'sent by Ray Tomlinson in 1971'],
  },
];

const TITLES: Partial<Record<string, string>> = {
  'fake-email.eml': 'Test Email',
  'fake-email-attachment.eml': 'Fake email with attachment',
  'mime-different-plain-html.eml': 'Example MIME Email',
};

describe('parsing the fixtures', () => {
  it.each(CASES)('$file → $type', async ({ file, type, phrases, check }) => {
    const doc = await parseFixture(file);
    expect(doc.type).toBe(type);
    expectWellFormed(doc);
    for (const phrase of phrases) expect(doc.text).toContain(phrase);
    if (type === 'pdf') {
      expect(doc.pages).toBeGreaterThan(0);
      for (const block of doc.blocks) expect(block.page).toSatisfy((p: number) => p >= 1 && p <= doc.pages!);
    }
    if (TITLES[file]) expect(doc.title).toBe(TITLES[file]);
    check?.(doc);
  });

  it.each<[string, IngestErrorCode, RegExp]>([
    ['password.pdf', 'password_protected', /^password-protected PDF/],
    ['empty.txt', 'empty_file', /^empty file$/],
    ['fake-text-all-whitespace.txt', 'no_text', /only whitespace/],
    ['empty.eml', 'no_text', /only whitespace/],
  ])('%s fails with %s', async (file, code, message) => {
    const err = await failure(parseFixture(file));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});

describe('detection goes by content, not by name', () => {
  it('finds a PDF, an e-mail and a CSV under misleading text names', async () => {
    expect(await detectType(fixture('fake-memo.pdf'), 'memo.txt')).toBe('pdf');
    expect(await detectType(fixture('fake-email.eml'), 'mail.txt')).toBe('email');
    expect(await detectType(fixture('stanley-cups.csv'), 'cups.md')).toBe('csv');
  });

  it('reads a PDF with junk before its %PDF- header', async () => {
    const doc = await parseDocument(new Uint8Array(Buffer.concat([Buffer.from('\r\nJUNK\n'), fixture('fake-memo.pdf')])), 'memo.pdf', limits);
    expect(doc.text).toContain('To Whom it May Concern:');
  });

  it('uses the name only between text formats', async () => {
    const notes = new TextEncoder().encode('Plain words on a line.\n\nAnother paragraph here.\n');
    expect(await detectType(notes, 'notes.txt')).toBe('text');
    expect(await detectType(notes, 'notes.md')).toBe('markdown');
  });

  it('refuses a PNG named .pdf as a type mismatch, and a PNG named .png as unsupported', async () => {
    const mismatch = await failure(parseDocument(png(), 'report.pdf', limits));
    expect(mismatch.code).toBe('type_mismatch');
    expect(mismatch.message).toBe('not a PDF although named .pdf (the content is a PNG image)');
    const unsupported = await failure(parseDocument(png(), 'photo.png', limits));
    expect(unsupported.code).toBe('unsupported_format');
    expect(unsupported.message).toBe('unsupported format: PNG image');
  });

  it('names a plain zip for what it is', async () => {
    const archive = zip([{ name: 'notes.txt', data: Buffer.from('hello') }]);
    expect(await failure(parseDocument(archive, 'archive.zip', limits))).toMatchObject({ code: 'unsupported_format', message: 'unsupported format: ZIP archive' });
    expect(await failure(parseDocument(archive, 'letter.docx', limits))).toMatchObject({
      code: 'type_mismatch',
      message: 'not a DOCX although named .docx (the content is a ZIP archive)',
    });
  });

  it('refuses random bytes as binary data instead of decoding garbage', async () => {
    const err = await failure(parseDocument(randomBytes(64 * 1024), 'noise.txt', limits));
    expect(err.code).toBe('unsupported_format');
    expect(err.message).toMatch(/^unsupported format: /);
  });
});

describe('format details', () => {
  it('believes a declared charset over a guess when the bytes are not UTF-8', async () => {
    // In ISO-8859-15 byte 0xA4 is the euro sign; a windows-1252 guess would read "¤".
    const html = Buffer.concat([
      Buffer.from('<html><head><meta charset="iso-8859-15"><title>Preise</title></head><body><p>Kaffee kostet 3 ', 'latin1'),
      Buffer.from([0xa4]),
      Buffer.from(' in der Bäckerei.</p></body></html>', 'latin1'),
    ]);
    const doc = await parseDocument(html, 'preise.html', limits);
    expect(doc).toMatchObject({ type: 'html', title: 'Preise', meta: { encoding: 'iso-8859-15' } });
    expect(doc.text).toBe('Kaffee kostet 3 € in der Bäckerei.');
  });

  it('reads an e-mail with only an HTML body through the HTML reader', async () => {
    const mail = [
      'From: Ana <ana@example.com>',
      'To: Bo <bo@example.com>',
      'Subject: Quarterly numbers',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><body><h1>Q3</h1><p>Revenue grew <b>12%</b>.</p><script>track()</script></body></html>',
    ].join('\r\n');
    const doc = await parseDocument(Buffer.from(mail), 'numbers.eml', limits);
    expect(doc.title).toBe('Quarterly numbers');
    expect(doc.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['email_header', 'From: Ana <ana@example.com>\nTo: Bo <bo@example.com>\nSubject: Quarterly numbers'],
      ['heading', 'Q3'],
      ['paragraph', 'Revenue grew 12%.'],
    ]);
  });

  it('turns HTML tables into rows with their headers, and keeps layout tables as text', async () => {
    const html = `<!doctype html><table><tr><th>Name</th><th colspan="2">Contact</th></tr>
      <tr><td>Ana</td><td>ana@example.com</td><td>+49 30 1234</td></tr></table>
      <table><tr><td><p>${'A long essay sentence. '.repeat(60)}</p></td></tr><tr><td>Footer</td></tr></table>`;
    const doc = await parseDocument(Buffer.from(html), 'table.html', limits);
    expect(kinds(doc, 'table_row').map((b) => b.text)).toEqual(['Name: Ana; Contact: ana@example.com; Contact: +49 30 1234']);
    expect(kinds(doc, 'paragraph').at(-1)?.text).toBe('Footer');
  });
});

describe('damaged and hostile files', () => {
  it('reports a truncated PDF as corrupt', async () => {
    const whole = fixture('layout-parser-paper-fast.pdf');
    const err = await failure(parseDocument(whole.slice(0, Math.floor(whole.length * 0.4)), 'paper.pdf', limits));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/^damaged or truncated PDF: /);
  });

  it('reports a PDF with pages but no text as needing OCR', async () => {
    const err = await failure(parseDocument(blankPdf(), 'scan.pdf', limits));
    expect(err).toMatchObject({ code: 'no_text_layer', message: 'no text layer (scanned PDF): run OCR first' });
  });

  it('stops at maxPages', async () => {
    const err = await failure(parseDocument(fixture('layout-parser-paper-fast.pdf'), 'paper.pdf', { ...limits, maxPages: 1 }));
    expect(err).toMatchObject({ code: 'too_many_pages', message: 'the PDF has 2 pages, over the 1-page limit' });
  });

  it('refuses a DOCX whose entry would expand 1000-fold, before inflating it', async () => {
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const bomb = zip([
      { name: 'word/document.xml', data: Buffer.from('<w:document/>') },
      { name: 'word/media/zeros.bin', data: zeros },
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const err = await failure(parseDocument(bomb, 'bomb.docx', limits));
    expect(err.code).toBe('zip_bomb');
    expect(err.message).toMatch(/^zip bomb: word\/media\/zeros\.bin expands from [\d.]+ KB to 50 MB \([\d,]+:1, the limit is 200:1\)$/);
  });

  it('refuses a DOCX with more entries, or more expanded bytes, than the limits allow', async () => {
    const docx = zip(['word/document.xml', 'a.xml', 'b.xml'].map((name) => ({ name, data: Buffer.from('<x/>') })));
    expect(await failure(parseDocument(docx, 'many.docx', { ...limits, maxZipEntries: 2 }))).toMatchObject({
      code: 'zip_bomb',
      message: 'zip bomb: the archive holds 3 entries (the limit is 2)',
    });
    expect(await failure(parseDocument(docx, 'big.docx', { ...limits, maxZipExpandedBytes: 8 }))).toMatchObject({ code: 'zip_bomb' });
  });

  it('cuts a 10 MB file without a newline into bounded blocks', async () => {
    const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
    const line = words.repeat(Math.ceil((10 * 1024 * 1024) / words.length));
    const doc = await parseDocument(new TextEncoder().encode(line), 'one-line.txt', limits);
    expect(doc.blocks.length).toBeGreaterThan(5_000);
    expect(Math.max(...doc.blocks.map((b) => b.text.length))).toBeLessThanOrEqual(MAX_BLOCK_CHARS);
    expect(doc.text.replace(/\s+/g, ' ')).toBe(line.trim());
  });

  it('decodes invalid UTF-8 in Latin-1 text as the legacy encoding, not as garbage', async () => {
    const latin1 = Buffer.from('Der Bär läuft über die Straße und grüßt die Nachbarn. '.repeat(20), 'latin1');
    const bytes = Buffer.concat([latin1, Buffer.from([0xc3, 0x28]), latin1]);
    const doc = await parseDocument(bytes, 'brief.txt', limits);
    expect(doc.meta.encoding).not.toMatch(/UTF/);
    expect(doc.text).toContain('Der Bär läuft über die Straße');
    expect(doc.text).not.toContain('\uFFFD');
  });

  it('refuses a file over maxFileBytes, naming the limit', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(3000));
    const err = await failure(parseDocument(readFileSync(join(dir, 'big.txt')), 'big.txt', { ...limits, maxFileBytes: 2048 }));
    expect(err).toMatchObject({ code: 'too_large', message: 'file larger than the 2 KB limit' });
    expect(formatSize(DEFAULT_INGEST_LIMITS.maxFileBytes)).toBe('100 MB');
  });

  it('turns a parser exception into corrupt, naming the format', async () => {
    const docx = zip([{ name: 'word/document.xml', data: Buffer.from('<w:document><w:body><w:p>') }]);
    const err = await failure(parseDocument(docx, 'broken.docx', limits));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/^damaged DOCX: /);
  });
});

describe('text decoding', () => {
  it('honours byte-order marks and finds UTF-16 by its NUL bytes', () => {
    const text = 'Grüße aus Köln\r\nzweite Zeile';
    const utf16le = Buffer.from(text, 'utf16le');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]))).toEqual({ text: 'Grüße aus Köln\nzweite Zeile', encoding: 'UTF-16LE' });
    expect(decodeText(utf16le)).toEqual({ text: 'Grüße aus Köln\nzweite Zeile', encoding: 'UTF-16LE' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).text).toBe('Grüße aus Köln\nzweite Zeile');
  });

  it('reads UTF-32 with a BOM as text (file-type would take the BOM for MPEG audio)', async () => {
    const chars = [...'Grüße aus Köln'].map((c) => {
      const unit = Buffer.alloc(4);
      unit.writeUInt32LE(c.codePointAt(0)!);
      return unit;
    });
    const doc = await parseDocument(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), ...chars]), 'gruss.txt', limits);
    expect(doc).toMatchObject({ type: 'text', text: 'Grüße aus Köln', meta: { encoding: 'UTF-32LE' } });
  });

  it('normalises to NFC and drops NUL characters', () => {
    const text = 'Un cafe\u0301 au lait, s’il vous plaît.\u0000 Merci beaucoup, et bonne journée à vous.';
    expect(decodeText(Buffer.from(text)).text).toBe('Un café au lait, s’il vous plaît. Merci beaucoup, et bonne journée à vous.');
  });
});

describe('DocumentBuilder', () => {
  it('keeps offsets exact, collapses whitespace and drops empty blocks', () => {
    const builder = new DocumentBuilder();
    builder.add('heading', '  A   title ', { level: 1 });
    builder.add('paragraph', '   \n\t ');
    builder.add('paragraph', 'one\u00a0 two\n\n\nthree  ');
    builder.add('code', '\n  indented()\n    more()  \n');
    const { text, blocks } = builder.build();
    expect(text).toBe('A title\n\none two\nthree\n\n  indented()\n    more()');
    expect(blocks.map((b) => text.slice(b.start, b.end))).toEqual(blocks.map((b) => b.text));
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'code']);
  });
});

// ---- inputs made here ---------------------------------------------------------------

/** A valid 1×1 PNG. */
function png(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

/** A one-page PDF with nothing on the page, as a scan without OCR looks to a text reader. */
function blankPdf(): Uint8Array {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** A minimal zip writer (deflated entries, no zip64): enough for yauzl and file-type. */
function zip(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const compressed = deflateRawSync(data);
    const fileName = Buffer.from(name, 'utf8');
    const fields = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at); // version needed
      header.writeUInt16LE(0, at + 2); // flags
      header.writeUInt16LE(8, at + 4); // deflate
      header.writeUInt32LE(0x00210000, at + 6); // 1980-01-01 00:00
      header.writeUInt32LE(crc32(data), at + 10);
      header.writeUInt32LE(compressed.length, at + 14);
      header.writeUInt32LE(data.length, at + 18);
      header.writeUInt16LE(fileName.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, compressed);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

import chardet from 'chardet';
import iconv from 'iconv-lite';
import { IngestFailure } from './types';

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as, e.g. "UTF-8", "UTF-16LE", "windows-1252". */
  encoding: string;
}

/** How much of the file the statistical checks look at: enough to judge, cheap on 100 MB. */
const SAMPLE_BYTES = 64 * 1024;
/**
 * Above this share of control characters the "text" is binary data: real text has almost
 * none (a few ANSI escapes at most), random bytes have about 11%.
 */
const MAX_CONTROL_RATIO = 0.05;

/**
 * Bytes to text: byte-order marks first, then UTF-16/32 recognised by their NUL pattern,
 * then strict UTF-8, then a statistical guess (chardet) for legacy 8-bit encodings.
 * The result has \n line endings, NFC normalisation and no NUL characters (Postgres cannot
 * store them), and UTF-8 that was double-encoded is repaired. Binary data is refused rather
 * than decoded into garbage.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  const raw = decodeRaw(bytes);
  if (looksBinary(raw.text)) throw new IngestFailure('unsupported_format', 'unsupported format: binary data');
  return { text: normalise(raw.text), encoding: raw.encoding };
}

/** Decodes the text with a known encoding (a declared charset), normalised like decodeText. */
export function decodeWith(bytes: Uint8Array, encoding: string): DecodedText | null {
  if (!iconv.encodingExists(encoding)) return null;
  const text = decodeAs(bytes, encoding);
  return looksBinary(text) ? null : { text: normalise(text), encoding };
}

/** True when the bytes are well-formed UTF-8 (a BOM allowed). */
export function isUtf8(bytes: Uint8Array): boolean {
  return strictUtf8(bytes) !== null;
}

function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function decodeRaw(bytes: Uint8Array): DecodedText {
  const bom = fromBom(bytes);
  if (bom) return bom;
  const wide = wideEncoding(bytes);
  if (wide) return { text: decodeAs(bytes, wide), encoding: wide };
  const utf8 = strictUtf8(bytes);
  return utf8 === null ? legacy(bytes) : { text: utf8, encoding: 'UTF-8' };
}

/** The Unicode encoding a byte-order mark announces, and the mark's length. */
export function byteOrderMark(bytes: Uint8Array): { encoding: string; length: number } | null {
  const [a, b, c, d] = bytes;
  const boms: Array<[boolean, string, number]> = [
    [a === 0xef && b === 0xbb && c === 0xbf, 'UTF-8', 3],
    [a === 0xff && b === 0xfe && c === 0 && d === 0, 'UTF-32LE', 4],
    [a === 0 && b === 0 && c === 0xfe && d === 0xff, 'UTF-32BE', 4],
    [a === 0xff && b === 0xfe, 'UTF-16LE', 2],
    [a === 0xfe && b === 0xff, 'UTF-16BE', 2],
  ];
  const found = boms.find(([matches]) => matches);
  return found ? { encoding: found[1], length: found[2] } : null;
}

function fromBom(bytes: Uint8Array): DecodedText | null {
  const bom = byteOrderMark(bytes);
  return bom ? { text: decodeAs(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding } : null;
}

/**
 * UTF-16/32 without a BOM: mostly-ASCII text in them has NUL bytes at fixed positions
 * (UTF-16LE "T\0h\0", UTF-32BE "\0\0\0T"), which 8-bit text never has.
 */
function wideEncoding(bytes: Uint8Array): string | null {
  const sample = bytes.subarray(0, Math.min(bytes.length, SAMPLE_BYTES) & ~3);
  if (sample.length < 4) return null;
  const zeros = [0, 0, 0, 0];
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) zeros[i % 4]!++;
  const share = zeros.map((n) => n / (sample.length / 4));
  const [z0, z1, z2, z3] = share as [number, number, number, number];
  const high = (x: number) => x > 0.7;
  const low = (x: number) => x < 0.1;
  if (high(z1) && high(z2) && high(z3) && low(z0)) return 'UTF-32LE';
  if (high(z0) && high(z1) && high(z2) && low(z3)) return 'UTF-32BE';
  if (high(z1) && high(z3) && low(z0) && low(z2)) return 'UTF-16LE';
  if (high(z0) && high(z2) && low(z1) && low(z3)) return 'UTF-16BE';
  return null;
}

/** Not UTF-8: ask chardet which legacy encoding the bytes look like. */
function legacy(bytes: Uint8Array): DecodedText {
  const guess = chardet.detect(bytes.subarray(0, SAMPLE_BYTES));
  if (!guess) throw new IngestFailure('unsupported_format', 'unsupported format: binary data');
  if (guess === 'UTF-8') {
    // Mostly UTF-8 with a few broken bytes: keep the text, mark what could not be read.
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'UTF-8 (invalid bytes replaced)' };
  }
  // As browsers do: ISO-8859-1 labels mean windows-1252, which also has € and curly quotes.
  const encoding = guess === 'ISO-8859-1' ? 'windows-1252' : guess;
  if (!iconv.encodingExists(encoding)) {
    throw new IngestFailure('encoding', `text in an encoding Keel cannot decode (${guess})`);
  }
  return { text: decodeAs(bytes, encoding), encoding };
}

function decodeAs(bytes: Uint8Array, encoding: string): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding);
}

/** Control characters other than tab, newline, carriage return and form feed mean binary. */
function looksBinary(text: string): boolean {
  const sample = text.length > SAMPLE_BYTES ? text.slice(0, SAMPLE_BYTES) : text;
  if (sample.length === 0) return false;
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0xfffd) controls++;
  }
  return controls / sample.length > MAX_CONTROL_RATIO;
}

function normalise(text: string): string {
  return repairDoubleEncoding(text)
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\u0000/g, '')
    .normalize('NFC');
}

/** A UTF-8 sequence read as Latin-1 characters: "â\u0080\u0093" for "–". */
const LATIN1_READ_UTF8 = /[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}|[\u00f0-\u00f4][\u0080-\u00bf]{3}/g;

/**
 * Text that was UTF-8, read as Latin-1 and saved as UTF-8 again ("1986â\u0080\u00932004").
 * Its C1 control characters (U+0080-U+009F) never occur in real text, so only then are
 * such sequences turned back into the characters they were.
 */
function repairDoubleEncoding(text: string): string {
  if (!/[\u0080-\u009f]/.test(text)) return text;
  return text.replace(LATIN1_READ_UTF8, (run) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(run, 'latin1'));
    } catch {
      return run;
    }
  });
}

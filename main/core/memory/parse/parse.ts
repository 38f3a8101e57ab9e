import type { DocumentType, IngestLimits } from '../../../../shared/domain/documents';
import { detect, type Detection } from './detect';
import { parseCsv } from './formats/csv';
import { parseDocx } from './formats/docx';
import { parseEmail } from './formats/email';
import { parseHtmlFile } from './formats/html';
import { parseMarkdown } from './formats/markdown';
import { parsePdf } from './formats/pdf';
import { parseText } from './formats/text';
import { formatSize } from './size';
import { IngestFailure, type ParsedDocument } from './types';

const FORMAT_LABEL: Record<DocumentType, string> = {
  pdf: 'PDF',
  docx: 'DOCX',
  html: 'HTML',
  markdown: 'Markdown',
  text: 'text file',
  csv: 'CSV',
  email: 'e-mail',
};

/**
 * A file's bytes to a ParsedDocument, or an IngestFailure saying what is wrong with the file.
 * The type comes from the content; the name only breaks ties and exposes mismatches.
 * Whatever a parser throws that is not an IngestFailure is reported as a damaged file.
 */
export async function parseDocument(bytes: Uint8Array, name: string, limits: IngestLimits): Promise<ParsedDocument> {
  if (bytes.byteLength === 0) throw new IngestFailure('empty_file', 'empty file');
  if (bytes.byteLength > limits.maxFileBytes) {
    throw new IngestFailure('too_large', `file larger than the ${formatSize(limits.maxFileBytes)} limit`);
  }
  const detection = await detect(bytes, name);
  if ('decoded' in detection && detection.decoded.text.trim() === '') {
    throw new IngestFailure('no_text', 'the file holds only whitespace');
  }
  const doc = await dispatch(detection, bytes, limits).catch((err: unknown) => {
    if (err instanceof IngestFailure) throw err;
    throw new IngestFailure('corrupt', `damaged ${FORMAT_LABEL[detection.type]}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (doc.text.trim() === '') throw new IngestFailure('no_text', 'no readable text');
  return doc;
}

async function dispatch(detection: Detection, bytes: Uint8Array, limits: IngestLimits): Promise<ParsedDocument> {
  switch (detection.type) {
    case 'pdf':
      return parsePdf(bytes, limits);
    case 'docx':
      return parseDocx(bytes, limits);
    case 'email':
      return parseEmail(bytes);
    case 'html':
      return parseHtmlFile(bytes, detection.decoded);
    case 'csv':
      return parseCsv(detection.decoded.text, detection.decoded.encoding, detection.delimiter);
    case 'markdown':
      return parseMarkdown(detection.decoded.text, detection.decoded.encoding);
    case 'text':
      return parseText(detection.decoded.text, detection.decoded.encoding);
  }
}

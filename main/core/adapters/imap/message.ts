import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { simpleParser, type Attachment } from 'mailparser';
import { safeName } from '../../memory/documents/uploads';

/** What the intake needs to know of a message before taking it in. */
export interface MessageMeta {
  messageId: string | null;
  subject: string | null;
  size: number;
  /** The Message-ID, else a hash of the envelope: recognises the message after the folder is renumbered. */
  fingerprint: string;
}

/** An attachment memory reads as a document of its own. */
export interface DocumentPart {
  index: number;
  name: string;
  contentType: string;
  content: Buffer;
}

/** An attachment left inside the message (memory does not read its type, or it is plain text, which the message's document already holds). */
export interface OtherPart {
  name: string;
  contentType: string;
  size: number;
}

export interface ReadMessage {
  subject: string | null;
  documents: DocumentPart[];
  others: OtherPart[];
  /** Why the attachments could not be read (the message itself is still taken in, whole). */
  problem: string | null;
}

interface Envelope {
  messageId?: string;
  subject?: string;
  date?: Date | string;
  from?: { address?: string }[];
}

export function metaOf(envelope: Envelope | undefined, size: number): MessageMeta {
  const messageId = envelope?.messageId?.trim() || null;
  const subject = envelope?.subject?.trim() || null;
  const envelopeHash = () => {
    const date = envelope?.date instanceof Date ? envelope.date.toISOString() : String(envelope?.date ?? '');
    const from = (envelope?.from ?? []).map((f) => f.address ?? '').join(',');
    return `envelope:${createHash('sha256').update([date, from, subject ?? '', size].join('\u0000')).digest('hex').slice(0, 32)}`;
  };
  return { messageId, subject, size, fingerprint: messageId ?? envelopeHash() };
}

/** Types memory reads (see memory/parse/detect.ts), by MIME type or, for application/octet-stream and the like, by extension. */
const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/csv',
  'text/html',
  'text/markdown',
  'message/rfc822',
]);
const DOCUMENT_EXTENSIONS = new Set(['.pdf', '.docx', '.csv', '.html', '.htm', '.md', '.markdown', '.eml']);

function isDocument(a: Attachment): boolean {
  if (a.contentType === 'text/plain') return false; // read into the message's own document
  if (a.related) return false; // an inline part of the HTML body (a logo), not an attachment
  return DOCUMENT_TYPES.has(a.contentType) || DOCUMENT_EXTENSIONS.has(extname(a.filename ?? '').toLowerCase());
}

const EXTENSION_OF: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'text/csv': '.csv',
  'text/html': '.html',
  'text/markdown': '.md',
  'message/rfc822': '.eml',
};

/** A display name: the attachment's file name, else one made from its type (memory reads the extension to break ties). */
function partName(a: Attachment, index: number): string {
  if (a.filename?.trim()) return safeName(a.filename.trim());
  return `attachment-${index + 1}${EXTENSION_OF[a.contentType] ?? ''}`;
}

/**
 * The message's subject and attachments. mailparser copes with broken encodings; if it
 * fails outright, the message is still taken in whole (memory parses it again, and says
 * what it could not read) and the attachments stay inside it.
 */
export async function readMessage(raw: Buffer): Promise<ReadMessage> {
  try {
    const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const documents: DocumentPart[] = [];
    const others: OtherPart[] = [];
    mail.attachments.forEach((a, i) => {
      if (isDocument(a)) documents.push({ index: i, name: partName(a, i), contentType: a.contentType, content: a.content });
      else if (!a.related) others.push({ name: partName(a, i), contentType: a.contentType, size: a.size });
    });
    return { subject: mail.subject?.trim() || null, documents, others, problem: null };
  } catch (err) {
    return { subject: null, documents: [], others: [], problem: `its attachments could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The message document's name: its subject (a label, never a path) as an .eml file. */
export function messageName(subject: string | null): string {
  const base = safeName((subject ?? '').replace(/[\\/:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim()).slice(0, 120).trim();
  return `${base && base !== 'upload' ? base : 'message'}.eml`;
}

/** Header fields that describe the body: dropped from a headers-only stand-in, whose body is a note. */
const BODY_FIELDS = /^(content-[a-z-]*|mime-version)\s*:/i;

/**
 * A stand-in for a message too large to take in: its own header (who, when, subject, ids)
 * and a plain-text note saying what happened, so triage still sees that it arrived and the
 * operator knows it is still on the server.
 */
export function headersOnly(headers: Buffer, size: number, capBytes: number, folder: string): Buffer {
  const fields: string[] = [];
  for (const line of headers.toString('latin1').split(/\r?\n/)) {
    if (!line) continue;
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  const kept = fields.filter((f) => !BODY_FIELDS.test(f));
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const note =
    `This message is ${mb(size)}, larger than the ${mb(capBytes)} Keel takes in from an e-mail account, ` +
    `so only its header was taken in. The whole message, with its attachments, is still on the server in the folder "${folder}".\r\n`;
  const head = [...kept, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', 'X-Keel-Intake: headers-only'].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(note, 'utf8')]);
}

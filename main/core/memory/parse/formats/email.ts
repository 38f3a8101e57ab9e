import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail } from 'mailparser';
import { DocumentBuilder } from '../builder';
import { decodeText } from '../encoding';
import { formatSize } from '../size';
import { addHtml } from './html';
import { addParagraphs } from './text';
import type { ParsedDocument } from '../types';

/**
 * An e-mail (RFC 822 / MIME): a header block (From, To, Cc, Date, Subject), then the body:
 * the text/plain part, else the HTML part read like an HTML page. Attachments are listed;
 * plain-text ones are read under an "Attachment: name" heading.
 */
export async function parseEmail(bytes: Uint8Array): Promise<ParsedDocument> {
  const mail = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    // Only what the sender wrote: no text made from the HTML (html.ts reads it better), no
    // HTML made from the text, no images inlined as data URIs.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  const builder = new DocumentBuilder();
  builder.add('email_header', headerBlock(mail));
  addBody(builder, mail);
  const warnings = mail.attachments.flatMap((attachment) => addAttachment(builder, attachment));
  return { type: 'email', title: mail.subject?.trim() || null, ...builder.build(), meta: meta(mail), warnings };
}

function headerBlock(mail: ParsedMail): string {
  const rawDate = mail.headerLines.find((h) => h.key === 'date')?.line.replace(/^date:\s*/i, '');
  const lines: Array<[string, string | undefined]> = [
    ['From', addresses(mail.from)],
    ['To', addresses(mail.to)],
    ['Cc', addresses(mail.cc)],
    ['Date', rawDate],
    ['Subject', mail.subject],
  ];
  return lines
    .filter(([, value]) => value?.trim())
    .map(([name, value]) => `${name}: ${value!.trim()}`)
    .join('\n');
}

/** "Ana <ana@example.com>, bo@example.com": names unquoted, groups flattened. */
function addresses(field: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!field) return undefined;
  const flatten = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flatten(a.group) : [a]));
  const all = flatten((Array.isArray(field) ? field : [field]).flatMap((a) => a.value));
  return all.map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name)).join(', ');
}

function addBody(builder: DocumentBuilder, mail: ParsedMail): void {
  if (mail.text?.trim()) return addParagraphs(builder, mail.text.replace(/\r\n?/g, '\n'));
  if (typeof mail.html === 'string') addHtml(builder, mail.html);
}

/** Plain-text attachments are read; every other attachment is named in a warning. */
function addAttachment(builder: DocumentBuilder, attachment: Attachment): string[] {
  const name = attachment.filename ?? 'unnamed attachment';
  if (attachment.contentType === 'text/plain') {
    try {
      const { text } = decodeText(attachment.content);
      builder.add('heading', `Attachment: ${name}`, { level: 2 });
      addParagraphs(builder, text);
      return [];
    } catch {
      return [`attachment ${name} (${formatSize(attachment.size)}) is not readable text`];
    }
  }
  return [`attachment ${name} (${attachment.contentType}, ${formatSize(attachment.size)}) not read`];
}

function meta(mail: ParsedMail): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    from: addresses(mail.from),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    date: mail.date?.toISOString(),
    subject: mail.subject,
    messageId: mail.messageId,
    attachments: mail.attachments.map((a) => `${a.filename ?? 'unnamed'} (${formatSize(a.size)})`).join(', '),
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => !!entry[1]));
}

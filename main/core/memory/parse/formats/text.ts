import { DocumentBuilder } from '../builder';
import type { ParsedDocument } from '../types';

/**
 * Plain text: one paragraph per run of lines between blank lines. The builder bounds each
 * paragraph, so a 10 MB file without a single newline still becomes ~2,000-character blocks.
 */
export function parseText(text: string, encoding: string): ParsedDocument {
  const builder = new DocumentBuilder();
  addParagraphs(builder, text);
  return { type: 'text', title: null, ...builder.build(), meta: { encoding }, warnings: [] };
}

/** Appends text's paragraphs (split on blank lines); shared with e-mail bodies. */
export function addParagraphs(builder: DocumentBuilder, text: string): void {
  for (const paragraph of text.split(/\n[ \t]*\n/)) builder.add('paragraph', paragraph);
}

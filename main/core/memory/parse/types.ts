import type { DocumentType, IngestErrorCode } from '../../../../shared/domain/documents';

/**
 * What a parser makes of a file: its text as one string, and the same text cut into
 * structural blocks that point back into it. The chunker works on blocks; a search hit's
 * offsets are offsets into `text`.
 */
export interface ParsedDocument {
  type: DocumentType;
  /** The document's own title (PDF metadata, <title>, first heading, e-mail subject), if it has one. */
  title: string | null;
  /** All extracted text; blocks are slices of it, separated by blank lines. */
  text: string;
  blocks: Block[];
  /** Pages, for paged formats (PDF). */
  pages?: number;
  /** Facts about the file worth keeping: e-mail headers, PDF author, detected encoding, CSV delimiter. */
  meta: Record<string, string>;
  /** Things that went wrong but did not stop parsing ("attachment report.pdf not read"). */
  warnings: string[];
}

export type BlockKind = 'heading' | 'paragraph' | 'list_item' | 'table_row' | 'code' | 'quote' | 'email_header';

export interface Block {
  kind: BlockKind;
  /** Exactly `doc.text.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  /** Heading level 1 (top) to 6, for `heading` blocks. */
  level?: number;
  /** 1-based page the block starts on (PDF, and DOCX page breaks where known). */
  page?: number;
}

/** A failure with a code and a sentence about this file; parsers throw it, the pipeline records it. */
export class IngestFailure extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IngestFailure';
  }
}

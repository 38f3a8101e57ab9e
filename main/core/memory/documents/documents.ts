import { stat, readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Transaction } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';
import type { DocumentStatus, IngestCounts, IngestError, IngestOutcome } from '../../../../shared/domain/documents';
import { newId } from '../../kernel/ids';
import type { Log } from '../../kernel/internals';
import { insertRun } from '../../kernel/runs';
import { chunkDocument } from '../chunk';
import type { MemoryContext } from '../context';
import { IngestFailure } from '../parse/types';
import { embeddingText } from '../embeddings';
import { insertVersion, retireChunks } from './store';
import { SUMMARY_COLUMNS, toSummary, type DocumentRow } from './rows';

/** What the ingest workflow gets: which document, and where its bytes are. */
export interface IngestInput {
  documentId: string;
  /** The file to read: the operator's file, or an upload's bytes in the data folder. */
  path: string;
  name: string;
  /** An upload's file is deleted once its bytes are kept among the originals. */
  upload: boolean;
}

/** A file to queue; `partOf` names the document it belongs to (an e-mail's attachment → the e-mail). */
export interface QueuedFile {
  source: string;
  path: string;
  name: string;
  upload: boolean;
  partOf?: string;
}

export type ReadResult =
  | { kind: 'read'; sha256: string; size: number }
  | { kind: 'unchanged' }
  | { kind: 'duplicate'; of: { id: string; name: string } }
  | { kind: 'failed'; error: IngestError };

export type StoreResult = { kind: 'stored'; version: number; chunks: number } | { kind: 'failed'; error: IngestError };

export const INGEST_WORKFLOW = 'memory.ingest';
export const INGEST_AGENT = 'ingest';
const ACTOR = { kind: 'system' as const, name: 'memory' };
/** The event a stored document version raises (payload: documentId, name, version, replaced, type, partOf). */
export const DOCUMENT_INGESTED = 'document.ingested';
/** The link from a document that is part of another (an e-mail's attachment) to that other. */
export const PART_OF = 'part_of';
const MB = 1024 * 1024;

const failure = (code: IngestError['code'], message: string): IngestError => ({ code, message });

/**
 * Documents: queueing files for ingestion (a durable run per file), the steps those runs
 * take (read, parse and store, embed), and the operator's actions on documents. Every change
 * of a document is one transaction with its ledger event.
 */
export class Documents {
  private progressTimer: NodeJS.Timeout | null = null;

  constructor(private readonly m: MemoryContext) {}

  // ---- queueing ----

  /** Queues files by path; what is not a readable file is refused here, with the reason. */
  async ingestPaths(paths: string[], folderId: string | null = null): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    const ok: { path: string; name: string }[] = [];
    for (const raw of paths) {
      const path = resolve(raw);
      const name = basename(path);
      const problem = await this.notAFile(path);
      if (problem) outcomes.push({ name, documentId: null, runId: null, status: 'failed', error: problem });
      else ok.push({ path, name });
    }
    for (let i = 0; i < ok.length; i += 200) {
      outcomes.push(...(await this.queue(ok.slice(i, i + 200).map((f) => ({ source: f.path, path: f.path, name: f.name, upload: false })), folderId)));
    }
    return outcomes;
  }

  private async notAFile(path: string): Promise<IngestError | null> {
    try {
      const s = await stat(path);
      return s.isFile() ? null : failure('unreadable', `not a file: ${path} is a folder or a device`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return failure('unreadable', code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? String(err)}`);
    }
  }

  /**
   * One transaction per batch: each file's document row (new, or the same source again)
   * and its ingest run. A document already on its way keeps its run instead of a second one.
   */
  async queue(files: QueuedFile[], folderId: string | null): Promise<IngestOutcome[]> {
    const outcomes = await this.m.commit((tx, log) => this.queueIn(tx, log, files, folderId));
    this.queued(outcomes);
    return outcomes;
  }

  /** `queue` inside a change being committed (an e-mail's intake records the message with its documents); call `queued` after the commit. */
  async queueIn(tx: Transaction, log: Log, files: QueuedFile[], folderId: string | null): Promise<IngestOutcome[]> {
    const now = new Date().toISOString();
    const out: IngestOutcome[] = [];
    for (const f of files) out.push(await this.queueOne(tx, log, f, folderId, now));
    return out;
  }

  queued(outcomes: IngestOutcome[]): void {
    for (const o of outcomes) if (o.documentId) this.changed(o.documentId, o.name, 'queued', null);
    this.m.kernel.kick();
  }

  private async queueOne(tx: Transaction, log: Log, f: QueuedFile, folderId: string | null, now: string): Promise<IngestOutcome> {
    const existing = await tx.query<{ id: string; status: DocumentStatus; run_id: string | null }>('SELECT id, status, run_id FROM memory_documents WHERE source = $1', [f.source]);
    const row = existing.rows[0];
    if (row && ['queued', 'parsing', 'embedding'].includes(row.status) && !f.upload) {
      return { name: f.name, documentId: row.id, runId: row.run_id, status: 'queued', error: null };
    }
    const id = row?.id ?? newId();
    const input: IngestInput = { documentId: id, path: f.path, name: f.name, upload: f.upload };
    const run = await insertRun(tx, log, { workflow: INGEST_WORKFLOW, version: 1, input, agent: INGEST_AGENT, dueAt: Date.now(), actor: ACTOR });
    await tx.query(
      `INSERT INTO memory_documents (id, source, name, folder_id, status, run_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $6)
       ON CONFLICT (source) DO UPDATE SET status = 'queued', error = NULL, run_id = EXCLUDED.run_id, name = EXCLUDED.name,
         folder_id = COALESCE(EXCLUDED.folder_id, memory_documents.folder_id), updated_at = EXCLUDED.updated_at`,
      [id, f.source, f.name, folderId, run.id, now],
    );
    if (f.partOf) await this.linkPart(tx, log, id, f.partOf);
    return { name: f.name, documentId: id, runId: run.id, status: 'queued', error: null };
  }

  /** A part of another document (an e-mail's attachment): triaged with its whole, never on its own (see parseAndStore). */
  private async linkPart(tx: Transaction, log: Log, id: string, wholeId: string): Promise<void> {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO memory_links (id, from_kind, from_id, to_kind, to_id, type, created_at) VALUES ($1, 'document', $2, 'document', $3, '${PART_OF}', now())
       ON CONFLICT DO NOTHING RETURNING id`,
      [newId(), id, wholeId],
    );
    if (rows[0]) log({ type: 'entity.linked', actor: ACTOR, data: { linkId: rows[0].id, from: { kind: 'document', id }, to: { kind: 'document', id: wholeId }, type: PART_OF } });
  }

  // ---- the ingest run's steps ----

  /** Step 1: reads the file once, keeps its bytes by hash, and decides whether there is work. */
  async read(input: IngestInput): Promise<ReadResult> {
    const limits = this.m.settings.get().limits;
    let size: number;
    try {
      const s = await stat(input.path);
      if (!s.isFile()) return this.fail(input, failure('unreadable', `not a file: ${input.path}`));
      size = s.size;
    } catch {
      return this.fail(input, failure('unreadable', `the file is gone: ${input.path}`));
    }
    if (size === 0) return this.fail(input, failure('empty_file', 'empty file'));
    if (size > limits.maxFileBytes) {
      return this.fail(input, failure('too_large', `file larger than the ${formatMb(limits.maxFileBytes)} limit (it has ${formatMb(size)})`));
    }
    const bytes = await readFile(input.path);
    const sha256 = this.m.originals.keep(bytes);
    const doc = await this.row(input.documentId);
    if (doc && doc.sha256 === sha256 && doc.current_version !== null) {
      await this.setStatus(input.documentId, input.name, 'indexed', null, { type: 'document.unchanged', data: { documentId: input.documentId, name: input.name, sha256 } });
      return { kind: 'unchanged' };
    }
    const same = await this.m.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM memory_documents WHERE sha256 = $1 AND id <> $2 AND current_version IS NOT NULL AND status IN ('indexed', 'embedding') LIMIT 1`,
      [sha256, input.documentId],
    );
    if (same.rows[0] && doc?.current_version === null) return this.duplicate(input, same.rows[0]);
    await this.m.db.query(`UPDATE memory_documents SET status = 'parsing', size = $2, updated_at = now() WHERE id = $1`, [input.documentId, size]);
    this.changed(input.documentId, input.name, 'parsing', null);
    return { kind: 'read', sha256, size };
  }

  /** The same bytes are already in memory under another name: this one adds nothing. */
  private async duplicate(input: IngestInput, of: { id: string; name: string }): Promise<ReadResult> {
    await this.m.commit(async (tx, log) => {
      await tx.query('DELETE FROM memory_documents WHERE id = $1 AND current_version IS NULL', [input.documentId]);
      await tx.query(`DELETE FROM memory_links WHERE from_kind = 'document' AND from_id = $1 AND type = '${PART_OF}'`, [input.documentId]);
      log({ type: 'document.duplicate', actor: ACTOR, data: { documentId: input.documentId, name: input.name, sameAs: of.id } });
    });
    this.m.notify('documents.changed', { id: input.documentId, name: input.name, status: 'deleted', error: { code: 'duplicate', message: `already in memory as ${of.name}` } });
    this.progress();
    return { kind: 'duplicate', of };
  }

  /**
   * Step 2: parses the kept original (in a parse worker, under the time limit), chunks it,
   * and stores the new version in one transaction that also retires the previous version's
   * chunks. Replayed after a crash, it finds the version its run already stored.
   */
  async parseAndStore(runId: string, input: IngestInput, read: { sha256: string; size: number }): Promise<StoreResult> {
    const done = await this.m.db.query<{ version: number; chunk_count: number }>('SELECT version, chunk_count FROM memory_document_versions WHERE run_id = $1', [runId]);
    if (done.rows[0]) {
      // Stored before a crash; what follows the commit may not have happened.
      await this.m.afterStored(input.documentId);
      return { kind: 'stored', version: done.rows[0].version, chunks: done.rows[0].chunk_count };
    }
    let parsed;
    try {
      parsed = await this.m.parsePool.parse(await this.m.originals.read(read.sha256), input.name, this.m.settings.get().limits);
    } catch (err) {
      if (err instanceof IngestFailure) return this.fail(input, failure(err.code, err.message));
      throw err;
    }
    const chunks = chunkDocument(parsed);
    // Embedding before storing writes each chunk once, vector included (an UPDATE afterwards
    // would rewrite every row). A replay after a crash embeds again: it is only time.
    let vectors = null;
    if (this.m.embeddings.ready() && chunks.length) {
      await this.m.db.query(`UPDATE memory_documents SET status = 'embedding', updated_at = now() WHERE id = $1`, [input.documentId]);
      this.changed(input.documentId, input.name, 'embedding', null);
      vectors = await this.m.embeddings.literalsFor(chunks.map((c) => embeddingText(parsed.title, c.headingPath, c.text)));
    }
    const embedding = vectors === null && this.m.embeddings.ready();
    const at = new Date().toISOString();
    const version = await this.m.commit(async (tx, log) => {
      const { rows } = await tx.query<{ current_version: number | null; next: number }>(
        `SELECT current_version, (SELECT coalesce(max(version), 0) + 1 FROM memory_document_versions WHERE document_id = $1) AS next FROM memory_documents WHERE id = $1 FOR UPDATE`,
        [input.documentId],
      );
      const prev = rows[0]?.current_version ?? null;
      const next = rows[0]?.next ?? 1;
      if (prev !== null) {
        await retireChunks(tx, this.m.bm25, input.documentId, prev);
        await tx.query(`UPDATE memory_document_versions SET status = 'replaced', replaced_at = $3 WHERE document_id = $1 AND version = $2`, [input.documentId, prev, at]);
      }
      await insertVersion(tx, this.m.bm25, { documentId: input.documentId, version: next, runId, sha256: read.sha256, size: read.size, parsed, chunks, at, vectors });
      await tx.query(
        `UPDATE memory_documents SET type = $2, title = $3, current_version = $4, sha256 = $5, size = $6, chunk_count = $7, status = $8, error = NULL, updated_at = $9 WHERE id = $1`,
        [input.documentId, parsed.type, parsed.title, next, read.sha256, read.size, chunks.length, embedding && chunks.length ? 'embedding' : 'indexed', at],
      );
      log({ type: 'document.indexed', actor: ACTOR, data: { documentId: input.documentId, name: input.name, version: next, replaced: prev, type: parsed.type, sha256: read.sha256, chunks: chunks.length, embedded: vectors ? chunks.length : 0 } });
      // Schedules listening (triage of new documents) start in this transaction: exactly once per stored version.
      // A part (an e-mail's attachment) says whose part it is: triage takes only wholes (its
      // schedule's `where: { partOf: null }`), while other subscriptions (bookkeeping's CSV files) see parts too.
      const part = await tx.query<{ to_id: string }>(`SELECT to_id FROM memory_links WHERE from_kind = 'document' AND from_id = $1 AND type = '${PART_OF}' LIMIT 1`, [input.documentId]);
      await this.m.kernel.raiseIn(tx, log, DOCUMENT_INGESTED, { documentId: input.documentId, name: input.name, version: next, replaced: prev, type: parsed.type, partOf: part.rows[0]?.to_id ?? null }, ACTOR);
      return next;
    });
    await this.m.afterStored(input.documentId);
    this.changed(input.documentId, input.name, embedding && chunks.length ? 'embedding' : 'indexed', null);
    return { kind: 'stored', version, chunks: chunks.length };
  }

  /** Step 3: embeds the version's chunks when the model is ready (else they wait for the backfill). */
  async embed(input: IngestInput, version: number): Promise<number> {
    const embedded = this.m.embeddings.ready() ? await this.m.embeddings.embedDocument(input.documentId, version) : 0;
    const doc = await this.row(input.documentId);
    if (doc?.status === 'embedding') {
      await this.setStatus(input.documentId, input.name, 'indexed', null, embedded ? { type: 'document.embedded', data: { documentId: input.documentId, version, chunks: embedded, model: this.m.embedder.state.modelId } } : null);
    }
    return embedded;
  }

  /** An upload's bytes are kept among the originals once read; its temporary file can go. */
  async cleanUpload(input: IngestInput): Promise<void> {
    if (input.upload) await this.m.uploads.discardFile(input.path);
  }

  /** Records a file's failure (status, error, ledger) and says so; nothing else of it is stored. */
  async fail(input: IngestInput, error: IngestError): Promise<{ kind: 'failed'; error: IngestError }> {
    await this.setStatus(input.documentId, input.name, 'failed', error, { type: 'document.failed', data: { documentId: input.documentId, name: input.name, code: error.code, message: error.message } });
    return { kind: 'failed', error };
  }

  private async setStatus(id: string, name: string, status: DocumentStatus, error: IngestError | null, event: { type: string; data: unknown } | null): Promise<void> {
    await this.m.commit(async (tx, log) => {
      await tx.query('UPDATE memory_documents SET status = $2, error = $3, updated_at = now() WHERE id = $1', [id, status, error ? JSON.stringify(error) : null]);
      if (event) log({ ...event, actor: ACTOR });
    });
    this.changed(id, name, status, error);
  }

  // ---- operator actions ----

  async reingest(id: string): Promise<string> {
    const doc = await this.mustFind(id);
    if (['queued', 'parsing', 'embedding'].includes(doc.status)) throw new ApiError({ code: 'conflict', message: `${doc.name} is being ingested already.` });
    if (!doc.sha256) {
      if (doc.source.startsWith('upload:')) throw new ApiError({ code: 'conflict', message: `${doc.name} was never read; upload it again.` });
      const [outcome] = await this.ingestPaths([doc.source], doc.folder_id);
      if (!outcome?.runId) throw new ApiError({ code: 'conflict', message: outcome?.error?.message ?? `${doc.name} cannot be read.` });
      return outcome.runId;
    }
    // Parse the kept original again: the same bytes, a fresh version (e.g. after a parser upgrade).
    const original = this.m.originals.pathFor(doc.sha256);
    await this.m.db.query('UPDATE memory_documents SET sha256 = NULL WHERE id = $1', [id]);
    const [outcome] = await this.queue([{ source: doc.source, path: original, name: doc.name, upload: false }], doc.folder_id);
    return outcome!.runId!;
  }

  /** Removes a document from memory: its chunks leave search; its versions stay in the history. */
  async remove(id: string, reason: 'operator' | 'file_deleted' = 'operator'): Promise<void> {
    const doc = await this.mustFind(id);
    if (doc.status === 'deleted') return;
    await this.m.commit(async (tx, log) => {
      await retireChunks(tx, this.m.bm25, id, null);
      await tx.query(`UPDATE memory_document_versions SET status = 'deleted', replaced_at = now() WHERE document_id = $1 AND status = 'indexed'`, [id]);
      await tx.query(`UPDATE memory_documents SET status = 'deleted', current_version = NULL, sha256 = NULL, chunk_count = 0, updated_at = now() WHERE id = $1`, [id]);
      log({ type: 'document.removed', actor: reason === 'operator' ? { kind: 'operator', name: 'operator' } : ACTOR, data: { documentId: id, name: doc.name, reason } });
    });
    this.changed(id, doc.name, 'deleted', null);
  }

  // ---- reading ----

  async row(id: string): Promise<DocumentRow | undefined> {
    const { rows } = await this.m.db.query<DocumentRow>('SELECT * FROM memory_documents WHERE id = $1', [id]);
    return rows[0];
  }

  /** A document with its current version's text (null until a version is stored): what agents read. */
  async current(id: string): Promise<(DocumentRow & { text: string | null }) | undefined> {
    const { rows } = await this.m.db.query<DocumentRow & { text: string | null }>(
      `SELECT d.*, v.text FROM memory_documents d
       LEFT JOIN memory_document_versions v ON v.document_id = d.id AND v.version = d.current_version WHERE d.id = $1`,
      [id],
    );
    return rows[0];
  }

  async mustFind(id: string): Promise<DocumentRow> {
    const doc = await this.row(id);
    if (!doc) throw new ApiError({ code: 'not_found', message: `There is no document ${id}.` });
    return doc;
  }

  async summary(id: string) {
    const { rows } = await this.m.db.query<DocumentRow>(`SELECT ${SUMMARY_COLUMNS} FROM memory_documents d WHERE d.id = $1`, [id]);
    if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no document ${id}.` });
    return toSummary(rows[0]);
  }

  async counts(): Promise<IngestCounts> {
    const { rows } = await this.m.db.query<{ status: DocumentStatus; n: string }>('SELECT status, count(*) AS n FROM memory_documents GROUP BY status');
    const counts: IngestCounts = { queued: 0, parsing: 0, embedding: 0, indexed: 0, failed: 0, deleted: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  // ---- events ----

  private changed(id: string, name: string, status: DocumentStatus, error: IngestError | null): void {
    this.m.notify('documents.changed', { id, name, status, error });
    this.progress();
  }

  /** Per-status counts for the status bar, at most a few times a second however many files move. */
  private progress(): void {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      void this.counts().then(
        (c) => this.m.notify('documents.progress', c),
        () => undefined,
      );
    }, 250);
    this.progressTimer.unref?.();
  }
}

function formatMb(bytes: number): string {
  const mb = bytes / MB;
  return `${mb >= 10 || Number.isInteger(mb) ? Math.round(mb) : mb.toFixed(1)} MB`;
}

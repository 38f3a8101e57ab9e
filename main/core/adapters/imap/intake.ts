import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { IngestOutcome } from '../../../../shared/domain/documents';
import type { ImapAttachment, ImapMessage, ImapOutcome } from '../../../../shared/domain/imap';
import type { Log } from '../../kernel/internals';
import type { Kernel } from '../../kernel/kernel';
import { INGEST_WORKFLOW, type Documents } from '../../memory/documents/documents';
import { headersOnly, messageName, readMessage, type DocumentPart, type MessageMeta } from './message';

/** A message's identity: the exactly-once key. */
export interface MessageKey {
  accountId: string;
  folder: string;
  uidValidity: string;
  uid: number;
}

export interface FolderMark {
  uidValidity: string;
  highestUid: number;
  /** The folder was renumbered once: messages are matched by fingerprint before being taken in. */
  renumbered: boolean;
}

export interface IntakeDeps {
  db: PGlite;
  kernel: Kernel;
  documents: Documents;
  /** Where the bytes wait until their ingest run keeps them (memory's uploads folder). */
  uploadsDir: string;
}

const ACTOR = { kind: 'system' as const, name: 'imap' };

type QueuedPart = ImapAttachment & { queued?: IngestOutcome };

/** `imap:<account>:<folder>:<uidvalidity>:<uid>`: the key as the ledger and the CONTEXT.md name it. */
export const keyText = (k: MessageKey) => `imap:${k.accountId}:${k.folder}:${k.uidValidity}:${k.uid}`;

/** The message document's source, in the shape of an IMAP URL (RFC 5092): the same message always maps to the same document. */
export const messageSource = (k: MessageKey) => `imap:${k.accountId}/${encodeURIComponent(k.folder)};UIDVALIDITY=${k.uidValidity}/;UID=${k.uid}`;
const partSource = (k: MessageKey, index: number) => `${messageSource(k)}/;SECTION=attachment-${index + 1}`;

const keyParams = (k: MessageKey) => [k.accountId, k.folder, k.uidValidity, k.uid];
const KEY_WHERE = 'account_id = $1 AND folder = $2 AND uid_validity = $3 AND uid = $4';

/**
 * Messages into memory, exactly once: the record of each message taken in, its documents'
 * rows and ingest runs, and the folder's high-water mark are one transaction. A message's
 * document raises `document.ingested` once stored (one triage run); its attachments are parts
 * of it (their `document.ingested` names the message in `partOf`, which triage skips).
 */
export class Intake {
  constructor(private readonly deps: IntakeDeps) {}

  // ---- folders ----

  async mark(accountId: string, folder: string): Promise<FolderMark | null> {
    const { rows } = await this.deps.db.query<{ uid_validity: string; highest_uid: string; previous_uid_validity: string | null }>(
      'SELECT uid_validity::text, highest_uid::text, previous_uid_validity::text FROM imap_folders WHERE account_id = $1 AND folder = $2',
      [accountId, folder],
    );
    const r = rows[0];
    return r ? { uidValidity: r.uid_validity, highestUid: Number(r.highest_uid), renumbered: r.previous_uid_validity !== null } : null;
  }

  /** A folder watched for the first time: mail up to `highestUid` was there before and is not taken in. */
  async startFolder(accountId: string, folder: string, uidValidity: string, highestUid: number): Promise<FolderMark> {
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(`INSERT INTO imap_folders (account_id, folder, uid_validity, highest_uid, updated_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING`, [
        accountId,
        folder,
        uidValidity,
        highestUid,
      ]);
      log({ type: 'imap.folder_watched', actor: ACTOR, data: { accountId, folder, uidValidity, from: highestUid + 1 } });
    });
    return (await this.mark(accountId, folder))!;
  }

  /**
   * The server renumbered the folder (a new UIDVALIDITY: restored from a backup, moved to
   * another server): every UID is new. From now on a message whose fingerprint was taken in
   * before is recorded as `seen_before` instead of being taken in again.
   */
  async renumbered(accountId: string, folder: string, from: string, to: string): Promise<FolderMark> {
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(`UPDATE imap_folders SET uid_validity = $3, highest_uid = 0, previous_uid_validity = $4, updated_at = now() WHERE account_id = $1 AND folder = $2`, [accountId, folder, to, from]);
      log({ type: 'imap.uidvalidity_changed', actor: ACTOR, data: { accountId, folder, from, to } });
    });
    return (await this.mark(accountId, folder))!;
  }

  // ---- messages ----

  async isTaken(k: MessageKey): Promise<boolean> {
    const { rows } = await this.deps.db.query(`SELECT 1 FROM imap_messages WHERE ${KEY_WHERE}`, keyParams(k));
    return rows.length > 0;
  }

  /** The document of a message with this fingerprint taken in from the folder under an earlier UIDVALIDITY. */
  async seenBefore(k: MessageKey, fingerprint: string): Promise<{ documentId: string | null } | null> {
    const { rows } = await this.deps.db.query<{ document_id: string | null }>(
      `SELECT document_id FROM imap_messages WHERE account_id = $1 AND folder = $2 AND fingerprint = $3 AND uid_validity <> $4 AND outcome <> 'seen_before' ORDER BY taken_at LIMIT 1`,
      [k.accountId, k.folder, fingerprint, k.uidValidity],
    );
    return rows[0] ? { documentId: rows[0].document_id } : null;
  }

  async recordSeenBefore(k: MessageKey, meta: MessageMeta, documentId: string | null): Promise<void> {
    await this.deps.kernel.commit(async (tx, log) => {
      if (!(await this.record(tx, k, meta, 'seen_before'))) return;
      await this.finish(tx, log, k, meta, 'seen_before', documentId, [], { sameAs: documentId });
    });
  }

  /** Takes in a whole message: its .eml and the attachments memory reads, as documents. */
  async take(k: MessageKey, meta: MessageMeta, raw: Buffer): Promise<boolean> {
    const read = await readMessage(raw);
    const others = read.others.map((o) => ({ ...o, documentId: null, sameAs: null }));
    return this.takeIn(k, meta, 'taken', raw, read.subject ?? meta.subject, read.documents, others, read.problem);
  }

  /** Takes in a message too large to fetch: its header and a note, as the message's document. */
  async takeHeadersOnly(k: MessageKey, meta: MessageMeta, headers: Buffer, capBytes: number): Promise<boolean> {
    const problem = `larger than the ${Math.round(capBytes / 1048576)} MB limit for e-mail intake: only its header was taken in`;
    return this.takeIn(k, meta, 'headers_only', headersOnly(headers, meta.size, capBytes, k.folder), meta.subject, [], [], problem);
  }

  private async takeIn(k: MessageKey, meta: MessageMeta, outcome: ImapOutcome, eml: Buffer, subject: string | null, parts: DocumentPart[], others: ImapAttachment[], problem: string | null): Promise<boolean> {
    // Unique file names: a second delivery racing the first can never overwrite bytes a queued run is about to read.
    const files = await this.writeFiles(k, eml, parts);
    let queued: IngestOutcome[] | null;
    try {
      queued = await this.deps.kernel.commit(async (tx, log) => {
        if (!(await this.record(tx, k, { ...meta, subject }, outcome))) return null;
        const [message] = await this.deps.documents.queueIn(tx, log, [{ source: messageSource(k), path: files.eml, name: messageName(subject), upload: true }], null);
        const attachments: QueuedPart[] = [...(await this.queueParts(tx, log, k, parts, files.parts, message!.documentId!)), ...others];
        await this.finish(tx, log, k, { ...meta, subject }, outcome, message!.documentId, attachments.map(({ queued: _, ...a }) => a), { ingestRunId: message!.runId, problem });
        return [message!, ...attachments.flatMap((a) => (a.queued ? [a.queued] : []))];
      });
    } catch (err) {
      this.discard(files);
      throw err;
    }
    if (!queued) {
      this.discard(files);
      return false;
    }
    this.deps.documents.queued(queued);
    return true;
  }

  /** Attachments become documents that are parts of the message; bytes already in memory are named, not stored twice. */
  private async queueParts(tx: Transaction, log: Log, k: MessageKey, parts: DocumentPart[], paths: string[], messageId: string): Promise<QueuedPart[]> {
    const out: QueuedPart[] = [];
    for (const [i, p] of parts.entries()) {
      const sha256 = createHash('sha256').update(p.content).digest('hex');
      const same = await tx.query<{ id: string }>(`SELECT id FROM memory_documents WHERE sha256 = $1 AND status <> 'deleted' LIMIT 1`, [sha256]);
      const base = { name: p.name, contentType: p.contentType, size: p.content.length };
      if (same.rows[0]) {
        out.push({ ...base, documentId: null, sameAs: same.rows[0].id });
        continue;
      }
      const [queued] = await this.deps.documents.queueIn(tx, log, [{ source: partSource(k, p.index), path: paths[i]!, name: p.name, upload: true, partOf: messageId }], null);
      out.push({ ...base, documentId: queued!.documentId, sameAs: null, queued: queued! });
    }
    return out;
  }

  /** The exactly-once gate: false when the message was taken in already (by an earlier connection or process). */
  private async record(tx: Transaction, k: MessageKey, meta: MessageMeta, outcome: ImapOutcome): Promise<boolean> {
    const { rows } = await tx.query(
      `INSERT INTO imap_messages (account_id, folder, uid_validity, uid, message_id, fingerprint, subject, size, outcome, taken_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) ON CONFLICT DO NOTHING RETURNING uid`,
      [...keyParams(k), meta.messageId, meta.fingerprint, meta.subject, meta.size, outcome],
    );
    return rows.length > 0;
  }

  /** The message's documents, the folder's high-water mark and the ledger event, in the transaction that recorded it. */
  private async finish(tx: Transaction, log: Log, k: MessageKey, meta: MessageMeta, outcome: ImapOutcome, documentId: string | null, attachments: ImapAttachment[], extra: Record<string, unknown>): Promise<void> {
    await tx.query(`UPDATE imap_messages SET document_id = $5, attachments = $6 WHERE ${KEY_WHERE}`, [...keyParams(k), documentId, JSON.stringify(attachments)]);
    await tx.query(`UPDATE imap_folders SET highest_uid = GREATEST(highest_uid, $4), updated_at = now() WHERE account_id = $1 AND folder = $2 AND uid_validity = $3`, keyParams(k));
    log({
      type: outcome === 'seen_before' ? 'imap.message_seen_before' : 'imap.message_taken',
      actor: ACTOR,
      data: { key: keyText(k), ...k, outcome, messageId: meta.messageId, subject: meta.subject, size: meta.size, documentId, attachments: attachments.map((a) => ({ name: a.name, documentId: a.documentId, sameAs: a.sameAs })), ...extra },
    });
  }

  private async writeFiles(k: MessageKey, eml: Buffer, parts: DocumentPart[]): Promise<{ eml: string; parts: string[] }> {
    const stem = `imap-${createHash('sha256').update(keyText(k)).digest('hex').slice(0, 16)}-${randomUUID().slice(0, 8)}`;
    const emlPath = join(this.deps.uploadsDir, `${stem}.eml`);
    await writeFile(emlPath, eml);
    const partPaths: string[] = [];
    for (const p of parts) {
      const path = join(this.deps.uploadsDir, `${stem}-${p.index + 1}.att`);
      await writeFile(path, p.content);
      partPaths.push(path);
    }
    return { eml: emlPath, parts: partPaths };
  }

  private discard(files: { eml: string; parts: string[] }): void {
    for (const f of [files.eml, ...files.parts]) rmSync(f, { force: true });
  }

  /**
   * Bytes written for a message whose transaction never committed (the process died between
   * the two) belong to no ingest run: removed at start, before any folder is watched. The
   * message itself is above the folder's mark still, so it is fetched again.
   */
  async sweep(): Promise<void> {
    if (!existsSync(this.deps.uploadsDir)) return;
    const files = readdirSync(this.deps.uploadsDir)
      .filter((f) => f.startsWith('imap-'))
      .map((f) => join(this.deps.uploadsDir, f));
    if (!files.length) return;
    const { rows } = await this.deps.db.query<{ path: string }>(`SELECT input->>'path' AS path FROM kernel_runs WHERE workflow = $2 AND input->>'path' = ANY($1)`, [files, INGEST_WORKFLOW]);
    const used = new Set(rows.map((r) => r.path));
    for (const f of files) if (!used.has(f)) rmSync(f, { force: true });
  }

  // ---- reading ----

  /** Per folder: messages taken in (not counting ones seen before a renumbering) and the mark. */
  async folderCounts(): Promise<Map<string, { taken: number; uidValidity: string | null; highestUid: number | null }>> {
    const { rows } = await this.deps.db.query<{ account_id: string; folder: string; taken: string; uid_validity: string | null; highest_uid: string | null }>(
      `SELECT f.account_id, f.folder, f.uid_validity::text, f.highest_uid::text,
         (SELECT count(*) FROM imap_messages m WHERE m.account_id = f.account_id AND m.folder = f.folder AND m.outcome <> 'seen_before') AS taken
       FROM imap_folders f`,
    );
    return new Map(rows.map((r) => [folderKey(r.account_id, r.folder), { taken: Number(r.taken), uidValidity: r.uid_validity, highestUid: r.highest_uid === null ? null : Number(r.highest_uid) }]));
  }

  /** Messages taken in, newest first, with the triage run each document started (matched on the run's trigger in one pass). */
  async messages(accountId: string | undefined, limit: number): Promise<ImapMessage[]> {
    const { rows } = await this.deps.db.query<MessageRow>(
      `WITH page AS (SELECT * FROM imap_messages WHERE ($1::text IS NULL OR account_id = $1) ORDER BY taken_at DESC, uid DESC LIMIT $2)
       SELECT DISTINCT ON (p.taken_at, p.uid, p.account_id, p.folder, p.uid_validity)
         p.account_id, p.folder, p.uid_validity::text, p.uid::text, p.message_id, p.subject, p.size::text, p.outcome, p.document_id, p.attachments, p.taken_at,
         r.id AS triage_run_id, r.created_at AS triage_started_at
       FROM page p LEFT JOIN kernel_runs r ON r.workflow = 'agent.triage' AND r.trigger->'payload'->>'documentId' = p.document_id
       ORDER BY p.taken_at DESC, p.uid DESC, p.account_id, p.folder, p.uid_validity, r.created_at`,
      [accountId ?? null, limit],
    );
    return rows.map(toMessage);
  }
}

export const folderKey = (accountId: string, folder: string) => `${accountId}\u0000${folder}`;

interface MessageRow {
  account_id: string;
  folder: string;
  uid_validity: string;
  uid: string;
  message_id: string | null;
  subject: string | null;
  size: string;
  outcome: ImapOutcome;
  document_id: string | null;
  attachments: ImapAttachment[];
  taken_at: Date;
  triage_run_id: string | null;
  triage_started_at: Date | null;
}

function toMessage(r: MessageRow): ImapMessage {
  return {
    accountId: r.account_id,
    folder: r.folder,
    uidValidity: r.uid_validity,
    uid: Number(r.uid),
    messageId: r.message_id,
    subject: r.subject,
    size: Number(r.size),
    outcome: r.outcome,
    documentId: r.document_id,
    attachments: r.attachments,
    takenAt: r.taken_at.toISOString(),
    triageRunId: r.triage_run_id,
    triageStartedAt: r.triage_started_at?.toISOString() ?? null,
  };
}

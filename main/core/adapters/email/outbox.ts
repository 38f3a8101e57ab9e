import type { PGlite } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';

/** What is kept of a message: who, to whom, what about. Never the password, never the body (only its hash). */
export interface OutboxEnvelope {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  inReplyTo: string | null;
}

/** What a send returns, recorded in the outbox and returned again on every replay. */
export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's final answer (e.g. "250 OK: queued as ..."), or how the operator confirmed it. */
  response: string;
  sentAt: string;
}

export interface OutboxEntry {
  idempotencyKey: string;
  action: string;
  messageId: string;
  status: 'sending' | 'sent';
  envelope: OutboxEnvelope;
  bodySha256: string;
  smtpResponse: string | null;
  result: SendResult | null;
  note: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface Row {
  idempotency_key: string;
  action: string;
  message_id: string;
  status: 'sending' | 'sent';
  envelope: OutboxEnvelope;
  body_sha256: string;
  smtp_response: string | null;
  result: SendResult | null;
  note: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toEntry(r: Row): OutboxEntry {
  return {
    idempotencyKey: r.idempotency_key,
    action: r.action,
    messageId: r.message_id,
    status: r.status,
    envelope: r.envelope,
    bodySha256: r.body_sha256,
    smtpResponse: r.smtp_response,
    result: r.result,
    note: r.note,
    createdAt: iso(r.created_at)!,
    sentAt: iso(r.sent_at),
  };
}

export async function getOutboxEntry(db: PGlite, key: string): Promise<OutboxEntry | null> {
  const { rows } = await db.query<Row>('SELECT * FROM email_outbox WHERE idempotency_key = $1', [key]);
  return rows[0] ? toEntry(rows[0]) : null;
}

/** Sends whose outcome is unknown (interrupted mid-transfer): each waits for the operator. */
export async function listUncertainSends(db: PGlite): Promise<OutboxEntry[]> {
  const { rows } = await db.query<Row>(`SELECT * FROM email_outbox WHERE status = 'sending' ORDER BY created_at`);
  return rows.map(toEntry);
}

/**
 * Marks a send as started, durably, before the connection opens. Returns null when this call
 * claimed the key, or the entry already there (a replay) when it did not.
 */
export async function claimOutbox(
  db: PGlite,
  draft: { key: string; action: string; messageId: string; envelope: OutboxEnvelope; bodySha256: string },
  now = new Date(),
): Promise<OutboxEntry | null> {
  const { rows } = await db.query(
    `INSERT INTO email_outbox (idempotency_key, action, message_id, status, envelope, body_sha256, created_at, updated_at)
     VALUES ($1, $2, $3, 'sending', $4, $5, $6, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1`,
    [draft.key, draft.action, draft.messageId, JSON.stringify(draft.envelope), draft.bodySha256, now.toISOString()],
  );
  return rows.length ? null : getOutboxEntry(db, draft.key);
}

export async function markSent(db: PGlite, key: string, result: SendResult, note: string | null = null): Promise<void> {
  await db.query(
    `UPDATE email_outbox SET status = 'sent', smtp_response = $2, result = $3, note = COALESCE($4, note), sent_at = $5, updated_at = $5 WHERE idempotency_key = $1`,
    [key, result.response, JSON.stringify(result), note, result.sentAt],
  );
}

/** The server refused, or the connection failed before DATA: nothing left, the key may send again. */
export async function releaseOutbox(db: PGlite, key: string): Promise<void> {
  await db.query(`DELETE FROM email_outbox WHERE idempotency_key = $1 AND status = 'sending'`, [key]);
}

function uncertain(entry: OutboxEntry | null, key: string): OutboxEntry {
  if (!entry) throw new ApiError({ code: 'not_found', message: `There is no e-mail in the outbox under ${key}.` });
  if (entry.status !== 'sending') throw new ApiError({ code: 'conflict', message: `The e-mail ${entry.messageId} was already recorded as sent; there is nothing to decide.` });
  return entry;
}

/**
 * The operator found the message in the recipient's inbox (or their Sent folder): record it as
 * sent. Retrying the run then returns this result without sending.
 */
export async function confirmOutboxSent(db: PGlite, key: string, note = 'confirmed by the operator', now = new Date()): Promise<SendResult> {
  const entry = uncertain(await getOutboxEntry(db, key), key);
  const recipients = [...entry.envelope.to, ...entry.envelope.cc];
  const result: SendResult = { messageId: entry.messageId, accepted: recipients, rejected: [], response: `not answered by the server: ${note}`, sentAt: now.toISOString() };
  await markSent(db, key, result, note);
  return result;
}

/**
 * The operator found the message did not arrive: forget the interrupted attempt, so retrying
 * the run sends it again (with the same Message-ID, so a copy that did arrive after all is
 * recognisable as the same message).
 */
export async function allowResend(db: PGlite, key: string): Promise<void> {
  uncertain(await getOutboxEntry(db, key), key);
  await releaseOutbox(db, key);
}

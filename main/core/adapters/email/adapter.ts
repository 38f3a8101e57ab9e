import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { z } from 'zod';
import { defineAction, type ActionContext, type Adapter } from '../../kernel/adapters/adapter';
import { KernelError, permanent } from '../../kernel/errors';
import type { Compensation } from '../../kernel/workflow';
import type { SecretStore } from '../../secrets/store';
import { claimOutbox, getOutboxEntry, markSent, releaseOutbox, type OutboxEntry, type OutboxEnvelope, type SendResult } from './outbox';
import { SmtpSettings } from './settings';
import { deliveryUncertain, describeSmtpFailure, noPasswordMessage, smtpExchange, SmtpFailure } from './smtp';

export interface EmailDeps {
  db: PGlite;
  secrets: SecretStore;
  /**
   * Starts the run that proposes a correction to the operator (email.correction), once per
   * key. Without it, `propose_correction` is refused: nothing may send a correction unasked.
   */
  proposeCorrection?: (correction: CorrectionArgs, reason: string | null, idempotencyKey: string) => Promise<{ runId: string }>;
  /** Read at every send, so a change in the settings applies to the next message. */
  settings: () => Promise<SmtpSettings | null>;
}

const Address = z.email().max(320);
const HeaderText = z.string().max(998).regex(/^[^\r\n]*$/, 'one line, no line breaks');
const MessageId = z.string().max(998).regex(/^<[^<>\s]+@[^<>\s]+>$/, 'a Message-ID like <id@domain>');
const MAX_BODY = 1_000_000;

export const SendArgs = z.strictObject({
  to: z.array(Address).min(1).max(100),
  cc: z.array(Address).max(100).optional(),
  subject: HeaderText,
  text: z.string().max(MAX_BODY),
  html: z.string().max(MAX_BODY).optional(),
  inReplyTo: MessageId.optional(),
  references: z.array(MessageId).max(100).optional(),
});
export type SendArgs = z.infer<typeof SendArgs>;

/** A follow-up to a message already sent: mail cannot be unsent, so undoing one is a correction in the same thread. */
export const CorrectionArgs = z.strictObject({
  originalMessageId: MessageId,
  to: z.array(Address).min(1).max(100),
  cc: z.array(Address).max(100).optional(),
  subject: HeaderText,
  text: z.string().max(MAX_BODY),
  html: z.string().max(MAX_BODY).optional(),
  references: z.array(MessageId).max(100).optional(),
});
export type CorrectionArgs = z.infer<typeof CorrectionArgs>;

/** The same key gives the same Message-ID, so a replayed or resent message is recognisably the same one. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<keel-${hash}@${from.split('@').pop()}>`;
}

/**
 * A compensation for `email.send`: the correction proposed to the operator (sent in the same
 * thread once approved) if the saga is rolled back. Use as `ctx.effect('email', 'send', args, { compensate: emailCorrection('...') })`.
 */
export function emailCorrection(text: string, subject?: string): (result: SendResult, args: unknown) => Compensation {
  return (result, args) => {
    const sent = SendArgs.parse(args);
    const correction: CorrectionArgs = {
      originalMessageId: result.messageId,
      to: sent.to,
      ...(sent.cc ? { cc: sent.cc } : {}),
      subject: subject ?? `Correction: ${sent.subject}`.slice(0, 998),
      text,
      ...(sent.references ? { references: sent.references } : {}),
    };
    return { action: 'propose_correction', args: { correction, reason: null } };
  };
}

/**
 * E-mail out through the operator's SMTP server (DESIGN.md §6). Every send is recorded in the
 * outbox by idempotency key before the connection opens; see this folder's CONTEXT.md for
 * what a replay does in each state.
 */
export function emailAdapter(deps: EmailDeps): Adapter {
  return {
    name: 'email',
    version: '1.0.0',
    actions: {
      send: defineAction({
        risk: 'high',
        summary: 'Send an e-mail through your SMTP server.',
        args: SendArgs,
        run: (args, ctx) => deliver(deps, 'send', args, ctx),
      }),
      propose_correction: defineAction({
        risk: 'low',
        summary: 'Propose a correction to an e-mail already sent: it waits in the inbox, and only your approval sends it.',
        args: z.strictObject({ correction: CorrectionArgs, reason: z.string().max(2000).nullable() }),
        run: async ({ correction, reason }, ctx) => {
          if (!deps.proposeCorrection) throw permanent('Corrections cannot be proposed here: no inbox is connected to the e-mail adapter.');
          return deps.proposeCorrection(correction, reason, ctx.idempotencyKey);
        },
      }),
      send_correction: defineAction({
        risk: 'high',
        summary: 'Send a correction to an e-mail already sent, in the same thread (e-mail cannot be unsent).',
        args: CorrectionArgs,
        run: ({ originalMessageId, references, ...rest }, ctx) =>
          deliver(deps, 'send_correction', { ...rest, inReplyTo: originalMessageId, references: [...(references ?? []), originalMessageId] }, ctx),
      }),
    },
  };
}

async function deliver(deps: EmailDeps, action: string, args: SendArgs, ctx: ActionContext): Promise<SendResult> {
  const key = ctx.idempotencyKey;
  const earlier = await getOutboxEntry(deps.db, key);
  if (earlier) return replay(earlier);
  const settings = await loadSettings(deps);
  const password = await loadPassword(deps, settings);
  const messageId = messageIdFor(key, settings.from);
  const { envelope, raw } = await compose(settings, args, messageId);
  const summary: OutboxEnvelope = { from: settings.from, to: args.to, cc: args.cc ?? [], subject: args.subject, inReplyTo: args.inReplyTo ?? null };
  const bodySha256 = createHash('sha256').update(raw).digest('hex');
  const claimed = await claimOutbox(deps.db, { key, action, messageId, envelope: summary, bodySha256 });
  if (claimed) return replay(claimed);

  let info: Awaited<ReturnType<typeof smtpExchange>>;
  try {
    info = await smtpExchange(settings, password, ctx.signal, { envelope, raw });
  } catch (err) {
    throw await failed(deps.db, key, err, settings, password, summary, messageId);
  }
  faultPoint('email.after_send'); // accepted by the server, outbox still says 'sending'
  const result: SendResult = { messageId, accepted: info!.accepted.map(String), rejected: info!.rejected.map(String), response: info!.response, sentAt: new Date().toISOString() };
  await markSent(deps.db, key, result);
  faultPoint('email.after_record'); // outbox says 'sent', the kernel has not recorded the step
  return result;
}

/** A key seen before: a finished send returns its result; an interrupted one cannot be decided here. */
function replay(entry: OutboxEntry): SendResult {
  if (entry.status === 'sent' && entry.result) return entry.result;
  throw uncertainSend(entry.envelope, entry.messageId, entry.idempotencyKey, `a send started at ${entry.createdAt} was interrupted before the server's answer was recorded`);
}

/**
 * Permanent, so the kernel does not retry on its own: resending blindly could deliver twice.
 * The workflow's policy decides what follows (`escalate` pauses the run for the operator).
 */
export function uncertainSend(env: OutboxEnvelope, messageId: string, key: string, why: string): KernelError {
  return permanent(
    `The e-mail "${env.subject}" to ${env.to.join(', ')} may already have been sent (Message-ID ${messageId}): ${why}. ` +
      `Check the recipient's inbox or your Sent folder, then confirm it was sent or resend it.`,
    { code: 'uncertain', reason: 'email.uncertain_send', messageId, idempotencyKey: key },
  );
}

async function failed(db: PGlite, key: string, err: unknown, settings: SmtpSettings, password: string, env: OutboxEnvelope, messageId: string): Promise<unknown> {
  if (!(err instanceof SmtpFailure)) {
    await releaseOutbox(db, key);
    return err;
  }
  if (deliveryUncertain(err)) return uncertainSend(env, messageId, key, `the connection broke while the server was receiving it (${err.smtp.code ?? err.message})`);
  await releaseOutbox(db, key);
  const { code, kind, message } = describeSmtpFailure(err, settings, password);
  return new KernelError(kind, message, { code, ...(err.smtp.responseCode ? { responseCode: err.smtp.responseCode } : {}) });
}

async function loadSettings(deps: EmailDeps): Promise<SmtpSettings> {
  const raw = await deps.settings();
  if (!raw) throw permanent('E-mail is not set up: add your SMTP server in the e-mail settings.', { code: 'not_configured' });
  const parsed = SmtpSettings.safeParse(raw);
  if (!parsed.success) throw permanent(`The e-mail settings are invalid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`, { code: 'not_configured' });
  return parsed.data;
}

async function loadPassword(deps: EmailDeps, settings: SmtpSettings): Promise<string> {
  let password: string | null;
  try {
    password = await deps.secrets.get(settings.passwordSecretId);
  } catch (err) {
    throw permanent(`The SMTP password cannot be read: ${(err as Error).message}`, { code: 'no_password' });
  }
  if (!password) throw permanent(noPasswordMessage(settings), { code: 'no_password' });
  return password;
}

/** The finished message, byte for byte: no file or URL is ever read into it (content is data). */
async function compose(s: SmtpSettings, a: SendArgs, messageId: string) {
  const node = new MailComposer({
    from: s.fromName ? { name: s.fromName, address: s.from } : s.from,
    to: a.to,
    ...(a.cc?.length ? { cc: a.cc } : {}),
    subject: a.subject,
    text: a.text,
    ...(a.html !== undefined ? { html: a.html } : {}),
    messageId,
    ...(a.inReplyTo ? { inReplyTo: a.inReplyTo } : {}),
    ...(a.references?.length ? { references: a.references } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  return { envelope: node.getEnvelope(), raw: await node.build() };
}

/** Crash-test hook: kills this process at a named point, only when KEEL_FAULT names it. */
function faultPoint(name: string): void {
  if (process.env.KEEL_FAULT === name) process.kill(process.pid, 'SIGKILL');
}

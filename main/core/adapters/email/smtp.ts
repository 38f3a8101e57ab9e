import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { ConnectionCheck, SmtpErrorCode } from '../../../../shared/domain/email';
import type { ErrorKind } from '../../../../shared/domain/kernel';
import type { SecretStore } from '../../secrets/store';
import { isLoopback, type SmtpSettings } from './settings';

export type SmtpPhase = 'connect' | 'login' | 'send';
export type SmtpError = NodeJS.ErrnoException & SMTPConnection.SMTPError & { library?: string };

/** A failed SMTP exchange and how far it got: what decides whether the message may have left. */
export class SmtpFailure extends Error {
  constructor(
    readonly phase: SmtpPhase,
    readonly smtp: SmtpError,
  ) {
    super(smtp.message);
    this.name = 'SmtpFailure';
  }
}

export interface Outgoing {
  envelope: SMTPConnection.Envelope;
  raw: Buffer;
}

const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

function connectionOptions(s: SmtpSettings): SMTPConnection.Options {
  // Off this machine the password only travels over TLS: implicit (secure) or STARTTLS, required.
  return { host: s.host, port: s.port, secure: s.secure, requireTLS: !s.secure && !isLoopback(s.host), logger: false, debug: false, ...TIMEOUTS };
}

/**
 * One SMTP conversation: connect, log in, and send `message` if given (otherwise just check
 * the login). Rejects with an SmtpFailure naming the phase it failed in. Abort closes the
 * connection. The phases are driven here, not by nodemailer's transport, because "did the
 * message leave?" depends on exactly where it stopped.
 */
export function smtpExchange(s: SmtpSettings, password: string, signal: AbortSignal, message: Outgoing | null): Promise<SMTPConnection.SentMessageInfo | null> {
  return new Promise((resolve, reject) => {
    let phase: SmtpPhase = 'connect';
    let settled = false;
    const conn = new SMTPConnection(connectionOptions(s));
    const finish = (err: SmtpError | null | undefined, info: SMTPConnection.SentMessageInfo | null = null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        conn.close();
        reject(new SmtpFailure(phase, err));
      } else {
        conn.quit();
        resolve(info);
      }
    };
    const fail = (message: string, code: string) => finish(Object.assign(new Error(message), { code }));
    const onAbort = () => fail('Cancelled (the step timed out or Keel is stopping).', 'EABORT');
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    conn.on('error', (err: SmtpError) => finish(err)); // kept after settling: an unheard 'error' would crash the process
    conn.once('end', () => fail('The server closed the connection.', 'ECONNECTION'));
    conn.connect((err) => {
      if (err) return finish(err);
      phase = 'login';
      conn.login({ user: s.user, pass: password }, (err) => {
        if (err || !message) return finish(err);
        phase = 'send';
        conn.send(message.envelope, message.raw, (err, info) => finish(err, info));
      });
    });
  });
}

/**
 * True when the message may have reached the server: the failure came while it was being
 * transmitted and the server gave no answer. A refusal (an SMTP code) or a failure before
 * DATA means nothing was accepted.
 */
export function deliveryUncertain(f: SmtpFailure): boolean {
  return f.phase === 'send' && !f.smtp.responseCode && !['MAIL FROM', 'RCPT TO', 'API'].includes(f.smtp.command ?? '');
}

const isTls = (e: SmtpError) => e.code === 'ETLS' || e.library !== undefined || /certificate|ssl|tls|handshake/i.test(e.message);

/** A failure as a code, a kind the kernel acts on, and a sentence the operator can act on. */
export function describeSmtpFailure(f: SmtpFailure, s: SmtpSettings, password: string): { code: SmtpErrorCode; kind: ErrorKind; message: string } {
  const e = f.smtp;
  const at = `${s.host}:${s.port}`;
  const said = redact((e.response ?? e.message).trim(), s.user, password);
  if (e.code === 'EAUTH') {
    return { code: 'auth_failed', kind: 'permanent', message: `The SMTP server ${at} refused the login for "${s.user}" (${said}). Check the user name and the password in the e-mail settings.` };
  }
  if (isTls(e)) {
    const hint = s.secure ? 'If the server uses STARTTLS (usually port 587), turn "secure" off.' : 'If the server expects TLS from the start (usually port 465), turn "secure" on.';
    return { code: 'tls', kind: 'permanent', message: `TLS with the SMTP server ${at} failed (${said}). ${hint} A certificate error means the server's certificate is not trusted.` };
  }
  if (e.code === 'EABORT') return { code: 'other', kind: 'transient', message: `Sending through ${at} was interrupted: ${said}` };
  if (f.phase === 'connect' && !e.responseCode) {
    return { code: 'cannot_connect', kind: 'transient', message: `Cannot connect to the SMTP server ${at} (${said}). Check the host and port, or try again later.` };
  }
  if (e.responseCode && e.responseCode >= 400 && e.responseCode < 500) {
    return { code: 'temporary', kind: 'transient', message: `The SMTP server ${at} is temporarily refusing (${said}); Keel will try again.` };
  }
  if (e.responseCode && e.responseCode >= 500) {
    return { code: 'rejected', kind: 'permanent', message: `The SMTP server ${at} refused the message (${said}).` };
  }
  return { code: 'other', kind: 'transient', message: `The SMTP exchange with ${at} failed during ${f.phase} (${said}).` };
}

/** Servers rarely echo credentials, but an error message must never be the place one leaks. */
export function redact(text: string, user: string, password: string): string {
  if (!password) return text;
  const forms = [password, Buffer.from(password).toString('base64'), Buffer.from(`\u0000${user}\u0000${password}`).toString('base64')];
  return forms.reduce((t, f) => t.split(f).join('••••'), text);
}

/**
 * Checks settings before they are saved or used: connects, negotiates TLS and logs in,
 * sending nothing. `password` tests one not stored yet; otherwise the stored one is used.
 */
export async function testConnection(settings: SmtpSettings, secrets: Pick<SecretStore, 'get'>, options: { password?: string; timeoutMs?: number } = {}): Promise<ConnectionCheck> {
  const password = options.password ?? (await secrets.get(settings.passwordSecretId));
  if (!password) return { ok: false, code: 'no_password', message: noPasswordMessage(settings) };
  try {
    await smtpExchange(settings, password, AbortSignal.timeout(options.timeoutMs ?? 30_000), null);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof SmtpFailure)) throw err;
    const { code, message } = describeSmtpFailure(err, settings, password);
    return { ok: false, code, message };
  }
}

export const noPasswordMessage = (s: SmtpSettings) => `No SMTP password is stored for ${s.user} (secret "${s.passwordSecretId}"). Enter it in the e-mail settings.`;

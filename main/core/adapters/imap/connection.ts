import { ImapFlow, type ImapFlowError, type ImapFlowOptions } from 'imapflow';
import type { ImapAccount, ImapCheck, ImapErrorCode } from '../../../../shared/domain/imap';
import { isLoopback } from '../email/settings';
import { redact } from '../email/smtp';

/** What a connection needs of an account. */
export type ImapTarget = Pick<ImapAccount, 'host' | 'port' | 'secure' | 'user'>;

/** A failure as a code and a sentence the operator can act on (the password never in it). */
export class ImapFailure extends Error {
  constructor(
    readonly code: ImapErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImapFailure';
  }
}

/**
 * IDLE restarts every 4 minutes: under imapflow's 5-minute socket watchdog, and well under
 * the 29 minutes after which RFC 2177 lets a server drop an idle client.
 */
const MAX_IDLE_MS = 4 * 60_000;

export function clientOptions(a: ImapTarget, password: string): ImapFlowOptions {
  return {
    host: a.host,
    port: a.port,
    secure: a.secure,
    // Off this machine the password only travels over TLS: implicit (secure) or STARTTLS,
    // required. On this machine (a local bridge with its own certificate) it stays in clear.
    doSTARTTLS: a.secure ? undefined : !isLoopback(a.host),
    auth: { user: a.user, pass: password },
    logger: false,
    clientInfo: { name: 'Keel' },
    // IDLE a second after the last command, so new mail is pushed almost at once after a catch-up.
    autoIdleDelay: 1000,
    maxIdleTime: MAX_IDLE_MS,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
  };
}

/** Errors of the network (before the server answered anything useful). */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'NoConnection',
  'EConnectionClosed',
  'ETIMEOUT',
  'StateLogout',
]);

/**
 * Any error of a connection as an ImapFailure. `phase` says whether the connection had been
 * set up: a broken connection is `cannot_connect` before (retried with backoff) and `dropped`
 * after (reconnected at once).
 */
export function describeImapError(err: unknown, a: ImapTarget, password: string, phase: 'connect' | 'session', folder?: string): ImapFailure {
  if (err instanceof ImapFailure) return err;
  const e = (err ?? {}) as ImapFlowError;
  const at = `${a.host}:${a.port}`;
  const said = redact(String(e.responseText || e.reason || e.message || e).trim(), a.user, password);
  if (e.authenticationFailed) {
    return new ImapFailure('auth_failed', `The IMAP server ${at} refused the login for "${a.user}" (${said}). Check the user name and the password in the intake settings; Keel will not keep retrying a refused login.`);
  }
  if (e.tlsFailed || e.code?.startsWith('ERR_SSL') || e.code?.includes('CERT') || /certificate|ssl|tls|handshake/i.test(e.message ?? '')) {
    const hint = a.secure ? 'If the server uses STARTTLS (usually port 143), turn "secure" off.' : 'If the server expects TLS from the start (usually port 993), turn "secure" on.';
    return new ImapFailure('tls', `TLS with the IMAP server ${at} failed (${said}). ${hint} A certificate error means the server's certificate is not trusted.`);
  }
  if (e.mailboxMissing) return new ImapFailure('folder_missing', `The folder "${folder ?? e.path}" does not exist on ${at} (${said}). Choose one of the server's folders in the intake settings.`);
  if (phase === 'connect' && (NETWORK.has(e.code ?? '') || !e.responseStatus)) {
    return new ImapFailure('cannot_connect', `Cannot connect to the IMAP server ${at} (${said}). Check the host and port, or wait: Keel tries again.`);
  }
  if (NETWORK.has(e.code ?? '')) return new ImapFailure('dropped', `The connection to ${at} broke (${said}); Keel reconnects and takes nothing twice.`);
  if (e.responseStatus) return new ImapFailure('server', `The IMAP server ${at} answered ${e.responseStatus} to ${e.command ?? 'a command'} (${said}).`);
  return new ImapFailure('other', `IMAP with ${at} failed: ${said}`);
}

/**
 * Checks an account before it is saved or used: connects, negotiates TLS, logs in and lists
 * the folders. Fetches no mail.
 */
export async function testImap(a: ImapTarget, password: string): Promise<ImapCheck> {
  const client = new ImapFlow({ ...clientOptions(a, password), connectionTimeout: 15_000 });
  client.on('error', () => undefined); // reported by the failing call below
  let phase: 'connect' | 'session' = 'connect';
  try {
    await client.connect();
    phase = 'session';
    const folders = (await client.list()).map((f) => ({ path: f.path, specialUse: f.specialUse ?? null }));
    const idle = client.capabilities.has('IDLE');
    await client.logout();
    return { ok: true, folders, idle };
  } catch (err) {
    const f = describeImapError(err, a, password, phase);
    return { ok: false, code: f.code, message: f.message };
  } finally {
    client.close();
  }
}

import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The Message-ID header as sent, with its angle brackets. */
  messageId: string | null;
  /** Who logged in to send it. */
  user: string | null;
  /** The SMTP envelope (MAIL FROM / RCPT TO). */
  mailFrom: string | null;
  rcptTo: string[];
  subject: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  text: string | null;
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  raw: string;
}

export interface TestSmtpOptions {
  /** Accounts that may log in; AUTH is required. */
  users?: Record<string, string>;
  /** Offer STARTTLS with smtp-server's built-in self-signed certificate (clients that verify certificates refuse it). */
  starttls?: boolean;
  /** Answer a message with an SMTP error instead of accepting it (it is then not recorded). */
  reject?: (mail: ReceivedMail) => { code: number; message: string } | null;
}

type Listener = (mail: ReceivedMail) => void;

const addresses = (v: unknown): string[] => {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.flatMap((a: { value?: { address?: string }[] }) => (a.value ?? []).map((x) => x.address ?? '')).filter(Boolean);
};

/**
 * A real SMTP server on 127.0.0.1 standing in for the operator's mail provider. It requires a
 * login, records every accepted message (with its Message-ID, parsed headers and raw source)
 * and every login attempt. Plain-text AUTH is allowed because it only ever listens on loopback.
 * `stop()` then `start(port)` brings it back on the same port (a server that was down).
 */
export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  readonly logins: { user: string; ok: boolean }[] = [];
  readonly host = '127.0.0.1';
  port = 0;
  private server: SMTPServer | null = null;
  private listeners: Listener[] = [];

  constructor(private readonly options: TestSmtpOptions = {}) {}

  async start(port = this.port): Promise<this> {
    const server = this.create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages with this Message-ID (with or without angle brackets). */
  withMessageId(id: string): ReceivedMail[] {
    const bare = id.replace(/^<|>$/g, '');
    return this.messages.filter((m) => m.messageId?.replace(/^<|>$/g, '') === bare);
  }

  onMessage(fn: Listener): () => void {
    this.listeners.push(fn);
    return () => void this.listeners.splice(this.listeners.indexOf(fn), 1);
  }

  /** Resolves once `n` messages in all have arrived. */
  waitForMessages(n: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    if (this.messages.length >= n) return Promise.resolve(this.messages);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (off(), reject(new Error(`only ${this.messages.length} of ${n} messages arrived within ${timeoutMs} ms`))), timeoutMs);
      const off = this.onMessage(() => {
        if (this.messages.length < n) return;
        clearTimeout(timer);
        off();
        resolve(this.messages);
      });
    });
  }

  private create(): SMTPServer {
    const users = this.options.users ?? { keel: 'secret' };
    return new SMTPServer({
      secure: false,
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: this.options.starttls ? [] : ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, done) => {
        const ok = auth.username !== undefined && users[auth.username] === auth.password;
        this.logins.push({ user: auth.username ?? '', ok });
        if (ok) return done(null, { user: auth.username });
        done(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => void this.receive(Buffer.concat(chunks), session, done));
      },
    });
  }

  private async receive(raw: Buffer, session: { user?: unknown; envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] } }, done: (err?: Error | null) => void) {
    const parsed = await simpleParser(raw);
    const mail: ReceivedMail = {
      messageId: parsed.messageId ?? null,
      user: typeof session.user === 'string' ? session.user : null,
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
      subject: parsed.subject ?? null,
      from: addresses(parsed.from)[0] ?? null,
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      text: parsed.text ?? null,
      html: typeof parsed.html === 'string' ? parsed.html : null,
      inReplyTo: parsed.inReplyTo ?? null,
      references: Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : [],
      raw: raw.toString('utf8'),
    };
    const refusal = this.options.reject?.(mail);
    if (refusal) return done(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    this.messages.push(mail);
    for (const fn of [...this.listeners]) fn(mail);
    done();
  }
}

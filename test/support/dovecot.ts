import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { tempDir } from './temp';

const run = promisify(execFile);

export const DOVECOT = process.env.KEEL_DOVECOT ?? '/usr/sbin/dovecot';
export const DOVEADM = process.env.KEEL_DOVEADM ?? '/usr/bin/doveadm';

export interface DovecotOptions {
  /** user → password (stored in clear in the server's passwd-file: test accounts only). */
  users?: Record<string, string>;
  /** false: the server does not advertise IDLE, so clients must poll. */
  idle?: boolean;
}

interface Account {
  name: string;
  uid: number;
  gid: number;
  group: string;
}

/** A user and its primary group from /etc/passwd and /etc/group (no process spawned). */
function account(name: string): Account | null {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  const group = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === gid)
    ?.split(':')[0];
  return group ? { name, uid: Number(uid), gid: Number(gid), group } : null;
}

/**
 * Who the server's processes run as. As root (here and in CI): the master and its internal
 * services as root, the login process as an unprivileged user (Dovecot refuses to run
 * imap-login as root) and the mail processes as another (it refuses mail access as UID 0).
 * As any other user: everything as that user, which Dovecot supports without privileges.
 */
function identities(): { internal: Account; login: Account; mail: Account } {
  const me = userInfo();
  if (me.uid !== 0) {
    const self = account(me.username);
    if (!self) throw new Error(`Dovecot needs the current user (${me.username}, uid ${me.uid}) in /etc/passwd and its group in /etc/group to run without root.`);
    return { internal: self, login: self, mail: self };
  }
  const pick = (...names: string[]) => names.map(account).find((a) => a && a.uid !== 0);
  const login = pick('dovenull', 'nobody');
  const mail = pick('dovecot', 'nobody');
  if (!login || !mail) throw new Error('Running as root, Dovecot needs an unprivileged user for its login and mail processes (dovenull/dovecot or nobody), and none was found in /etc/passwd.');
  return { internal: { name: 'root', uid: 0, gid: 0, group: account('root')?.group ?? 'root' }, login, mail };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on the port; polls until the deadline, never sleeps blindly. */
async function waitForPort(port: number, deadlineMs: number, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(dead);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not accept connections on 127.0.0.1:${port} within ${deadlineMs} ms.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A real Dovecot IMAP server for one test file: its own configuration, passwd-file users and
 * maildirs in a temp folder, listening on 127.0.0.1 at a free port, without TLS (loopback).
 * New mail arrives the way it does for any client: `append` (imapflow's APPEND).
 */
export class Dovecot {
  readonly host = '127.0.0.1';
  private proc: ChildProcess | null = null;
  private exited: string | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly users: Record<string, string>,
  ) {}

  static async start(options: DovecotOptions = {}): Promise<Dovecot> {
    if (!existsSync(DOVECOT)) throw new Error(`Dovecot is not installed at ${DOVECOT}: run "node scripts/ensure-test-tools.mjs" (installs Debian's dovecot-imapd) or point KEEL_DOVECOT at the binary.`);
    const users = options.users ?? { keel: 'correct horse battery' };
    const server = new Dovecot(tempDir({ lifetime: 'file' }), await freePort(), users);
    server.configure(options);
    await server.launch();
    return server;
  }

  get configPath(): string {
    return join(this.dir, 'dovecot.conf');
  }

  private configure(options: DovecotOptions): void {
    const who = identities();
    const d = this.dir;
    for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(d, sub), { recursive: true });
    // The login and mail processes run unprivileged: they must reach the sockets and their folders.
    chmodSync(d, 0o755);
    for (const sub of ['mail', 'home']) chownSync(join(d, sub), who.mail.uid, who.mail.gid);
    writeFileSync(join(d, 'passwd'), Object.entries(this.users).map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''), { mode: 0o644 });
    const noIdle = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SEARCHRES WITHIN LIST-STATUS BINARY MOVE LITERAL+';
    writeFileSync(
      this.configPath,
      `# A throwaway test server (test/support/dovecot.ts).
protocols = imap
listen = 127.0.0.1
base_dir = ${d}/run
state_dir = ${d}/state
log_path = ${d}/dovecot.log
info_log_path = ${d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${who.internal.name}
default_internal_group = ${who.internal.group}
default_login_user = ${who.login.name}
first_valid_uid = ${Math.min(who.mail.uid, who.internal.uid)}
first_valid_gid = ${Math.min(who.mail.gid, who.internal.gid)}
mail_uid = ${who.mail.name}
mail_gid = ${who.mail.group}
mail_location = maildir:${d}/mail/%u
${options.idle === false ? `imap_capability = ${noIdle}` : ''}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${d}/passwd
}
userdb {
  driver = static
  args = uid=${who.mail.name} gid=${who.mail.group} home=${d}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
    );
  }

  private async launch(): Promise<void> {
    this.exited = null;
    const proc = spawn(DOVECOT, ['-F', '-c', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    proc.once('exit', (code, signal) => (this.exited = `Dovecot exited (${signal ?? code}) before accepting connections: ${output.trim() || this.log().slice(-2000)}`));
    this.proc = proc;
    await waitForPort(this.port, 15_000, () => this.exited);
  }

  log(): string {
    const path = join(this.dir, 'dovecot.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** Stops the server (its master and every connection); the mail stays in its maildirs. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    this.proc = null;
  }

  /** The same server again, same port and mail (a server restart drops every client's connection). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private doveadm(...args: string[]): Promise<{ stdout: string }> {
    return run(DOVEADM, ['-c', this.configPath, ...args]);
  }

  /** Drops every connection of the user (doveadm kick): what a network cut looks like to the client, but the server stays up. */
  async kick(user = Object.keys(this.users)[0]!): Promise<void> {
    // Exit code 68 (EX_NOUSER) is doveadm's "no users kicked": nobody was connected.
    await this.doveadm('kick', user).catch((err: { code?: number }) => {
      if (err.code !== 68) throw err;
    });
  }

  /** Gives a folder a new UIDVALIDITY: every UID in it is new to clients, as after a restore. */
  async setUidValidity(folder: string, value: number, user = Object.keys(this.users)[0]!): Promise<void> {
    await this.doveadm('mailbox', 'update', '-u', user, '--uid-validity', String(value), folder);
  }

  private client(user: string): ImapFlow {
    const c = new ImapFlow({ host: this.host, port: this.port, secure: false, auth: { user, pass: this.users[user]! }, logger: false });
    c.on('error', () => undefined); // the failing call reports it; an unheard 'error' event would end the test process
    return c;
  }

  async createFolder(folder: string, user = Object.keys(this.users)[0]!): Promise<void> {
    const c = this.client(user);
    await c.connect();
    try {
      await c.mailboxCreate(folder);
    } finally {
      await c.logout().catch(() => c.close());
    }
  }

  /** New mail, delivered with IMAP APPEND. */
  async append(raw: string | Buffer, folder = 'INBOX', user = Object.keys(this.users)[0]!): Promise<{ uid: number; uidValidity: string }> {
    const c = this.client(user);
    await c.connect();
    try {
      const r = await c.append(folder, raw);
      if (!r || r.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
      return { uid: r.uid, uidValidity: String(r.uidValidity) };
    } finally {
      await c.logout().catch(() => c.close());
    }
  }
}

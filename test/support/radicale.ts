import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchCalendarObjects, getBasicAuthHeaders, makeCalendar, type DAVCalendarObject } from 'tsdav';

/** Debian's radicale (installed by scripts/ensure-test-tools.mjs), or KEEL_RADICALE. */
export const RADICALE = process.env.KEEL_RADICALE ?? '/usr/bin/radicale';
const START_DEADLINE_MS = 20_000;

/**
 * A real CalDAV server (Radicale) on 127.0.0.1 standing in for the operator's calendar
 * provider: its own config in a temp folder (filesystem storage, htpasswd users in plain
 * text, each user sees only their own calendars), never the machine's /etc/radicale.
 * Failed logins are counted from its log (Radicale warns about each one).
 */
export class TestRadicale {
  port = 0;
  private proc: ChildProcess | null = null;
  private log = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'keel-radicale-'));

  constructor(private readonly users: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Login attempts Radicale refused so far. */
  failedLogins(): number {
    return this.log.match(/Failed login attempt/g)?.length ?? 0;
  }

  output(): string {
    return this.log;
  }

  async start(): Promise<this> {
    mkdirSync(join(this.dir, 'collections'), { recursive: true });
    writeFileSync(join(this.dir, 'users'), Object.entries(this.users).map(([u, p]) => `${u}:${p}\n`).join(''));
    // A free port can be taken between asking and binding: try a few.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.launch();
        return this;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  private async launch(): Promise<void> {
    const config = join(this.dir, 'config');
    writeFileSync(
      config,
      [
        '[server]',
        `hosts = 127.0.0.1:${this.port}`,
        '[auth]',
        'type = htpasswd',
        `htpasswd_filename = ${join(this.dir, 'users')}`,
        'htpasswd_encryption = plain',
        // Radicale waits this long after a failed login (default 1 s); the tests count them instead.
        'delay = 0',
        '[rights]',
        'type = owner_only',
        '[storage]',
        `filesystem_folder = ${join(this.dir, 'collections')}`,
        '[web]',
        'type = none',
        '[logging]',
        'level = warning',
        '',
      ].join('\n'),
    );
    this.log = '';
    const proc = spawn(RADICALE, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: this.dir } });
    this.proc = proc;
    proc.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const exited = once(proc, 'exit').then(([code]) => {
      throw new Error(`radicale exited (code ${code}) before it listened on port ${this.port}:\n${this.log}`);
    });
    exited.catch(() => {}); // observed below; an exit after start is not an error
    const deadline = Date.now() + START_DEADLINE_MS;
    while (!(await Promise.race([answers(this.port), exited]))) {
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`radicale did not listen on 127.0.0.1:${this.port} within ${START_DEADLINE_MS / 1000} s:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 25)); // between connection attempts, not a guess at readiness
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private headers(user: string): Record<string, string> {
    return getBasicAuthHeaders({ username: user, password: this.users[user]! });
  }

  /** Creates a calendar (MKCALENDAR) in the user's home and returns its URL. */
  async makeCalendar(user: string, id: string, name: string): Promise<string> {
    const url = `${this.url}${user}/${id}/`;
    const [res] = await makeCalendar({ url, props: { 'd:displayname': name }, headers: this.headers(user) });
    if (res && !res.ok && res.status !== 201) throw new Error(`MKCALENDAR ${url}: ${res.status} ${res.statusText}`);
    return url;
  }

  /** Every event resource of a calendar, read back with tsdav as another client would. */
  async events(user: string, calendarUrl: string): Promise<DAVCalendarObject[]> {
    return fetchCalendarObjects({ calendar: { url: calendarUrl }, headers: this.headers(user) });
  }

  /** A plain authenticated request (as another client), e.g. to put an event Keel did not make. */
  request(user: string, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    return fetch(url, { method, headers: { ...this.headers(user), ...headers }, ...(body !== undefined ? { body } : {}) });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

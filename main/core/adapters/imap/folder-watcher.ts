import { ImapFlow, type FetchMessageObject, type MailboxObject } from 'imapflow';
import type { ImapAccount, ImapErrorCode, ImapFolderState } from '../../../../shared/domain/imap';
import { clientOptions, describeImapError, ImapFailure } from './connection';
import type { FolderMark, Intake, MessageKey } from './intake';
import { metaOf } from './message';

export interface WatcherDeps {
  account: ImapAccount;
  folder: string;
  password(): Promise<string | null>;
  intake: Intake;
  maxMessageBytes(): number;
  /** The watcher's status changed, or a message was taken in. */
  changed(): void;
}

export interface WatcherStatus {
  state: ImapFolderState;
  connects: number;
  lastSuccessAt: string | null;
  lastError: { code: ImapErrorCode; message: string; at: string } | null;
  nextAttemptAt: string | null;
  notice: string | null;
}

/** Reconnecting: 1 s, 2 s, 4 s … up to 5 minutes, with jitter so many folders do not knock at once. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;
/** A refused login is tried again this rarely (a password changed on the server), never in a loop. */
const AUTH_RETRY_MS = 30 * 60_000;
/** A connection that stayed up this long was healthy: its drop is retried after a second, not after the backoff so far. */
const HEALTHY_SESSION_MS = 60_000;
/** Envelopes fetched per command while catching up. */
const BATCH = 50;

export function retryDelay(failures: number): number {
  const ms = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/**
 * One folder of one account, on a connection of its own (IDLE watches only the selected
 * folder): connect, open the folder, take in what is above the folder's high-water mark, then
 * wait for the server's push (IDLE) or the poll timer and catch up again. A connection that
 * drops is opened again with backoff; a refused login is not retried in a loop.
 */
export class FolderWatcher {
  readonly status: WatcherStatus = { state: 'connecting', connects: 0, lastSuccessAt: null, lastError: null, nextAttemptAt: null, notice: null };
  private stopped = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private syncing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: WatcherDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.client?.close();
    await this.loop;
    this.set({ state: 'stopped', nextAttemptAt: null });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay = FIRST_RETRY_MS;
      const started = Date.now();
      try {
        await this.session();
      } catch (err) {
        if (this.stopped) break;
        const f = err instanceof ImapFailure ? err : describeImapError(err, this.deps.account, '', 'session', this.deps.folder);
        // A connection that lived a while starts the backoff afresh; one dropped again and again right after opening does not.
        if (f.code === 'dropped' && Date.now() - started > HEALTHY_SESSION_MS) this.failures = 0;
        delay = f.code === 'auth_failed' ? AUTH_RETRY_MS : retryDelay(++this.failures);
        this.set({ state: f.code === 'auth_failed' ? 'auth_failed' : 'waiting', lastError: { code: f.code, message: f.message, at: new Date().toISOString() }, nextAttemptAt: new Date(Date.now() + delay).toISOString() });
      }
      await this.sleep(delay);
    }
  }

  /** One connection, from connect to close. Always ends by throwing what ended it (unless stopped). */
  private async session(): Promise<void> {
    const { account, folder } = this.deps;
    this.set({ state: 'connecting', nextAttemptAt: null });
    const password = await this.deps.password();
    if (!password) throw new ImapFailure('no_password', `No IMAP password is stored for ${account.user} at ${account.host}. Enter it in the intake settings.`);
    const client = new ImapFlow(clientOptions(account, password));
    this.client = client;
    let ended: unknown = null;
    const closed = new Promise<void>((resolve) => client.once('close', resolve));
    client.on('error', (err: Error) => (ended ??= err));
    let phase: 'connect' | 'session' = 'connect';
    try {
      if (this.stopped) return;
      await client.connect();
      phase = 'session';
      await client.mailboxOpen(folder);
      this.set({ connects: this.status.connects + 1 });
      // New mail pushed during IDLE, and the poll as a safety net (the only way without IDLE).
      const fail = (err: unknown) => {
        ended ??= err;
        client.close();
      };
      client.on('exists', () => void this.sync(client).catch(fail));
      const poll = setInterval(() => void this.sync(client).catch(fail), account.pollSeconds * 1000);
      poll.unref();
      try {
        await this.sync(client);
        this.set({ state: client.capabilities.has('IDLE') ? 'idle' : 'polling' });
        await closed;
      } finally {
        clearInterval(poll);
      }
      if (this.stopped) return;
      throw ended ?? new ImapFailure('dropped', `The server ${account.host}:${account.port} closed the connection${client.byeReason ? ` (${client.byeReason})` : ''}; Keel reconnects and takes nothing twice.`);
    } catch (err) {
      throw describeImapError(err, account, password, phase, folder);
    } finally {
      this.client = null;
      client.close();
      // A catch-up still running on the dead connection ends before the next one starts.
      await this.syncing?.catch(() => undefined);
    }
  }

  /** Catches up, once at a time; a request while one runs makes it go round once more. */
  private sync(client: ImapFlow): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.catchUp(client);
      } while (this.again && !this.stopped && client.usable);
    };
    this.syncing = run().finally(() => (this.syncing = null));
    return this.syncing;
  }

  /** Takes in every message above the high-water mark, oldest first, each in its own transaction. */
  private async catchUp(client: ImapFlow): Promise<void> {
    const box = client.mailbox;
    if (!box) throw new ImapFailure('dropped', `The folder "${this.deps.folder}" is no longer selected.`);
    const mark = await this.markFor(client, box);
    // `n:*` always matches the last message, even below n: only UIDs above the mark are new.
    const found = await client.search({ uid: `${mark.highestUid + 1}:*` }, { uid: true });
    if (found === false || found === undefined) throw new ImapFailure('server', `The server refused to search "${this.deps.folder}".`);
    const uids = found.filter((u) => u > mark.highestUid).sort((a, b) => a - b);
    for (let i = 0; i < uids.length && !this.stopped; i += BATCH) {
      const heads = await client.fetchAll(uids.slice(i, i + BATCH).join(','), { uid: true, size: true, envelope: true }, { uid: true });
      for (const head of heads.sort((a, b) => a.uid - b.uid)) {
        if (this.stopped) return;
        await this.takeOne(client, mark, head);
      }
    }
    this.set({ lastSuccessAt: new Date().toISOString() });
  }

  /** The folder's mark: set at the first watch, reset (and said) when the server renumbered the folder. */
  private async markFor(client: ImapFlow, box: MailboxObject): Promise<FolderMark & { uidValidity: string }> {
    const { account, folder, intake } = this.deps;
    const uidValidity = box.uidValidity.toString();
    const mark = await intake.mark(account.id, folder);
    if (!mark) return intake.startFolder(account.id, folder, uidValidity, await this.startingPoint(client, box));
    if (mark.uidValidity === uidValidity) return mark;
    this.set({
      notice: `The server renumbered "${folder}" (UIDVALIDITY ${mark.uidValidity} → ${uidValidity}). Its messages are matched by Message-ID, so none is taken in twice; ones never seen are taken in now.`,
    });
    return intake.renumbered(account.id, folder, mark.uidValidity, uidValidity);
  }

  /** The highest UID not to take in when a folder is first watched: all there is, but the newest `backfill`. */
  private async startingPoint(client: ImapFlow, box: MailboxObject): Promise<number> {
    const backfill = this.deps.account.backfill;
    if (box.exists === 0) return Math.max(0, (box.uidNext || 1) - 1);
    if (backfill === 0) {
      if (box.uidNext) return box.uidNext - 1;
      const last = await client.fetchOne('*', { uid: true });
      return last ? last.uid : 0;
    }
    const first = await client.fetchOne(String(Math.max(1, box.exists - backfill + 1)), { uid: true });
    return first ? first.uid - 1 : 0;
  }

  private async takeOne(client: ImapFlow, mark: FolderMark & { uidValidity: string }, head: FetchMessageObject): Promise<void> {
    const { account, folder, intake } = this.deps;
    const key: MessageKey = { accountId: account.id, folder, uidValidity: mark.uidValidity, uid: head.uid };
    if (await intake.isTaken(key)) return;
    const meta = metaOf(head.envelope, head.size ?? 0);
    if (mark.renumbered) {
      const earlier = await intake.seenBefore(key, meta.fingerprint);
      if (earlier) return intake.recordSeenBefore(key, meta, earlier.documentId);
    }
    const cap = this.deps.maxMessageBytes();
    if (meta.size > cap) {
      const h = await client.fetchOne(String(head.uid), { uid: true, headers: true }, { uid: true });
      // false: expunged since the search; nothing to take in.
      if (h && (await intake.takeHeadersOnly(key, meta, h.headers ?? Buffer.alloc(0), cap))) this.deps.changed();
      return;
    }
    const full = await client.fetchOne(String(head.uid), { uid: true, source: true }, { uid: true });
    if (full && full.source && (await intake.take(key, meta, full.source))) this.deps.changed();
  }

  private set(patch: Partial<WatcherStatus>): void {
    Object.assign(this.status, patch);
    this.deps.changed();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

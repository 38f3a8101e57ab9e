import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../main/core/db/database';
import { Dovecot } from '../support/dovecot';
import { startMemoryCore, type MemoryCore } from '../support/memory-core';
import { account, folderWhen, message, PASSWORD, saveAccount, triagedMessages, triageRuns } from './imap-fixtures';

/**
 * E-mail intake against a real Dovecot started by the test (test/support/dovecot.ts), into a
 * real Core (worker thread, PGlite on disk): every new message becomes one document and
 * exactly one triage run, across restarts and dropped connections. Each test watches a folder
 * of its own on the shared server, with a data folder of its own.
 */

let server: Dovecot;
beforeAll(async () => {
  server = await Dovecot.start({ users: { keel: PASSWORD } });
});
afterAll(() => server?.stop());

const cores: MemoryCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});

async function core(dataDir?: string): Promise<MemoryCore> {
  const c = await startMemoryCore({ model: null, ...(dataDir ? { dataDir } : {}) });
  cores.push(c);
  return c;
}

async function closeCore(c: MemoryCore): Promise<string> {
  cores.splice(cores.indexOf(c), 1);
  await c.close();
  return c.dataDir;
}

/**
 * The exactly-once check: nothing left to ingest, then exactly one triage run per message
 * document, none for anything else (attachments), and as many runs as messages.
 */
export async function expectOneTriagePerMessage(c: MemoryCore, expected: number): Promise<void> {
  const messages = await triagedMessages(c, expected);
  await c.idle();
  const { messages: all } = await c.call('imap.messages', { limit: 1000 });
  expect(all).toHaveLength(expected);
  const runs = await triageRuns(c);
  expect(runs.map((r) => r.documentId).sort()).toEqual(messages.map((m) => m.documentId).sort());
  expect(new Set(runs.map((r) => r.documentId)).size).toBe(expected);
}

let folders = 0;
/** A new folder on the server for one test. */
async function newFolder(): Promise<string> {
  const folder = `Intake-${++folders}`;
  await server.createFolder(folder);
  return folder;
}

/** A core watching `folder`, connected and caught up (so what is appended next is new mail). */
async function watching(folder: string, extra: Parameters<typeof saveAccount>[2] = {}, settings: Parameters<typeof saveAccount>[3] = {}): Promise<MemoryCore> {
  const c = await core();
  await saveAccount(c, server, { folders: [folder], ...extra }, settings);
  await folderWhen(c, `${folder} watched with IDLE`, (f) => f.state === 'idle');
  return c;
}

// Each test opens one or two cores (a PGlite data folder each): seconds apiece on a busy machine.
describe('IMAP intake (real Dovecot, real core)', { timeout: 180_000 }, () => {
  test('a new message with a PDF and a CSV attached → one document titled by its subject, its attachments as their own documents, exactly one triage run', async () => {
    const c = await watching('INBOX');
    await server.append(await message('Invoice 2026-014 for the relaunch', { attach: ['fake-memo.pdf', 'stanley-cups.csv'] }));
    await expectOneTriagePerMessage(c, 1);

    const [m] = (await c.call('imap.messages', { limit: 10 })).messages;
    expect(m).toMatchObject({ outcome: 'taken', subject: 'Invoice 2026-014 for the relaunch', folder: 'INBOX' });
    const doc = (await c.call('documents.get', { id: m!.documentId! })).document;
    expect(doc).toMatchObject({ type: 'email', title: 'Invoice 2026-014 for the relaunch', status: 'indexed' });
    expect(doc.source).toMatch(/^imap:.*\/INBOX;UIDVALIDITY=\d+\/;UID=\d+$/);

    expect(m!.attachments.map((a) => [a.name, a.sameAs])).toEqual([
      ['fake-memo.pdf', null],
      ['stanley-cups.csv', null],
    ]);
    const parts = await Promise.all(m!.attachments.map(async (a) => (await c.call('documents.get', { id: a.documentId! })).document));
    expect(parts.map((p) => [p.name, p.type, p.status])).toEqual([
      ['fake-memo.pdf', 'pdf', 'indexed'],
      ['stanley-cups.csv', 'csv', 'indexed'],
    ]);
    expect(parts.every((p) => p.source.startsWith(`${doc.source}/;SECTION=`))).toBe(true);
    const status = await folderWhen(c, 'the count', (f) => f.taken === 1);
    expect(status).toMatchObject({ state: 'idle', connects: 1, lastError: null });
  });

  test('several messages → each taken in once, one triage run each', async () => {
    const folder = await newFolder();
    const c = await watching(folder);
    for (const subject of ['Call on Monday?', 'Re: the proposal', 'Logo files attached']) {
      await server.append(await message(subject, subject.startsWith('Logo') ? { attach: ['fake.docx'] } : {}), folder);
    }
    await expectOneTriagePerMessage(c, 3);
    const { messages } = await c.call('imap.messages', { limit: 10 });
    expect(messages.map((m) => m.subject).sort()).toEqual(['Call on Monday?', 'Logo files attached', 'Re: the proposal']);
    expect(messages.find((m) => m.subject === 'Logo files attached')!.attachments.map((a) => a.name)).toEqual(['fake.docx']);
  });

  test('Keel restarted with mail arriving while it was down → each message taken in once, none twice', async () => {
    const folder = await newFolder();
    const first = await watching(folder);
    await server.append(await message('Before the restart'), folder);
    await triagedMessages(first, 1);
    const dataDir = await closeCore(first);

    await server.append(await message('While Keel was off, 1'), folder);
    await server.append(await message('While Keel was off, 2', { attach: ['stanley-cups.csv'] }), folder);
    const second = await core(dataDir);
    await expectOneTriagePerMessage(second, 3);
    await folderWhen(second, 'watching again', (f) => f.state === 'idle');
    await server.append(await message('After the restart'), folder);
    await expectOneTriagePerMessage(second, 4);
    expect((await folderWhen(second, 'the count', (f) => f.taken === 4)).connects).toBe(1);
  });

  test('a dropped connection (doveadm kick) → reconnects by itself and takes new mail in once', async () => {
    const folder = await newFolder();
    const c = await watching(folder);
    await server.append(await message('Before the drop'), folder);
    await triagedMessages(c, 1);
    await server.kick();
    // Mail arriving while the connection is down is taken in after the reconnect.
    await server.append(await message('During the drop'), folder);
    const back = await folderWhen(c, 'a second connection', (f) => f.connects >= 2 && f.state === 'idle');
    expect(back.lastError?.code).toBe('dropped');
    await server.append(await message('After the drop'), folder);
    await expectOneTriagePerMessage(c, 3);
  });

  test('the connection dropped in the middle of a catch-up → the rest taken in after the reconnect, none twice', async () => {
    const folder = await newFolder();
    for (let i = 1; i <= 20; i++) await server.append(await message(`Backlog ${i}`, i % 5 === 0 ? { attach: ['stanley-cups.csv'] } : {}), folder);
    const c = await core();
    // backfill: the 20 messages already there are taken in when the folder is first watched.
    await saveAccount(c, server, { folders: [folder], backfill: 20 });
    const midway = await folderWhen(c, 'the catch-up under way', (f) => f.taken >= 2);
    await server.kick();
    const back = await folderWhen(c, 'reconnected and caught up', (f) => f.connects >= 2 && f.taken === 20 && f.state === 'idle');
    expect(back.lastError?.code).toBe('dropped');
    await expectOneTriagePerMessage(c, 20);
    // Not a proof by itself that the drop hit the middle, so say how far it had got.
    expect(midway.taken).toBeLessThan(20);
  });

  test('the server stopped and started again while Keel is connected → waits with backoff, reconnects, takes new mail in once', async () => {
    const folder = await newFolder();
    const c = await watching(folder);
    await server.stop();
    const down = await folderWhen(c, 'waiting to reconnect', (f) => f.state === 'waiting' && f.lastError?.code === 'cannot_connect');
    expect(Date.parse(down.nextAttemptAt!)).toBeGreaterThan(Date.parse(down.lastError!.at));
    await server.restart();
    await folderWhen(c, 'reconnected', (f) => f.state === 'idle' && f.connects >= 2, 60_000);
    await server.append(await message('After the server came back'), folder);
    await expectOneTriagePerMessage(c, 1);
  });

  test('a wrong password → a clear error in imap.test and the status, no login loop, nothing taken in; the right one applies without a restart', async () => {
    const folder = await newFolder();
    const c = await core();
    const check = await c.call('imap.test', { account: account(server, { password: 'not the password' }) });
    expect(check).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(!check.ok && check.message).toContain('refused the login for "keel"');

    // backfill: what is in the folder when it is first watched (here: after the fix) is taken in too.
    await saveAccount(c, server, { folders: [folder], password: 'not the password', backfill: 5 });
    const refused = await folderWhen(c, 'the login refused', (f) => f.state === 'auth_failed');
    expect(refused.lastError).toMatchObject({ code: 'auth_failed' });
    expect(refused.lastError!.message).not.toContain('not the password');
    // Tried again in half an hour, not in a loop.
    expect(Date.parse(refused.nextAttemptAt!) - Date.now()).toBeGreaterThan(20 * 60_000);
    await server.append(await message('Arrived while the password was wrong'), folder);
    expect((await c.call('imap.messages', { limit: 10 })).messages).toEqual([]);
    expect((await c.call('documents.list', { limit: 10 })).documents).toEqual([]);

    const { settings } = await c.call('imap.settings');
    const { hasPassword: _h, passwordMasked: _m, ...saved } = settings!.accounts[0]!;
    await c.call('imap.saveSettings', { enabled: true, accounts: [{ ...saved, password: PASSWORD }] });
    await folderWhen(c, 'logged in', (f) => f.state === 'idle');
    const [m] = await triagedMessages(c, 1);
    expect(m!.subject).toBe('Arrived while the password was wrong');
    expect((await c.call('imap.test', {})).ok).toBe(true);
  });

  test('the settings API masks the password, and it is in no table of the data folder', async () => {
    const folder = await newFolder();
    const c = await core();
    const view = await saveAccount(c, server, { folders: [folder] });
    expect(view.accounts[0]).toMatchObject({ user: 'keel', hasPassword: true, passwordMasked: `••••${PASSWORD.slice(-4)}`, folders: [folder] });
    expect(view.accounts[0]!.id).toMatch(/^work-[0-9a-f]{4}$/);
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    expect(JSON.stringify(await c.call('imap.settings'))).not.toContain(PASSWORD);
    const check = await c.call('imap.test', { accountId: view.accounts[0]!.id });
    expect(check).toMatchObject({ ok: true, idle: true });
    expect(check.ok && check.folders.map((f) => f.path)).toEqual(expect.arrayContaining(['INBOX', folder]));
    // Saving without a password keeps the stored one.
    const { hasPassword: _h, passwordMasked: _m, ...saved } = view.accounts[0]!;
    const kept = await c.call('imap.saveSettings', { enabled: true, accounts: [{ ...saved, pollSeconds: 30 }] });
    expect(kept.accounts[0]).toMatchObject({ id: saved.id, pollSeconds: 30, hasPassword: true });
    expect(JSON.stringify(await folderWhen(c, 'connected', (f) => f.state === 'idle'))).not.toContain(PASSWORD);

    const { db } = await openDatabase(await closeCore(c));
    try {
      const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64')];
      for (const table of ['kernel_ledger', 'kernel_settings', 'kernel_runs', 'kernel_steps', 'imap_folders', 'imap_messages', 'keel_secrets']) {
        const { rows } = await db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`);
        for (const r of rows) for (const f of forms) expect(r.t, `${table} holds the password`).not.toContain(f);
      }
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_ledger WHERE type = 'imap.settings_saved'`);
      expect(rows[0]!.n).toBe(2);
    } finally {
      await db.close();
    }
  });

  test('a message over the size limit → its header and a note saying so, triaged once; the mail stays on the server', async () => {
    const folder = await newFolder();
    const c = await watching(folder, {}, { maxMessageMb: 1 });
    await server.append(await message('Huge scan', { bodyBytes: 1_300_000 }), folder);
    await expectOneTriagePerMessage(c, 1);
    const [m] = (await c.call('imap.messages', { limit: 10 })).messages;
    expect(m).toMatchObject({ outcome: 'headers_only', subject: 'Huge scan' });
    expect(m!.size).toBeGreaterThan(1_300_000);
    const doc = (await c.call('documents.get', { id: m!.documentId! })).document;
    expect(doc).toMatchObject({ title: 'Huge scan', type: 'email' });
    expect(doc.size).toBeLessThan(10_000);
    const { chunks } = await c.call('documents.chunks', { id: m!.documentId! });
    const text = chunks.map((ch) => ch.text).join('\n');
    expect(text).toContain('larger than the 1.0 MB Keel takes in');
    expect(text).toContain(`still on the server in the folder "${folder}"`);
  });

  test('the server renumbers the folder (new UIDVALIDITY) → said in the status, old mail not taken again, new mail taken once', async () => {
    const folder = await newFolder();
    const first = await watching(folder);
    await server.append(await message('Before the renumbering'), folder);
    const [before] = await triagedMessages(first, 1);
    const dataDir = await closeCore(first);

    await server.setUidValidity(folder, 4_000_000_000 + folders);
    const second = await core(dataDir);
    const renumbered = await folderWhen(second, 'the renumbering noticed', (f) => f.notice !== null && f.state === 'idle');
    expect(renumbered).toMatchObject({ uidValidity: String(4_000_000_000 + folders), taken: 1 });
    expect(renumbered.notice).toContain(`renumbered "${folder}"`);
    await server.append(await message('After the renumbering'), folder);
    const all = await triagedMessages(second, 3);
    await second.idle();
    expect(all.map((m) => [m.subject, m.outcome])).toEqual([
      ['After the renumbering', 'taken'],
      ['Before the renumbering', 'seen_before'],
      ['Before the renumbering', 'taken'],
    ]);
    // The one seen before points at the document taken in the first time; two documents, two triage runs.
    expect(all[1]!.documentId).toBe(before!.documentId);
    const runs = await triageRuns(second);
    expect(runs.map((r) => r.documentId).sort()).toEqual([all[0]!.documentId, before!.documentId].sort());
  });

  test('a server without IDLE → the folder is polled and new mail taken in once', async () => {
    const plain = await Dovecot.start({ users: { keel: PASSWORD }, idle: false });
    try {
      const c = await core();
      await c.call('imap.saveSettings', { enabled: true, accounts: [account(plain, { pollSeconds: 5 })] });
      await folderWhen(c, 'polling', (f) => f.state === 'polling');
      await plain.append(await message('Seen by the poll'));
      await expectOneTriagePerMessage(c, 1);
    } finally {
      for (const c of cores.splice(0)) await c.close();
      await plain.stop();
    }
  });
});

import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { allowResend, confirmOutboxSent, getOutboxEntry, listUncertainSends, messageIdFor, testConnection, type EmailDeps, type SendResult, type SmtpSettings } from '../../main/core/adapters/email';
import { correctionWorkflow, CORRECTION_WORKFLOW } from '../../main/core/adapters/email/correction';
import type { Adapter } from '../../main/core/kernel/adapters/adapter';
import { openDatabase } from '../../main/core/db/database';
import { KernelError } from '../../main/core/kernel/errors';
import { Kernel } from '../../main/core/kernel/kernel';
import { decideApproval, resolveEscalation, startRun } from '../../main/core/kernel/operator';
import { KEY_FILE, keyFileCipher, loadOrCreateSealedKey, sealedKeyCipher, WRAPPED_KEY_FILE, type Cipher, type KeyWrapper } from '../../main/core/secrets/cipher';
import { maskSecret, SecretStore } from '../../main/core/secrets/store';
import type { RunRow } from '../../main/core/kernel/store';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { runToFault } from '../support/server-process';
import { TestSmtpServer } from '../support/smtp-server';
import { tempDir } from '../support/temp';
import { emailFor, PASSWORD, sendOne, sendThenFail, smtpSettings } from './email-fixtures';

const servers: TestSmtpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function smtp(options: ConstructorParameters<typeof TestSmtpServer>[0] = {}): Promise<TestSmtpServer> {
  const server = new TestSmtpServer({ users: { keel: PASSWORD }, ...options });
  servers.push(server);
  return server.start();
}

/**
 * One kernel with the e-mail adapter and the password stored, shared by the tests of this file
 * (opening a data folder costs seconds); `use` points it at a test's own SMTP server.
 * Each test looks only at its own runs, keys and server.
 */
const target: { port: number; settings?: Partial<SmtpSettings> } = { port: 0 };
let shared: { h: KernelHarness; secrets: SecretStore; adapter: Adapter; dir: string };
beforeAll(async () => {
  const dir = tempDir({ lifetime: 'file' });
  const h = await startKernel({ workflows: [sendOne, sendThenFail, correctionWorkflow()] }, dir);
  // As Keel assembles it: a rolled-back send proposes its correction as a run of its own.
  const propose: EmailDeps['proposeCorrection'] = async (correction, reason, key) => ({ runId: (await startRun(h.k, { workflow: CORRECTION_WORKFLOW, input: { correction, reason }, idempotencyKey: `correction:${key}` })).id });
  const { adapter, secrets } = emailFor(h.db, dir, () => smtpSettings(target.port, target.settings), propose);
  await secrets.set('smtp.password', PASSWORD);
  await h.restart({ adapters: [adapter] });
  shared = { h, secrets, adapter, dir };
});
afterAll(() => shared.h.close());

function use(server: TestSmtpServer, settings?: Partial<SmtpSettings>) {
  target.port = server.port;
  target.settings = settings;
  return shared;
}

async function approvePending(h: KernelHarness, runId: string): Promise<number> {
  const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [runId]);
  for (const r of rows) await decideApproval(h.k, r.id, { decision: 'approve' }, 'ada');
  await h.k.idle();
  return rows.length;
}

/** The password, in clear or base64, appears in no row of the kernel's tables or the outbox. */
async function expectPasswordNowhere(h: Pick<KernelHarness, 'db'>, password = PASSWORD): Promise<void> {
  const forms = [password, Buffer.from(password).toString('base64')];
  for (const table of ['kernel_ledger', 'kernel_steps', 'kernel_runs', 'kernel_approvals', 'kernel_escalations', 'kernel_dead_letters', 'email_outbox', 'keel_secrets']) {
    const { rows } = await h.db.query<{ t: string }>(`SELECT t::text AS t FROM ${table} t`);
    for (const r of rows) for (const f of forms) expect(r.t, `${table} holds the password`).not.toContain(f);
  }
}

const mail = { to: ['grace@example.org'], cc: ['alan@example.net'], subject: 'Invoice 42', text: 'Please find the invoice attached.' };
const signal = () => new AbortController().signal;

async function sendError(adapter: Adapter, key: string, args: unknown = mail, abort = signal()): Promise<KernelError> {
  const err = await adapter.actions.send!.run(args, { idempotencyKey: key, signal: abort }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KernelError);
  return err as KernelError;
}

describe('email adapter through the kernel', () => {
  test('a workflow sends one e-mail after its approval; the server gets it once, with the Message-ID derived from the key', async () => {
    const server = await smtp();
    const { h, adapter } = use(server);
    const { id } = await startRun(h.k, { workflow: 'mail.one', input: mail });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval'); // risk high ≥ the default threshold
    expect(server.messages).toHaveLength(0);
    expect(await approvePending(h, id)).toBe(1);

    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(server.messages).toHaveLength(1);
    const got = server.messages[0]!;
    expect(got).toMatchObject({ user: 'keel', subject: 'Invoice 42', from: 'ada@example.com', to: ['grace@example.org'], cc: ['alan@example.net'], mailFrom: 'ada@example.com' });
    expect(got.rcptTo.sort()).toEqual(['alan@example.net', 'grace@example.org']);
    expect(got.text?.trim()).toBe('Please find the invoice attached.');

    const sent = await h.db.query<{ data: { idempotencyKey: string } }>(`SELECT data FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.sent'`, [id]);
    expect(sent.rows).toHaveLength(1);
    const key = sent.rows[0]!.data.idempotencyKey;
    const expected = messageIdFor(key, 'ada@example.com');
    expect(expected).toMatch(/^<keel-[0-9a-f]{32}@example\.com>$/);
    expect(got.messageId).toBe(expected);
    expect(run.output).toMatchObject({ messageId: expected, accepted: ['grace@example.org', 'alan@example.net'], rejected: [] });
    expect((run.output as SendResult).response).toMatch(/^250/);
    expect(await getOutboxEntry(h.db, key)).toMatchObject({ status: 'sent', messageId: expected, envelope: { subject: 'Invoice 42', to: ['grace@example.org'] } });

    await h.restart({ adapters: [adapter] }); // a finished run replays nothing
    await h.k.idle();
    expect(server.messages).toHaveLength(1);
    await expectPasswordNowhere(h);
  });

  test('a replayed effect (same idempotency key) returns the recorded result and sends nothing', async () => {
    const server = await smtp();
    const { h, adapter } = use(server);
    const first = await adapter.actions.send!.run(mail, { idempotencyKey: 'run-1:2', signal: signal() });
    const again = await adapter.actions.send!.run(mail, { idempotencyKey: 'run-1:2', signal: signal() });
    expect(again).toEqual(first);
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.messageId).toBe(messageIdFor('run-1:2', 'ada@example.com'));
    const other = (await adapter.actions.send!.run(mail, { idempotencyKey: 'run-1:3', signal: signal() })) as SendResult;
    expect(other.messageId).not.toBe((first as SendResult).messageId);
    expect(server.messages).toHaveLength(2);
  });

  test('a wrong password is a specific auth error: the run pauses, nothing is recorded as sent', async () => {
    const server = await smtp();
    const { h, secrets } = use(server);
    await secrets.set('smtp.password', 'not the password');
    try {
      const { id } = await startRun(h.k, { workflow: 'mail.one', input: mail });
      await h.k.idle();
      await approvePending(h, id);
      const run = await h.run(id);
      expect(run.status).toBe('paused');
      expect(run.error).toMatchObject({ kind: 'permanent', attempts: 1, details: { code: 'auth_failed' } });
      expect(run.error!.message).toMatch(/refused the login for "keel" \(535 Authentication credentials invalid\)\. Check the user name and the password/);
      expect(server.messages).toHaveLength(0);
      expect(server.logins).toEqual([{ user: 'keel', ok: false }]); // permanent: not retried
      expect((await h.db.query(`SELECT 1 FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.sent'`, [id])).rows).toHaveLength(0);
      expect((await h.db.query(`SELECT 1 FROM email_outbox WHERE idempotency_key LIKE $1`, [`${id}:%`])).rows).toHaveLength(0);
      await expectPasswordNowhere(h, 'not the password');
    } finally {
      await secrets.set('smtp.password', PASSWORD);
    }
  });

  test('a server that is down is a transient error: retried until it is back, then sent once', async () => {
    const server = await smtp();
    const port = server.port;
    await server.stop();
    const { h, adapter } = use(server);
    const err = await sendError(adapter, 'down:1');
    expect(err.kind).toBe('transient');
    expect(err.details).toMatchObject({ code: 'cannot_connect' });
    expect(err.message).toMatch(/Cannot connect to the SMTP server 127\.0\.0\.1:\d+ \(connect ECONNREFUSED/);
    expect(await getOutboxEntry(h.db, 'down:1')).toBeNull(); // nothing left: a retry may send

    const { id } = await startRun(h.k, { workflow: 'mail.one', input: mail });
    await h.k.idle();
    const decided = approvePending(h, id);
    setTimeout(() => void server.start(port), 150);
    await decided;
    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(server.messages).toHaveLength(1);
    const step = await h.db.query<{ attempts: number }>(`SELECT attempts FROM kernel_steps WHERE run_id = $1 AND kind = 'effect'`, [id]);
    expect(step.rows[0]!.attempts).toBeGreaterThan(1);
  });

  test('rolling back a send proposes the declared correction; only the operator\'s approval sends it, in the same thread (mail cannot be unsent)', async () => {
    const server = await smtp();
    const { h } = use(server);
    const { id } = await startRun(h.k, { workflow: 'mail.rollback', input: mail });
    await h.k.idle();
    await approvePending(h, id);
    expect((await h.run(id)).status).toBe('compensated');
    // Compensated: the correction waits in the inbox, nothing more was sent.
    expect(server.messages).toHaveLength(1);
    const { rows: proposed } = await h.db.query<{ id: string; run_id: string; proposal: { to: string; subject: string; paragraphs: string[] } }>(
      `SELECT a.id, a.run_id, a.proposal FROM kernel_approvals a JOIN kernel_runs r ON r.id = a.run_id WHERE r.workflow = 'email.correction' AND a.status = 'pending'`,
    );
    expect(proposed).toHaveLength(1);
    expect(proposed[0]!.proposal).toMatchObject({ subject: 'Correction: Invoice 42', paragraphs: ['Please disregard my previous message: it went out by mistake.'] });
    await approvePending(h, proposed[0]!.run_id);
    expect((await h.run(proposed[0]!.run_id)).status).toBe('succeeded');
    // One approval was the go for exactly this correction: no second gate approval.
    const asked = await h.db.query(`SELECT 1 FROM kernel_approvals WHERE run_id = $1`, [proposed[0]!.run_id]);
    expect(asked.rows).toHaveLength(1);
    expect(server.messages).toHaveLength(2);
    const [original, correction] = server.messages as [NonNullable<(typeof server.messages)[0]>, NonNullable<(typeof server.messages)[0]>];
    expect(correction).toMatchObject({ subject: 'Correction: Invoice 42', inReplyTo: original.messageId, references: [original.messageId], to: ['grace@example.org'], cc: ['alan@example.net'] });
    expect(correction.text).toContain('Please disregard my previous message');
    expect(correction.messageId).not.toBe(original.messageId);
    const undo = await h.db.query(`SELECT 1 FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.compensated'`, [id]);
    expect(undo.rows).toHaveLength(1);
  });
});

describe('interrupted sends', () => {
  test('a connection that breaks while the server receives the message is not resent; the operator confirms or resends', async () => {
    const server = await smtp();
    const { h, adapter } = use(server);
    // Keel gives up (abort) at the moment the server has the message but before its "250 OK" arrives.
    const interrupt = () => {
      const ctrl = new AbortController();
      const off = server.onMessage(() => (off(), ctrl.abort()));
      return ctrl.signal;
    };
    const err = await sendError(adapter, 'cut:1', mail, interrupt());
    const id = messageIdFor('cut:1', 'ada@example.com');
    expect(err.kind).toBe('permanent');
    expect(err.details).toMatchObject({ code: 'uncertain', messageId: id, idempotencyKey: 'cut:1' });
    expect(err.message).toContain(`may already have been sent (Message-ID ${id})`);
    expect(err.message).toMatch(/Check the recipient's inbox or your Sent folder, then confirm it was sent or resend it\./);
    expect(server.messages).toHaveLength(1);

    const replay = await sendError(adapter, 'cut:1'); // a retry does not send blindly
    expect(replay.details).toMatchObject({ code: 'uncertain' });
    expect(server.messages).toHaveLength(1);
    expect((await listUncertainSends(h.db)).map((e) => e.idempotencyKey)).toEqual(['cut:1']);

    await confirmOutboxSent(h.db, 'cut:1', 'seen in the Sent folder');
    const confirmed = (await adapter.actions.send!.run(mail, { idempotencyKey: 'cut:1', signal: signal() })) as SendResult;
    expect(confirmed).toMatchObject({ messageId: id, accepted: ['grace@example.org', 'alan@example.net'] });
    expect(server.messages).toHaveLength(1);

    await sendError(adapter, 'cut:2', mail, interrupt());
    await allowResend(h.db, 'cut:2'); // the operator found it did not arrive
    await adapter.actions.send!.run(mail, { idempotencyKey: 'cut:2', signal: signal() });
    expect(server.withMessageId(messageIdFor('cut:2', 'ada@example.com'))).toHaveLength(2); // resent under the same Message-ID
    expect(await listUncertainSends(h.db)).toEqual([]);
  });

  test('a server refusal (5xx) releases the key: nothing was accepted, so nothing is uncertain', async () => {
    const server = await smtp({ reject: (m) => (m.subject === 'spam' ? { code: 554, message: 'Message looks like spam' } : null) });
    const { h, adapter } = use(server);
    const err = await sendError(adapter, 'spam:1', { ...mail, subject: 'spam' });
    expect(err.kind).toBe('permanent');
    expect(err.details).toMatchObject({ code: 'rejected', responseCode: 554 });
    expect(await getOutboxEntry(h.db, 'spam:1')).toBeNull();
    expect(server.messages).toHaveLength(0);
  });
});

describe('kill -9 after the SMTP server accepted the message', () => {
  async function crashChild(dataDir: string, port: number, fault: string): Promise<void> {
    const { code, sig, output } = await runToFault(join(__dirname, 'email-crash-child.ts'), [dataDir, String(port)], fault);
    expect({ code, sig }, output).toEqual({ code: null, sig: 'SIGKILL' });
    expect(output).not.toContain('DONE');
  }

  /** Keel started again on the crashed data folder, with the adapter registered from the first moment. */
  async function restarted(dataDir: string, port: number) {
    const { db } = await openDatabase(dataDir);
    const { adapter } = emailFor(db, dataDir, () => smtpSettings(port));
    const make = () => new Kernel({ db, workflows: [sendOne], adapters: [adapter] });
    const h = {
      k: make(),
      db,
      run: async (id: string) => (await db.query<RunRow>('SELECT * FROM kernel_runs WHERE id = $1', [id])).rows[0]!,
      async restart() {
        await h.k.stop();
        h.k = make();
        await h.k.start();
      },
      async close() {
        await h.k.stop();
        await db.close();
      },
    };
    await h.k.start();
    await h.k.idle();
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM kernel_runs WHERE idempotency_key = 'crash-mail'`);
    return { h, runId: rows[0]!.id };
  }

  test('killed before the outbox recorded the answer: the restarted run does not resend, it pauses for the operator', async () => {
    const server = await smtp();
    const dataDir = tempDir();
    await crashChild(dataDir, server.port, 'email.after_send');
    expect(server.messages).toHaveLength(1);
    const { h, runId } = await restarted(dataDir, server.port);
    try {
      const key = `${runId}:2`; // step 1 is the gate
      const messageId = messageIdFor(key, 'ada@example.com');
      expect(server.messages[0]!.messageId).toBe(messageId);
      const run = await h.run(runId);
      expect(run.status).toBe('paused');
      expect(run.error).toMatchObject({ kind: 'permanent', details: { code: 'uncertain', messageId, idempotencyKey: key } });
      expect(run.error!.message).toContain(`may already have been sent (Message-ID ${messageId})`);
      const esc = await h.db.query<{ id: string; reason: { message: string } }>(`SELECT id, reason FROM kernel_escalations WHERE run_id = $1 AND status = 'open'`, [runId]);
      expect(esc.rows).toHaveLength(1);
      expect(server.messages).toHaveLength(1);

      await h.restart(); // another restart changes nothing: the run waits for the operator
      await h.k.idle();
      expect((await h.run(runId)).status).toBe('paused');
      expect(server.messages).toHaveLength(1);

      // The operator sees it in the recipient's inbox, confirms, and retries the run.
      await confirmOutboxSent(h.db, key);
      await resolveEscalation(h.k, esc.rows[0]!.id, { action: 'retry', note: 'it arrived' }, 'ada');
      await h.k.idle();
      const done = await h.run(runId);
      expect(done.status).toBe('succeeded');
      expect((done.output as SendResult).messageId).toBe(messageId);
      expect(server.messages).toHaveLength(1);
      await expectPasswordNowhere(h);
    } finally {
      await h.close();
    }
  });

  test('killed after the outbox recorded it but before the kernel did: the restarted run completes without resending', async () => {
    const server = await smtp();
    const dataDir = tempDir();
    await crashChild(dataDir, server.port, 'email.after_record');
    expect(server.messages).toHaveLength(1);
    const { h, runId } = await restarted(dataDir, server.port);
    try {
      const run = await h.run(runId);
      expect(run.status).toBe('succeeded');
      expect((run.output as SendResult).messageId).toBe(server.messages[0]!.messageId);
      expect(server.messages).toHaveLength(1);
      const sent = await h.db.query(`SELECT 1 FROM kernel_ledger WHERE run_id = $1 AND type = 'effect.sent'`, [runId]);
      expect(sent.rows).toHaveLength(1);
      await expectPasswordNowhere(h);
    } finally {
      await h.close();
    }
  });
});

describe('connection checks', () => {
  test('testConnection names the failure: auth, cannot connect, TLS', async () => {
    const plain = await smtp();
    const starttls = await smtp({ starttls: true });
    const secrets = { get: async () => PASSWORD };
    expect(await testConnection(smtpSettings(plain.port), secrets)).toEqual({ ok: true });
    expect(plain.messages).toHaveLength(0);
    expect(await testConnection(smtpSettings(plain.port), secrets, { password: 'wrong' })).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await testConnection(smtpSettings(plain.port), { get: async () => null })).toMatchObject({ ok: false, code: 'no_password' });
    // TLS from the first byte against a plain server; STARTTLS with a certificate nobody trusts.
    const implicit = await testConnection(smtpSettings(plain.port, { secure: true }), secrets);
    expect(implicit).toMatchObject({ ok: false, code: 'tls' });
    expect((implicit as { message: string }).message).toMatch(/turn "secure" off/);
    expect(await testConnection(smtpSettings(starttls.port), secrets)).toMatchObject({ ok: false, code: 'tls' });
    const port = plain.port;
    await plain.stop();
    expect(await testConnection(smtpSettings(port), secrets)).toMatchObject({ ok: false, code: 'cannot_connect' });
    for (const check of [implicit]) expect(JSON.stringify(check)).not.toContain(PASSWORD);
  });
});

describe('secrets', () => {
  test('the SMTP password is stored encrypted; the key file is 0600; masked shows the last 4 only', async () => {
    const server = await smtp();
    const { h, secrets, dir } = use(server);
    await secrets.set('api.key', 'sk-test-0123456789');
    const { rows } = await h.db.query<{ id: string; ciphertext: string }>(`SELECT id, ciphertext FROM keel_secrets WHERE id = 'smtp.password'`);
    expect(rows[0]!.ciphertext).toMatch(/^keyfile-aes-256-gcm:v1\./);
    expect(rows[0]!.ciphertext).not.toContain(PASSWORD);
    expect(rows[0]!.ciphertext).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, KEY_FILE)).size).toBe(32);

    expect(await secrets.get('smtp.password')).toBe(PASSWORD);
    expect(await secrets.has('smtp.password')).toBe(true);
    expect(await secrets.masked('smtp.password')).toBe('••••le 7');
    expect(await secrets.masked('api.key')).toBe('••••6789');
    expect(await secrets.list()).toEqual([
      { id: 'api.key', updatedAt: expect.any(String) },
      { id: 'smtp.password', updatedAt: expect.any(String) },
    ]);
    expect(maskSecret('short')).toBe('••••');
    // The same key file reads it back in a new process (a new cipher over the same folder).
    expect(await new SecretStore(h.db, keyFileCipher(dir)).get('smtp.password')).toBe(PASSWORD);

    expect(await secrets.delete('api.key')).toBe(true);
    expect(await secrets.get('api.key')).toBeNull();
    expect(await secrets.has('api.key')).toBe(false);
    expect(await secrets.masked('api.key')).toBeNull();
    expect(await secrets.delete('api.key')).toBe(false);
    await expect(secrets.set('bad id!', 'x')).rejects.toThrow(/not a valid secret id/);
  });

  test('a key file readable by others is tightened and reported; a damaged key is refused, never replaced', () => {
    const dir = tempDir();
    keyFileCipher(dir);
    const path = join(dir, KEY_FILE);
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    keyFileCipher(dir, { onWarning: (m) => warnings.push(m) });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could be read by other users \(mode 644\); Keel set it to 600/);

    writeFileSync(path, 'too short', { mode: 0o600 });
    expect(() => keyFileCipher(dir)).toThrow(/holds 9 bytes, not a 32-byte key/);
    expect(statSync(path).size).toBe(9);
  });

  test('desktop: the data key is kept only sealed by the OS keychain, created once, and the secrets it encrypts read back', async () => {
    const dir = tempDir();
    // Stands in for Electron's safeStorage (the OS keychain cannot run here): a keyed seal.
    const keychain = (secret: string): KeyWrapper => ({
      seal: (key) => Buffer.concat([Buffer.from(secret), key.map((b, i) => b ^ secret.charCodeAt(i % secret.length))]),
      open: (sealed) => {
        if (!sealed.subarray(0, secret.length).equals(Buffer.from(secret))) throw new Error('the keychain refused');
        return Buffer.from(sealed.subarray(secret.length).map((b, i) => b ^ secret.charCodeAt(i % secret.length)));
      },
    });
    const key = loadOrCreateSealedKey(dir, keychain('login-keychain'));
    expect(key).toHaveLength(32);
    expect(readFileSync(join(dir, WRAPPED_KEY_FILE)).includes(key)).toBe(false);
    expect(statSync(join(dir, WRAPPED_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSealedKey(dir, keychain('login-keychain')).equals(key)).toBe(true);

    const { db } = await openDatabase(dir);
    try {
      await new SecretStore(db, sealedKeyCipher(key)).set('smtp.password', PASSWORD);
      const again = new SecretStore(db, sealedKeyCipher(loadOrCreateSealedKey(dir, keychain('login-keychain'))));
      expect(await again.get('smtp.password')).toBe(PASSWORD);
      const { rows } = await db.query<{ ciphertext: string }>(`SELECT ciphertext FROM keel_secrets`);
      expect(rows[0]!.ciphertext).toMatch(/^sealed-aes-256-gcm:v1\./);
      // Another account's keychain cannot open it, and says what to do; the sealed file is left alone.
      expect(() => loadOrCreateSealedKey(dir, keychain('someone-else'))).toThrow(/cannot be opened with this account's keychain .* entered again/);
      // The same folder opened headless (key file) reports the secret as another cipher's, not garbage.
      await expect(new SecretStore(db, keyFileCipher(dir)).get('smtp.password')).rejects.toThrow(/stored with "sealed-aes-256-gcm" encryption/);
    } finally {
      await db.close();
    }
  });

  test('a secret from another cipher or another key is reported, not misread', async () => {
    const server = await smtp();
    const { h, secrets } = use(server);
    const other: Cipher = { kind: 'safe-storage', encrypt: (p) => Buffer.from(p).toString('hex'), decrypt: (c) => Buffer.from(c, 'hex').toString() };
    await expect(new SecretStore(h.db, other).get('smtp.password')).rejects.toThrow(/stored with "keyfile-aes-256-gcm" encryption, but this Keel uses "safe-storage"\. Enter it again\./);
    await expect(new SecretStore(h.db, keyFileCipher(tempDir())).get('smtp.password')).rejects.toThrow(/cannot be decrypted with secret\.key/);
    expect(await secrets.get('smtp.password')).toBe(PASSWORD);
  });
});

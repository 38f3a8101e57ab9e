import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../support/in-process-server';
import { startOpenAiServer, type OpenAiServer } from '../support/openai-server';
import { TestSmtpServer } from '../support/smtp-server';
import { TestSocket } from '../support/ws-client';

let h: Harness;
let socket: TestSocket;
let llm: OpenAiServer;
let smtp: TestSmtpServer;
const KEY = 'sk-live-abcdefghijklmnop-9876';
const PASSWORD = 'a long smtp password 42';

const call = <T = any>(method: string, input: unknown = {}): Promise<T> => socket.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  llm = await startOpenAiServer({ requireKey: KEY });
  smtp = await new TestSmtpServer({ users: { keel: PASSWORD } }).start();
  h = await startHarness({});
  await h.core.ready;
  socket = await TestSocket.open(`${h.wsUrl}?token=${h.token}`);
});
afterAll(async () => {
  socket.close();
  await h.close();
  await llm.close();
  await smtp.stop();
});

/** Everything the API said in this test, as one string: a secret must never be in it. */
const said: string[] = [];
async function recorded<T = any>(method: string, input: unknown = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = await call<T>(method, input);
  said.push(JSON.stringify(out));
  return out;
}

describe('agents, models and e-mail through the real WebSocket API', () => {
  test('a provider\'s key is stored encrypted, never returned, and the provider answers through it', async () => {
    const saved = await recorded('models.saveProvider', { provider: { id: 'local', kind: 'openai-compatible', label: 'Local LLM', baseUrl: llm.url }, apiKey: KEY });
    expect(saved).toMatchObject({ id: 'local', hasKey: true, structuredOutput: 'auto' });
    expect((await recorded('models.providers')).providers.map((p: { id: string }) => p.id)).toEqual(['builtin', 'local']);
    const check = await recorded('models.testProvider', { provider: 'local', model: 'qwen2.5:7b' });
    expect(check).toMatchObject({ ok: true, reply: 'echo: Reply with the single word: ready' });
    expect(llm.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);

    // A wrong key: the check says so, specifically.
    await recorded('models.saveProvider', { provider: { id: 'local', kind: 'openai-compatible', label: 'Local LLM', baseUrl: llm.url }, apiKey: 'sk-wrong-key-000000' });
    const refused = await recorded('models.testProvider', { provider: 'local', model: 'qwen2.5:7b' });
    expect(refused).toMatchObject({ ok: false, kind: 'permanent', message: expect.stringContaining('401') });
    await recorded('models.saveProvider', { provider: { id: 'local', kind: 'openai-compatible', label: 'Local LLM', baseUrl: llm.url }, apiKey: KEY });

    await recorded('models.setTier', { tier: 'strong', model: { provider: 'local', model: 'qwen2.5:7b' } });
    const busy = await socket.call('models.removeProvider', { id: 'local' });
    expect(busy).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('strong tier') } });
    await recorded('models.setPrice', { provider: 'local', model: 'qwen2.5:7b', inputPerMTok: 0, outputPerMTok: 0 });
    // '*' prices a model on any provider (the shipped defaults are such rows).
    await recorded('models.setPrice', { provider: '*', model: 'gpt-4o-mini', inputPerMTok: 0.2, outputPerMTok: 0.8 });
    const { prices } = await recorded('models.prices');
    expect(prices).toEqual(expect.arrayContaining([{ provider: 'local', model: 'qwen2.5:7b', inputPerMTok: 0, outputPerMTok: 0 }, { provider: '*', model: 'gpt-4o-mini', inputPerMTok: 0.2, outputPerMTok: 0.8 }]));
    expect(prices.filter((p: { provider: string; model: string }) => p.provider === '*' && p.model === 'gpt-4o-mini')).toHaveLength(1);
    expect((await recorded('models.tiers')).tiers).toEqual([
      { tier: 'fast', model: { provider: 'builtin', model: 'builtin' }, canary: null },
      { tier: 'strong', model: { provider: 'local', model: 'qwen2.5:7b' }, canary: null },
    ]);
    const staged = await recorded('models.stageCanary', { tier: 'fast', model: { provider: 'local', model: 'llama3.2:3b' }, share: 0.1 });
    expect(staged.canary).toMatchObject({ model: { provider: 'local', model: 'llama3.2:3b' }, share: 0.1 });
    expect(await recorded('models.compare', { tier: 'fast' })).toMatchObject({ tier: 'fast', share: 0.1, main: { calls: 0 }, canary: { calls: 0 } });
    expect((await recorded('models.rollbackCanary', { tier: 'fast' })).canary).toBeNull();
  });

  test('SMTP settings: the password is write-only, shown masked; the connection test names the problem', async () => {
    expect(await recorded('email.settings')).toEqual({ settings: null });
    const account = { host: '127.0.0.1', port: smtp.port, secure: false, user: 'keel', from: 'alex@consultancy.example', fromName: 'Alex Morgan' };
    const noPassword = await socket.call('email.saveSettings', account);
    expect(noPassword).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('password') } });
    const wrong = await recorded('email.test', { settings: { ...account, password: 'not it' } });
    expect(wrong).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await recorded('email.test', { settings: { ...account, password: PASSWORD } })).toEqual({ ok: true });
    const view = await recorded('email.saveSettings', { ...account, password: PASSWORD });
    expect(view).toEqual({ ...account, hasPassword: true, passwordMasked: '••••d 42' });
    expect(await recorded('email.test')).toEqual({ ok: true });
    // Saved again without a password: the stored one stays.
    await recorded('email.saveSettings', { ...account, fromName: 'Alex M.' });
    expect((await recorded('email.settings')).settings).toMatchObject({ fromName: 'Alex M.', hasPassword: true });
    const bad = await socket.call('email.saveSettings', { ...account, host: 'smtp.example.com\r\nRCPT TO:<x@y>' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await recorded('email.uncertain')).toEqual({ sends: [] });
    const unknown = await socket.call('email.confirmSent', { idempotencyKey: 'nope' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  test('agents: list, edit instructions as versions, revert; the example queues its notes', async () => {
    const { agents } = await recorded('agents.list');
    expect(agents.map((a: { name: string }) => a.name).sort()).toEqual(['drafter', 'extractor', 'reconciler', 'summarizer', 'triage']);
    const edited = await recorded('agents.update', { name: 'drafter', instructions: 'Write short e-mails.', note: 'shorter' });
    expect(edited).toMatchObject({ name: 'drafter', version: 2, instructions: 'Write short e-mails.' });
    const reverted = await recorded('agents.revert', { name: 'drafter', version: 1 });
    expect(reverted.version).toBe(3);
    const { versions } = await recorded('agents.get', { name: 'drafter' });
    expect(versions.map((v: { version: number; note: string | null }) => [v.version, v.note])).toEqual([[3, 'reverted to version 1'], [2, 'shorter'], [1, 'as shipped']]);
    const unknown = await socket.call('agents.update', { name: 'nobody', tier: 'fast' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const example = await recorded('agents.runExample');
    expect(readFileSync(example.path, 'utf8')).toContain('Northwind Studio');
    await socket.waitForEvent((e) => e.event === 'approvals.changed');
    const { approvals } = await call('approvals.list', { status: 'pending' });
    expect(approvals.find((a: { kind: string }) => a.kind === 'draft').proposal).toMatchObject({ to: 'dana@northwind.example', tone: 'formal' });
  });

  test('no answer ever carried a secret, and neither does the data folder\'s database in clear', async () => {
    const all = said.join('\n');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(PASSWORD);
    const ledger = await call('ledger.list', { limit: 500 });
    expect(JSON.stringify(ledger)).not.toContain(KEY);
    expect(JSON.stringify(ledger)).not.toContain(PASSWORD);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServerMessage } from '../../shared/api/protocol';
import { EffectServer } from '../support/effect-server';
import { startHarness, type Harness } from '../support/in-process-server';
import { TestSocket } from '../support/ws-client';

let h: Harness;
let socket: TestSocket;
let world: EffectServer;

/** Calls through the real WebSocket and returns the output, failing loudly on an error answer. */
const call = <T = any>(method: string, input: unknown = {}): Promise<T> => socket.output<T>(method, input); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Waits for a pushed event matching `pred` (events are how the UI learns of changes). */
function pushed(pred: (e: Extract<ServerMessage, { type: 'event' }>) => boolean): Promise<void> {
  return socket.waitForEvent(pred);
}

async function runStatus(id: string, want: string): Promise<void> {
  await pushed((e) => e.event === 'runs.changed' && (e.payload as { id: string; status: string }).id === id && (e.payload as { status: string }).status === want);
}

beforeAll(async () => {
  world = await new EffectServer(({ path }) => (path === '/broken' ? { status: 422 } : null)).start();
  h = await startHarness({ workflowModules: [join(__dirname, '../fixtures/api-workflows.ts')] });
  await h.core.ready;
  socket = await TestSocket.open(`${h.wsUrl}?token=${h.token}`);
  // Decisions take effect at once here; the undo window has its own tests.
  await call('preferences.set', { undoSeconds: 0 });
});
afterAll(async () => {
  socket.close();
  await h.close();
  await world.close();
});

describe('the kernel through the real WebSocket API', () => {
  test('start → approval pushed → decide → run succeeds; runs.get shows steps and ledger events', async () => {
    const { id } = await call('runs.start', { workflow: 'test.proposal', input: { text: 'Hello' } });
    await pushed((e) => e.event === 'approvals.changed' && (e.payload as { runId: string }).runId === id);
    const { approvals } = await call('approvals.list', { status: 'pending' });
    const approval = approvals.find((a: { runId: string }) => a.runId === id);
    expect(approval).toMatchObject({ title: 'Send the proposal?', proposal: { draft: 'Hello!' }, status: 'pending' });
    expect((await call('approvals.get', { id: approval.id })).approval.id).toBe(approval.id);
    await call('approvals.decide', { id: approval.id, decision: 'approve', note: 'ship it' });
    await runStatus(id, 'succeeded');
    const detail = await call('runs.get', { id });
    expect(detail.run).toMatchObject({ status: 'succeeded', output: { sent: true }, agent: 'writer' });
    expect(detail.steps.map((s: { name: string }) => s.name)).toEqual(['draft', 'approval:proposal', 'gate:files.write', 'files.write']);
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['run.started', 'step.completed', 'approval.requested', 'approval.decided', 'gate.passed', 'effect.sent', 'run.finished']);
    expect(readFileSync(join(h.core.dataDir, 'workspace', 'proposal.txt'), 'utf8')).toBe('Hello!');
    const budgets = await call('budgets.set', { scope: 'agent', name: 'writer', period: 'month', maxUsd: 10, maxTokens: null });
    expect(budgets).toEqual({ ok: true });
    expect((await call('budgets.get', { scope: 'agent' })).budgets).toEqual([
      { scope: 'agent', name: 'writer', period: 'month', maxUsd: 10, maxTokens: null, spentUsd: 0.02, spentTokens: 120 },
    ]);
  });

  test('dead letters are listed with their reason and can be edited and retried', async () => {
    const { id } = await call('runs.start', { workflow: 'test.fetch', input: { url: `${world.url}/broken` } });
    await runStatus(id, 'dead_lettered');
    const { deadLetters } = await call('deadLetters.list', { status: 'open' });
    const dl = deadLetters.find((d: { runId: string }) => d.runId === id);
    expect(dl).toMatchObject({ workflow: 'test.fetch', reason: { kind: 'permanent', details: { status: 422 } }, input: { url: `${world.url}/broken` } });
    await call('deadLetters.editAndRetry', { id: dl.id, input: { url: `${world.url}/fine` } });
    await runStatus(id, 'succeeded');
    expect((await call('runs.get', { id })).run.output).toMatchObject({ status: 200 });
    const wrong = await socket.call('deadLetters.editAndRetry', { id: dl.id, input: { url: 'x' } });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  test('runs.list pages through runs newest first with a cursor and filters by status', async () => {
    for (let i = 0; i < 5; i++) await call('runs.start', { workflow: 'test.noop', input: { steps: 1 }, idempotencyKey: `page-${i}` });
    const again = await call('runs.start', { workflow: 'test.noop', input: { steps: 1 }, idempotencyKey: 'page-0' });
    expect(again.created).toBe(false);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('runs.list', { workflow: 'test.noop', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.runs.map((r: { id: string }) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const bad = await socket.call('runs.list', { cursor: 'not-a-cursor', limit: 2 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  test('schedules, kernel pause and the ledger through the API', async () => {
    const { id } = await call('schedules.create', { name: 'nightly', workflow: 'test.noop', input: { steps: 1 }, trigger: { kind: 'cron', expr: '0 3 * * *' } });
    const bad = await socket.call('schedules.create', { name: 'broken', workflow: 'test.noop', input: { steps: 1 }, trigger: { kind: 'cron', expr: 'every tuesday' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const dup = await socket.call('schedules.create', { name: 'nightly', workflow: 'test.noop', input: { steps: 1 }, trigger: { kind: 'interval', everyMs: 60_000 } });
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await call('schedules.pause', { id, paused: true });
    // Keel's own schedules are there too: the nightly curation and the triage of new documents.
    const keels = ['memory.curation', 'Triage new documents'];
    expect((await call('schedules.list')).schedules.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(keels));
    const mine = async () => (await call('schedules.list')).schedules.filter((s: { name: string }) => !keels.includes(s.name));
    expect(await mine()).toMatchObject([{ id, name: 'nightly', paused: true }]);
    await call('schedules.delete', { id });
    expect(await mine()).toEqual([]);

    await call('kernel.pause');
    expect((await call('kernel.status')).paused).toBe(true);
    expect((await call('system.status')).agentsPaused).toBe(true);
    const { id: held } = await call('runs.start', { workflow: 'test.noop', input: { steps: 3 } });
    expect((await call('runs.get', { id: held })).run.status).toBe('pending');
    await call('kernel.resume');
    await runStatus(held, 'succeeded');

    const first = await call('ledger.list', { limit: 3 });
    expect(first.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    const next = await call('ledger.list', { limit: 3, afterSeq: first.nextAfterSeq });
    expect(next.events[0].seq).toBe(4);
    expect(await call('ledger.verify')).toMatchObject({ ok: true, brokenAt: null });
    // A custom event starts the runs of the schedules listening to it.
    const { id: listener } = await call('schedules.create', { name: 'on invoice', workflow: 'test.noop', input: { steps: 2 }, trigger: { kind: 'event', event: 'invoice.received' } });
    expect(await call('kernel.emitEvent', { name: 'invoice.received', payload: { from: 'ACME' } })).toEqual({ started: 1 });
    expect(await call('kernel.emitEvent', { name: 'nobody.listens' })).toEqual({ started: 0 });
    const triggered = (await call('runs.list', { workflow: 'test.noop', limit: 1 })).runs[0];
    await runStatus(triggered.id, 'succeeded');
    await call('schedules.delete', { id: listener });

    const missing = await socket.call('runs.get', { id: 'no-such-run' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', message: 'There is no run no-such-run.' } });
  });
});

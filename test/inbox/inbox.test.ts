import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMemoryCore, type MemoryCore } from '../support/memory-core';
import { tempDir } from '../support/temp';

/** The inbox as the operator's desk, through a real Core (worker, PGlite on disk) and its API. */

const WORKFLOWS = join(__dirname, '../fixtures/inbox-workflows.ts');
const dataDir = tempDir({ lifetime: 'file' });
let mc: MemoryCore;

const start = () => startMemoryCore({ model: null, dataDir, workflowModules: [WORKFLOWS] });

async function startRun(workflow: string, input: unknown): Promise<string> {
  const { id } = await mc.call('runs.start', { workflow, input });
  return id;
}

const settled = (runId: string, statuses: string[]) => mc.waitFor('runs.changed', (p) => p.id === runId && statuses.includes(p.status ?? ''));

async function pendingDraft(subject: string, risk = 'medium'): Promise<{ runId: string; approvalId: string }> {
  const runId = await startRun('inbox.draft', { subject, risk });
  const pushed = await mc.waitFor('approvals.changed', (p) => p.runId === runId && p.status === 'pending');
  return { runId, approvalId: pushed.id };
}

const sentFile = (subject: string) => join(dataDir, 'workspace', `sent-${subject}.txt`);

beforeAll(async () => {
  mc = await start();
});
afterAll(() => mc?.close());

describe('inbox.list', () => {
  test('approvals, escalations and dead letters in one list, riskiest then oldest first, with agent, summary and counts', async () => {
    const older = await pendingDraft('Older medium');
    const fragile = await startRun('inbox.fragile', { fail: true });
    await settled(fragile, ['paused']);
    const parked = await startRun('inbox.parked', {});
    await settled(parked, ['dead_lettered']);
    const critical = await pendingDraft('Critical one', 'critical');
    const newer = await pendingDraft('Newer medium');

    const { items, counts } = await mc.call('inbox.list', {});
    expect(counts).toEqual({ approvals: 3, escalations: 1, deadLetters: 1, total: 5 });
    // critical, then high (escalation and dead letter, oldest first), then medium (oldest first).
    expect(items.map((i) => i.runId)).toEqual([critical.runId, fragile, parked, older.runId, newer.runId]);
    expect(items[0]).toMatchObject({
      kind: 'approval',
      subkind: 'draft',
      title: 'Send “Critical one”?',
      summary: 'E-mail to dana@northwind.example: “Critical one” · 1 changed paragraph',
      agent: 'desk-writer',
      workflow: 'inbox.draft',
      risk: 'critical',
      failure: null,
    });
    expect(items[1]).toMatchObject({
      kind: 'escalation',
      subkind: 'step_failed',
      agent: 'desk-checker',
      summary: 'check the ledger: The ledger export has no header row.',
      failure: { kind: 'permanent', step: { name: 'check the ledger' } },
    });
    expect(items[2]).toMatchObject({ kind: 'dead_letter', title: 'inbox.parked was parked', summary: expect.stringContaining('token has expired') });
    expect((await mc.call('inbox.list', { limit: 2 })).items).toHaveLength(2);
    await expect(mc.call('inbox.list', { limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });

    // Clear them so the next tests start from an empty inbox.
    for (const d of [older, critical, newer]) await mc.call('approvals.decide', { id: d.approvalId, decision: 'reject' });
    await mc.call('escalations.resolve', { id: items[1]!.id, action: 'abort' });
    await mc.call('deadLetters.discard', { id: items[2]!.id });
    await expect(mc.call('inbox.list', {})).resolves.toMatchObject({ items: [], counts: { total: 0 } });
  });
});

describe('undo', () => {
  test('within the undo window a decision is taken back: the effect never runs, the note is forgotten; decided again it runs once', async () => {
    await mc.call('preferences.set', { undoSeconds: 60 });
    const { runId, approvalId } = await pendingDraft('Undo me');
    await mc.call('approvals.decide', { id: approvalId, decision: 'approve', note: 'Always mention the payment terms to Dana.' });
    await mc.waitFor('memory.changed', (c) => c.action === 'remember');
    const preferences = async () => (await mc.call('memory.list', { kinds: ['preference'], statuses: ['active'], limit: 50 })).memories.filter((m) => m.provenance.approvalId === approvalId);
    expect((await preferences()).map((m) => m.text)).toEqual(['The operator, approving “Send “Undo me”?”: Always mention the payment terms to Dana.']);
    // The run waits out the window: still pending, nothing written.
    expect((await mc.call('runs.get', { id: runId })).run.status).toBe('pending');

    await mc.call('approvals.undo', { id: approvalId });
    expect((await mc.call('approvals.get', { id: approvalId })).approval).toMatchObject({ status: 'pending', decision: null });
    expect((await mc.call('runs.get', { id: runId })).run.status).toBe('waiting_approval');
    expect((await mc.call('inbox.list', {})).items.map((i) => i.id)).toEqual([approvalId]);
    await mc.waitFor('memory.changed', (c) => c.action === 'forget');
    expect(await preferences()).toEqual([]);
    const { events } = await mc.call('ledger.list', { runId, limit: 100 });
    expect(events.map((e) => e.type)).toContain('approval.undone');
    // Undoing twice is refused: there is no decision left to take back.
    await expect(mc.call('approvals.undo', { id: approvalId })).rejects.toMatchObject({ code: 'conflict' });

    await mc.call('preferences.set', { undoSeconds: 0 });
    await mc.call('approvals.decide', { id: approvalId, decision: 'approve' });
    await settled(runId, ['succeeded']);
    expect(readFileSync(sentFile('Undo me'), 'utf8')).toContain('payment within 30 days');
    await expect(mc.call('approvals.undo', { id: approvalId })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('Too late to undo') });
  });

  test('a rejection taken back and approved instead sends; one never decided cannot be undone', async () => {
    await mc.call('preferences.set', { undoSeconds: 60 });
    const { runId, approvalId } = await pendingDraft('Changed my mind');
    await expect(mc.call('approvals.undo', { id: approvalId })).rejects.toMatchObject({ code: 'conflict' });
    await mc.call('approvals.decide', { id: approvalId, decision: 'reject' });
    await mc.call('approvals.undo', { id: approvalId });
    await mc.call('preferences.set', { undoSeconds: 0 });
    await mc.call('approvals.decide', { id: approvalId, decision: 'approve' });
    const done = await settled(runId, ['succeeded']);
    expect(done.status).toBe('succeeded');
    expect((await mc.call('runs.get', { id: runId })).run.output).toEqual({ sent: true });
    expect(existsSync(sentFile('Changed my mind'))).toBe(true);
  });
});

describe('escalations', () => {
  test('edit the input and retry: the run goes on with the new input; an input that does not fit is refused', async () => {
    const runId = await startRun('inbox.fragile', { fail: true });
    await settled(runId, ['paused']);
    const { items } = await mc.call('inbox.list', {});
    const escalation = items.find((i) => i.runId === runId)!;
    await expect(mc.call('escalations.resolve', { id: escalation.id, action: 'retry', input: { fail: 'no' } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('does not fit inbox.fragile'),
    });
    await expect(mc.call('escalations.resolve', { id: escalation.id, action: 'abort', input: { fail: false } })).rejects.toMatchObject({ code: 'invalid_input' });
    await mc.call('escalations.resolve', { id: escalation.id, action: 'retry', input: { fail: false } });
    await settled(runId, ['succeeded']);
    const { run } = await mc.call('runs.get', { id: runId });
    expect(run).toMatchObject({ input: { fail: false }, output: 'checked' });
  });
});

describe('preferences and limits', () => {
  test('are validated, kept in the ledger and survive a restart', async () => {
    await expect(mc.call('preferences.set', { theme: 'purple' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(mc.call('preferences.set', { undoSeconds: 3600 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(mc.call('kernel.setConcurrency', { global: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    const saved = await mc.call('preferences.set', { theme: 'dark', notifications: { doNotDisturb: true } });
    expect(saved).toEqual({ theme: 'dark', notifications: { enabled: true, doNotDisturb: true }, undoSeconds: 0 });
    await mc.call('kernel.setConcurrency', { global: 2 });
    await mc.close();
    mc = await start();
    expect(await mc.call('preferences.get', {})).toEqual(saved);
    expect((await mc.call('kernel.status', {})).concurrency).toBe(2);
    const { events } = await mc.call('ledger.list', { type: 'preferences.changed', order: 'desc', limit: 1 });
    expect(events[0]?.data).toEqual({ theme: 'dark', notifications: { doNotDisturb: true } });
  });
});

import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAction, type Adapter } from '../../main/core/kernel/adapters/adapter';
import { KernelError } from '../../main/core/kernel/errors';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { until } from '../support/memory-core';
import { startKernel, type KernelHarness } from './harness';

/**
 * The versioned adapter contract: a run keeps the adapter versions current when it started; an
 * upgrade that changed an action's schema is detected (ledger) and refused for runs started
 * before it, a compatible one is used; each adapter's health is kept.
 */
const calls: string[] = [];

function crm(version: string, args: z.ZodType, risk: 'low' | 'high' = 'high', fail?: () => Error): Adapter {
  return {
    name: 'crm',
    version,
    actions: {
      add_contact: defineAction({
        risk,
        summary: 'Adds a contact to the CRM.',
        args,
        async run(a) {
          if (fail) throw fail();
          calls.push(`${version}:${JSON.stringify(a)}`);
          return { version };
        },
      }),
    },
  };
}

const V1 = z.object({ name: z.string() });
const V2 = z.object({ fullName: z.string(), email: z.string() });

const addContact = defineWorkflow({
  name: 'test.add-contact',
  version: 1,
  input: z.object({ name: z.string() }),
  permissions: ['crm.add_contact'],
  defaults: { retry: { maxAttempts: 1 }, onExhausted: 'fail' },
  async run(ctx, { name }) {
    return ctx.effect('crm', 'add_contact', { name });
  },
});

let h: KernelHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
  calls.length = 0;
});

async function approvalOf(run: string) {
  return until('the approval', async () => (await h!.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [run])).rows[0]);
}
async function ended(run: string) {
  return until('the run to end', async () => {
    const r = await h!.run(run);
    return ['succeeded', 'failed', 'dead_lettered'].includes(r.status) ? r : undefined;
  });
}

describe('adapter versions', () => {
  it('an upgrade that changed an action’s schema is in the ledger, and a run started before it is refused with both versions named', async () => {
    h = await startKernel({ adapters: [crm('1.0.0', V1)], workflows: [addContact] });
    const run = await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Ada' } });
    const approval = await approvalOf(run.id);
    expect((await h.run(run.id)).adapter_versions).toEqual(expect.objectContaining({ crm: '1.0.0' }));

    await h.restart({ adapters: [crm('2.0.0', V2)] });
    const upgraded = (await h.db.query<{ data: { from: string; to: string; changedActions: string[] } }>(`SELECT data FROM kernel_ledger WHERE type = 'adapter.upgraded'`)).rows;
    expect(upgraded.map((r) => r.data)).toEqual([{ adapter: 'crm', from: '1.0.0', to: '2.0.0', changedActions: ['add_contact'] }]);

    await decideApproval(h.k, approval.id, { decision: 'approve' });
    const r = await ended(run.id);
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/upgraded from 1\.0\.0 to 2\.0\.0 while this run was in flight, and crm\.add_contact changed/);
    expect(calls).toEqual([]);

    // Runs started after the upgrade use it.
    const fresh = await h.run((await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Bob' } })).id);
    expect(fresh.adapter_versions).toEqual(expect.objectContaining({ crm: '2.0.0' }));
  });

  it('a compatible upgrade (same schema) is used by runs in flight, and the ledger records the version that acted', async () => {
    h = await startKernel({ adapters: [crm('1.0.0', V1)], workflows: [addContact] });
    const run = await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Ada' } });
    const approval = await approvalOf(run.id);
    await h.restart({ adapters: [crm('1.1.0', V1)] });
    const upgraded = (await h.db.query<{ data: { changedActions: string[] } }>(`SELECT data FROM kernel_ledger WHERE type = 'adapter.upgraded'`)).rows;
    expect(upgraded[0]!.data.changedActions).toEqual([]);
    await decideApproval(h.k, approval.id, { decision: 'approve' });
    expect((await ended(run.id)).status).toBe('succeeded');
    expect(calls).toEqual(['1.1.0:{"name":"Ada"}']);
    const sent = (await h.db.query<{ data: { adapterVersion: string } }>(`SELECT data FROM kernel_ledger WHERE type = 'effect.sent' AND run_id = $1`, [run.id])).rows;
    expect(sent[0]!.data.adapterVersion).toBe('1.1.0');
  });

  it('while the old version is still loaded, a run in flight keeps it and new runs get the new one', async () => {
    h = await startKernel({ adapters: [crm('1.0.0', V1)], workflows: [addContact] });
    const old = await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Ada' } });
    const approval = await approvalOf(old.id);
    await h.k.registerAdapter(crm('2.0.0', z.object({ name: z.string(), email: z.string().optional() }), 'low'));
    const fresh = await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Bob' } });
    expect((await ended(fresh.id)).status).toBe('succeeded');
    await decideApproval(h.k, approval.id, { decision: 'approve' });
    expect((await ended(old.id)).status).toBe('succeeded');
    expect(calls.sort()).toEqual(['1.0.0:{"name":"Ada"}', '2.0.0:{"name":"Bob"}']);
  });

  it('the same version with another schema is flagged in the ledger', async () => {
    h = await startKernel({ adapters: [crm('1.0.0', V1)], workflows: [addContact] });
    await h.restart({ adapters: [crm('1.0.0', V2)] });
    const flagged = (await h.db.query<{ data: unknown }>(`SELECT data FROM kernel_ledger WHERE type = 'adapter.changed_without_version'`)).rows;
    expect(flagged.map((r) => r.data)).toEqual([{ adapter: 'crm', version: '1.0.0', changedActions: ['add_contact'] }]);
  });
});

describe('adapter health', () => {
  it('keeps the last success and the last error, says when the login expired, and survives a restart', async () => {
    const authFailure = () => new KernelError('permanent', 'The CRM refused the API key.', { code: 'auth_failed' });
    h = await startKernel({ adapters: [crm('1.0.0', V1, 'low')], workflows: [addContact] });
    expect(h.k.adapterRegistry.list().find((a) => a.name === 'crm')!.health).toMatchObject({ lastSuccessAt: null, lastErrorAt: null, authExpired: false, calls: 0 });
    expect((await ended((await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Ada' } })).id)).status).toBe('succeeded');

    await h.restart({ adapters: [crm('1.0.0', V1, 'low', authFailure)] });
    expect((await ended((await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Bob' } })).id)).status).toBe('failed');
    const health = h.k.adapterRegistry.list().find((a) => a.name === 'crm')!.health;
    expect(health).toMatchObject({ authExpired: true, calls: 2, failures: 1, lastError: { message: 'The CRM refused the API key.', code: 'auth_failed' } });
    expect(health.lastSuccessAt).not.toBeNull();

    await h.restart({ adapters: [crm('1.0.0', V1, 'low')] });
    expect(h.k.adapterRegistry.list().find((a) => a.name === 'crm')!.health).toMatchObject({ authExpired: true, calls: 2 });
    expect((await ended((await startRun(h.k, { workflow: 'test.add-contact', input: { name: 'Cy' } })).id)).status).toBe('succeeded');
    expect(h.k.adapterRegistry.list().find((a) => a.name === 'crm')!.health).toMatchObject({ authExpired: false, calls: 3, failures: 1 });
  });
});

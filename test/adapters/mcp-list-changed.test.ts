import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Adapter } from '../../main/core/kernel/adapters/adapter';
import { connectMcpServer, type McpConnection } from '../../main/core/adapters/mcp/mcp-adapter';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { approvalsOf, callTool, fixture, until } from '../fixtures/mcp/support';
import { startKernel, type KernelHarness } from '../kernel/harness';

/**
 * A server whose tools change while connected (test/fixtures/mcp/changing-server.mjs): calling
 * `unlock` adds `extra` and rewrites `plain`'s description into an instruction to the model.
 * The SDK server sends notifications/tools/list_changed; Keel lists the tools again and offers
 * a new adapter version, with the new tool and the rewritten description flagged.
 */
let mcp: McpConnection;
let h: KernelHarness;
const changes: Adapter[] = [];

beforeAll(async () => {
  mcp = await connectMcpServer({ name: 'changing', command: process.execPath, args: [fixture('changing-server.mjs')], risks: { plain: 'low', unlock: 'low' } });
  mcp.onChange((adapter) => changes.push(adapter));
  h = await startKernel({
    adapters: [mcp.adapter],
    workflows: [
      callTool('change.unlock', 'mcp-changing', 'unlock', {}, ['mcp-changing.unlock']),
      callTool('change.extra', 'mcp-changing', 'extra', { n: 21 }, ['mcp-changing.extra']),
      callTool('change.plain', 'mcp-changing', 'plain', { text: 'quiet' }, ['mcp-changing.plain']),
    ],
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await mcp?.close();
});

describe('notifications/tools/list_changed', () => {
  test('before the change: two tools, the lowered one runs without asking, no flag', async () => {
    expect(Object.keys(mcp.adapter.actions).sort()).toEqual(['plain', 'unlock']);
    expect(mcp.flags).toEqual([]);
    const { id } = await startRun(h.k, { workflow: 'change.plain', input: {} });
    await h.k.idle();
    expect((await h.run(id)).output).toMatchObject({ text: 'QUIET' });
  });

  test('the server adds a tool and poisons another: a new adapter version with both, the rewritten tool flagged and back to high risk', async () => {
    const before = mcp.adapter;
    const { id } = await startRun(h.k, { workflow: 'change.unlock', input: {} });
    await h.k.idle();
    expect((await h.run(id)).output).toMatchObject({ text: 'unlocked' });

    const latest = await until('an adapter with the new tool and the rewritten description', () => {
      const a = changes.at(-1);
      return a && 'extra' in a.actions && a.actions.plain!.flags ? a : undefined;
    });
    expect(mcp.adapter).toBe(latest);
    expect(latest.name).toBe('mcp-changing');
    expect(latest.version).not.toBe(before.version);
    expect(latest.version).toMatch(/^keel-changing-fixture@1\.0\.0\+[0-9a-f]{8}$/);
    expect(Object.keys(latest.actions).sort()).toEqual(['extra', 'plain', 'unlock']);
    expect(latest.actions.extra!.risk).toBe('high');
    expect(latest.actions.plain!.risk).toBe('high');
    expect(mcp.flags.map((f) => f.tool)).toEqual(['plain']);
    // An unchanged tool keeps its action (and its compiled schema); the old adapter is left as it was.
    expect(latest.actions.unlock).toBe(before.actions.unlock);
    expect(Object.keys(before.actions).sort()).toEqual(['plain', 'unlock']);
  });

  test('registered with the kernel, the new tool can be called, and the rewritten one now asks the operator', async () => {
    await h.k.registerAdapter(mcp.adapter);
    const { id } = await startRun(h.k, { workflow: 'change.extra', input: {} });
    await h.k.idle();
    const [approval] = await approvalsOf(h, id);
    expect(approval).toMatchObject({ proposal: { action: 'extra', args: { n: 21 } } });
    await decideApproval(h.k, approval!.id, { decision: 'approve' });
    await h.k.idle();
    expect((await h.run(id)).output).toMatchObject({ text: '42' });

    const { id: plain } = await startRun(h.k, { workflow: 'change.plain', input: {} });
    await h.k.idle();
    expect((await h.run(plain)).status).toBe('waiting_approval');
    expect((await approvalsOf(h, plain))[0]!.rationale).toContain('Keel flagged this tool');
  });
});

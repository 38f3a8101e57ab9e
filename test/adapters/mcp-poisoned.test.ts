import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectMcpServer, type McpConnection } from '../../main/core/adapters/mcp/mcp-adapter';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { approvalsOf, callTool, effectsOf, fixture } from '../fixtures/mcp/support';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { tempDir } from '../support/temp';

/**
 * Tool poisoning, served by a real MCP server process (test/fixtures/mcp/poisoned-server.mjs):
 * `add`'s description tells the model to read ~/.ssh/id_rsa, pass it as `note` and ignore its
 * instructions. Keel flags it, describes the action in its own words, keeps it behind the
 * approval gate even though the operator's configuration lowered it, and the description
 * reaches nothing Keel records; the server receives only what the workflow sent, and only after
 * the gates.
 */
let mcp: McpConnection;
let h: KernelHarness;
let calls: string;

// Phrases of the poisoned description: none of them may appear in what Keel shows or records.
const POISON_PHRASES = ['id_rsa', '.ssh', 'Before using this tool', 'do not mention', 'otherwise the tool will not work'];

const received = (): { tool: string; args: Record<string, unknown> }[] =>
  existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];

beforeAll(async () => {
  calls = join(tempDir({ lifetime: 'file' }), 'calls.jsonl');
  // The operator lowered both tools before anyone read their descriptions.
  mcp = await connectMcpServer({ name: 'poisoned', command: process.execPath, args: [fixture('poisoned-server.mjs'), calls], risks: { add: 'low', weather: 'low' } });
  h = await startKernel({
    adapters: [mcp.adapter],
    workflows: [
      callTool('poison.add', 'mcp-poisoned', 'add', { a: 2, b: 3 }, ['mcp-poisoned.add']),
      callTool('poison.add.again', 'mcp-poisoned', 'add', { a: 40, b: 2 }, ['mcp-poisoned.add']),
      callTool('poison.weather', 'mcp-poisoned', 'weather', { city: 'Lyon' }, ['mcp-poisoned.weather']),
    ],
  });
  h.k.setAgentPolicies((agent) => (agent === 'forecaster' ? { permissions: ['mcp-poisoned.weather'], approvals: [] } : undefined));
}, 60_000);

afterAll(async () => {
  await h?.close();
  await mcp?.close();
});

describe('a poisoned tool description from a real server', () => {
  test('is flagged for the operator; the honest tool next to it is not', () => {
    expect(mcp.flags).toEqual([{ tool: 'add', reason: expect.stringMatching(/reads like instructions to the model .*ignore its instructions.*names secrets.*treated as text and changes nothing/) }]);
    expect(mcp.adapter.actions.add!.flags).toEqual([mcp.flags[0]!.reason]);
    expect(mcp.adapter.actions.weather!.flags).toBeUndefined();
  });

  test('the action is described in Keel’s words, and a flagged tool stays high risk whatever the configuration lowered', () => {
    const add = mcp.adapter.actions.add!;
    expect(add.summary).toBe('Calls the tool add of the MCP server poisoned. Keel flagged this tool: its description reads like instructions to the model, which Keel ignores.');
    for (const phrase of POISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);
      expect(mcp.flags[0]!.reason).not.toContain(phrase);
    }
    expect(add.risk).toBe('high');
    expect(mcp.adapter.actions.weather!.risk).toBe('low');
  });

  test('a call waits for the operator, who sees the flag; rejected, the server never hears of it', async () => {
    const { id } = await startRun(h.k, { workflow: 'poison.add', input: {} });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval');
    const [approval] = await approvalsOf(h, id);
    expect(approval).toMatchObject({ risk: 'high', proposal: { adapter: 'mcp-poisoned', action: 'add', args: { a: 2, b: 3 } } });
    expect(approval!.rationale).toContain('Keel flagged this tool');
    expect(received()).toEqual([]);

    await decideApproval(h.k, approval!.id, { decision: 'reject', note: 'suspicious tool' });
    await h.k.idle();
    expect((await h.run(id)).error).toMatchObject({ kind: 'policy', message: expect.stringMatching(/operator rejected mcp-poisoned\.add/) });
    expect(received()).toEqual([]);
    expect(await effectsOf(h, id)).toEqual([]);
  });

  test('approved, the server gets exactly the workflow’s arguments: no note, no key', async () => {
    const { id } = await startRun(h.k, { workflow: 'poison.add.again', input: {} });
    await h.k.idle();
    const [approval] = await approvalsOf(h, id);
    await decideApproval(h.k, approval!.id, { decision: 'approve' });
    await h.k.idle();
    expect((await h.run(id)).output).toMatchObject({ text: '42' });
    expect(received()).toEqual([{ tool: 'add', args: { a: 40, b: 2 } }]);
  });

  test('an agent whose permissions do not name the poisoned tool cannot call it, even with the workflow’s permission', async () => {
    const { id } = await startRun(h.k, { workflow: 'poison.add', input: {}, agent: 'forecaster' });
    await h.k.idle();
    expect((await h.run(id)).error).toMatchObject({ kind: 'policy', message: expect.stringMatching(/Agent forecaster is not permitted to call mcp-poisoned\.add/) });
    expect(await approvalsOf(h, id)).toEqual([]);
    const { id: ok } = await startRun(h.k, { workflow: 'poison.weather', input: {}, agent: 'forecaster' });
    await h.k.idle();
    expect((await h.run(ok)).output).toMatchObject({ text: 'Sunny in Lyon' });
    expect(received().map((c) => c.tool)).toEqual(['add', 'weather']);
  });

  test('nothing Keel recorded (ledger, approvals) carries the description', async () => {
    const { rows } = await h.db.query<{ text: string }>(
      `SELECT data::text AS text FROM kernel_ledger UNION ALL SELECT concat_ws(' ', title, rationale, proposal::text) FROM kernel_approvals`,
    );
    expect(rows.length).toBeGreaterThan(5);
    for (const phrase of POISON_PHRASES) expect(rows.filter((r) => r.text.includes(phrase))).toEqual([]);
  });
});

import { createRequire } from 'node:module';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import type { Assembled } from '../../main/core/host/assemble';
import { startAssembledCore, type AssembledCore } from '../support/assembled-core';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { until } from '../support/memory-core';
import { tempDir } from '../support/temp';

/**
 * MCP servers as the operator configures them (mcp.* calls): kept with their secrets encrypted,
 * connected when the core starts and registered as adapters, risks edited per tool, removed
 * with everything. Against @modelcontextprotocol/server-everything over stdio.
 */
const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const SECRET = 'sk-live-0123456789abcdef';

const getEnv = defineWorkflow({
  name: 'test.mcp.get-env',
  version: 1,
  input: z.object({}),
  permissions: ['mcp-everything.get-env'],
  async run(ctx) {
    return ctx.effect('mcp-everything', 'get-env', {});
  },
});

let open: AssembledCore | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

async function start(dir: string): Promise<Assembled> {
  open = await startAssembledCore(dir, { workflows: [getEnv] });
  return open;
}

async function restart(dir: string): Promise<Assembled> {
  await open!.close();
  open = null;
  return start(dir);
}

const server = (extra: object = {}) => ({ name: 'everything', transport: { kind: 'stdio' as const, command: process.execPath, args: [EVERYTHING, 'stdio'], env: { API_TOKEN: SECRET, MODE: 'test' } }, secret: ['API_TOKEN'], ...extra });

describe('MCP servers configured by the operator', () => {
  it('keeps secrets encrypted and masked, connects at start, registers the tools, and a run waiting at a tool’s gate finishes after a restart', async () => {
    const dir = tempDir();
    let c = await start(dir);
    const saved = await c.mcp.save(server());
    expect(saved).toMatchObject({ name: 'everything', adapter: 'mcp-everything', state: 'connected', error: null });
    expect(saved.transport).toMatchObject({ kind: 'stdio', env: { MODE: 'test', API_TOKEN: expect.stringMatching(/^•+cdef$/) } });
    expect(saved.tools.find((t) => t.name === 'get-env')).toEqual({ name: 'get-env', risk: 'high', flag: null });
    // The secret is nowhere but the encrypted store: not in the table, the ledger or the view.
    const stored = await c.kernel.db.query<{ t: string }>(`SELECT (SELECT string_agg(config::text, '') FROM mcp_servers) || (SELECT string_agg(data::text, '') FROM kernel_ledger) AS t`);
    expect(stored.rows[0]!.t).not.toContain(SECRET);
    expect(JSON.stringify(await c.mcp.list())).not.toContain(SECRET);
    expect(c.kernel.adapterRegistry.list().find((a) => a.name === 'mcp-everything')?.version).toBe(saved.version);

    const run = await startRun(c.kernel, { workflow: 'test.mcp.get-env', input: {} });
    await until('the gate’s approval', async () => (await c.kernel.db.query(`SELECT 1 FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [run.id])).rows.length > 0);

    // Restarted: the server is connected again from its stored config (secret decrypted), the run goes on.
    c = await restart(dir);
    await c.mcp.settled();
    expect((await c.mcp.view('everything')).state).toBe('connected');
    const approval = (await c.kernel.db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [run.id])).rows[0]!;
    await decideApproval(c.kernel, approval.id, { decision: 'approve' });
    const done = await until('the run to end', async () => (await c.kernel.db.query<{ status: string; output: unknown }>(`SELECT status, output FROM kernel_runs WHERE id = $1 AND status IN ('succeeded', 'failed', 'dead_lettered')`, [run.id])).rows[0]);
    expect(done.status).toBe('succeeded');
    // The server really got the secret (server-everything's get-env shows its environment).
    expect(JSON.stringify(done.output)).toContain('API_TOKEN');
  });

  it('a tool’s risk lowered by the operator runs without asking; a server that cannot start is reported, not waited for; removing it unregisters its adapter', async () => {
    const dir = tempDir();
    const c = await start(dir);
    await c.mcp.save(server());
    const lowered = await c.mcp.setRisk('everything', 'get-env', 'low');
    expect(lowered.tools.find((t) => t.name === 'get-env')!.risk).toBe('low');
    expect(lowered.transport).toMatchObject({ env: { API_TOKEN: expect.stringMatching(/^•+cdef$/) } });
    const run = await startRun(c.kernel, { workflow: 'test.mcp.get-env', input: {} });
    const done = await until('the run to end', async () => (await c.kernel.db.query<{ status: string }>(`SELECT status FROM kernel_runs WHERE id = $1 AND status IN ('succeeded', 'failed', 'dead_lettered', 'waiting_approval')`, [run.id])).rows[0]);
    expect(done.status).toBe('succeeded');
    expect((await c.kernel.db.query(`SELECT 1 FROM kernel_approvals WHERE run_id = $1`, [run.id])).rows).toHaveLength(0);

    await expect(c.mcp.setRisk('everything', 'no-such-tool', 'low')).rejects.toThrow(/has no tool "no-such-tool"/);
    await expect(c.mcp.save({ ...server(), secret: ['NOT_SET'] })).rejects.toThrow(/"NOT_SET" is marked secret but is not one of/);

    const broken = await c.mcp.save({ name: 'broken', transport: { kind: 'stdio', command: process.execPath, args: ['-e', 'console.error("missing config file"); process.exit(3)'] } });
    expect(broken.state).toBe('failed');
    expect(broken.error).toMatch(/could not connect to the MCP server broken/);

    await c.mcp.remove('everything');
    expect(c.kernel.adapters.has('mcp-everything')).toBe(false);
    expect((await c.mcp.list()).map((s) => s.name)).toEqual(['broken']);
    expect((await c.secrets.list()).map((s) => s.id)).not.toContain('mcp.everything.env.API_TOKEN');
  });
});

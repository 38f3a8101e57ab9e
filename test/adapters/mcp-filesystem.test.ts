import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectMcpServer, type McpConnection } from '../../main/core/adapters/mcp/mcp-adapter';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { approvalsOf, callTool, childProcesses, effectsOf, packageBin } from '../fixtures/mcp/support';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { tempDir } from '../support/temp';

/**
 * A real MCP server nobody here wrote, @modelcontextprotocol/server-filesystem, started from its
 * package's bin over stdio with one temp folder as its allowed directory, as Keel actions
 * through a real kernel: the approval gate, an agent's least privilege, the server's own refusal
 * and Keel's argument check.
 */
const FILESYSTEM = packageBin('@modelcontextprotocol/server-filesystem');

let mcp: McpConnection;
let h: KernelHarness;
let allowed: string;
let outside: string;

beforeAll(async () => {
  allowed = realpathSync(tempDir({ lifetime: 'file' }));
  outside = realpathSync(tempDir({ lifetime: 'file' }));
  writeFileSync(join(outside, 'secret.txt'), 'not for the server');
  mcp = await connectMcpServer({ name: 'files', command: process.execPath, args: [FILESYSTEM, allowed], risks: { read_text_file: 'low' } });
  h = await startKernel({
    adapters: [mcp.adapter],
    workflows: [
      callTool('fs.write', 'mcp-files', 'write_file', { path: join(allowed, 'note.md'), content: '# Hello\nwritten by Keel\n' }, ['mcp-files.write_file']),
      callTool('fs.write.agent', 'mcp-files', 'write_file', { path: join(allowed, 'agent.md'), content: 'should never exist' }, ['mcp-files.write_file']),
      callTool('fs.read.outside', 'mcp-files', 'read_text_file', { path: join(outside, 'secret.txt') }, ['mcp-files.read_text_file']),
      callTool('fs.write.bad', 'mcp-files', 'write_file', { path: join(allowed, 'bad.md') }, ['mcp-files.write_file']),
    ],
  });
  // An agent that may read files but not write them (what the agent registry installs in the app).
  h.k.setAgentPolicies((agent) => (agent === 'reader' ? { permissions: ['mcp-files.read_text_file', 'mcp-files.list_directory'], approvals: [] } : undefined));
}, 60_000);

afterAll(async () => {
  await h?.close();
  await mcp?.close();
});

const stepOf = async (runId: string, name: string) =>
  (await h.db.query<{ status: string; attempts: number; error: { kind: string; message: string } | null }>('SELECT status, attempts, error FROM kernel_steps WHERE run_id = $1 AND name = $2', [runId, name])).rows[0];

describe('@modelcontextprotocol/server-filesystem over stdio', () => {
  test('its tools are listed as actions, high risk unless lowered, under the server’s name and version', () => {
    expect(Object.keys(mcp.adapter.actions)).toEqual(expect.arrayContaining(['read_text_file', 'write_file', 'edit_file', 'list_directory', 'move_file', 'list_allowed_directories']));
    expect(mcp.adapter.actions.write_file!.risk).toBe('high');
    expect(mcp.adapter.actions.move_file!.risk).toBe('high');
    expect(mcp.adapter.actions.read_text_file!.risk).toBe('low');
    expect(mcp.adapter.version).toMatch(/^secure-filesystem-server@\d+\.\d+\.\d+\+[0-9a-f]{8}$/);
    expect(mcp.adapter.actions.write_file!.schema).toMatchObject({ required: ['path', 'content'] });
    expect(mcp.flags).toEqual([]);
    expect(mcp.connected).toBe(true);
  });

  test('write_file waits for the operator; approved, the file really exists with the content, and the ledger has one effect', async () => {
    const target = join(allowed, 'note.md');
    const { id } = await startRun(h.k, { workflow: 'fs.write', input: {} });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval');
    expect(existsSync(target)).toBe(false);
    const [approval] = await approvalsOf(h, id);
    expect(approval).toMatchObject({ title: 'Allow mcp-files.write_file?', risk: 'high', proposal: { adapter: 'mcp-files', action: 'write_file', args: { path: target } } });
    expect(approval!.rationale).toMatch(/^Calls the tool write_file of the MCP server files\./);

    await decideApproval(h.k, approval!.id, { decision: 'approve' });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(readFileSync(target, 'utf8')).toBe('# Hello\nwritten by Keel\n');
    expect((run.output as { text: string }).text).toMatch(/Successfully wrote to .*note\.md/);
    expect(await effectsOf(h, id)).toEqual([
      expect.objectContaining({ adapter: 'mcp-files', action: 'write_file', adapterVersion: mcp.adapter.version, attempts: 1, risk: 'high', idempotencyKey: expect.any(String) }),
    ]);
  });

  test('an agent whose permissions do not name write_file is refused before any approval, and nothing is written', async () => {
    const { id } = await startRun(h.k, { workflow: 'fs.write.agent', input: {}, agent: 'reader' });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).not.toBe('succeeded');
    expect(run.error).toMatchObject({ kind: 'policy', message: expect.stringMatching(/Agent reader is not permitted to call mcp-files\.write_file/) });
    expect(await approvalsOf(h, id)).toEqual([]);
    expect(await effectsOf(h, id)).toEqual([]);
    expect(existsSync(join(allowed, 'agent.md'))).toBe(false);
  });

  test('a path outside the allowed directory: the server’s refusal is a permanent failure with its message, not retried', async () => {
    const { id } = await startRun(h.k, { workflow: 'fs.read.outside', input: {} });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).not.toBe('succeeded');
    expect(run.error).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/^The MCP tool files\.read_text_file failed: .*Access denied - path outside allowed directories/) });
    expect(run.error!.message).not.toContain('not for the server');
    expect(await stepOf(id, 'mcp-files.read_text_file')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await effectsOf(h, id)).toEqual([]);
  });

  test('a server that cannot start: connecting fails with its own last words, and no process is left', async () => {
    const missing = join(outside, 'no-such-folder');
    const failure = await connectMcpServer({ name: 'files-bad', command: process.execPath, args: [FILESYSTEM, missing] }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Keel could not connect to the MCP server files-bad: .*\(its last output: .*None of the specified directories are accessible\)$/s);
    expect(childProcesses(/no-such-folder/)).toEqual([]);
  });

  test('arguments that break write_file’s schema are refused before the server is called', async () => {
    const { id } = await startRun(h.k, { workflow: 'fs.write.bad', input: {} });
    await h.k.idle();
    // The gate comes first: the operator is asked, then the arguments are checked, before any call.
    const [approval] = await approvalsOf(h, id);
    await decideApproval(h.k, approval!.id, { decision: 'approve' });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.error).toMatchObject({ kind: 'validation', message: expect.stringMatching(/Arguments for mcp-files\.write_file are invalid: .*must have required property 'content'/) });
    expect(existsSync(join(allowed, 'bad.md'))).toBe(false);
    expect(await effectsOf(h, id)).toEqual([]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, test } from 'vitest';
import { connectMcpServer, IDEMPOTENCY_META, type McpConnection } from '../../main/core/adapters/mcp/mcp-adapter';
import { KernelError } from '../../main/core/kernel/errors';
import { startRun } from '../../main/core/kernel/operator';
import { alive, callTool, childProcesses, effectsOf, fixture, packageBin, until } from '../fixtures/mcp/support';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { tempDir } from '../support/temp';

/**
 * An MCP server whose process exits while a call is in flight (test/fixtures/mcp/crash-server.mjs:
 * its first <crashes> calls exit without answering, counted in a file, so the crash is
 * deterministic). The call is a transient failure, the kernel retries it, the adapter starts the
 * server again, and the effect is done once.
 */
interface Stamp {
  label: string;
  key: string | null;
  pid: number;
}
const stamps = (state: string): Stamp[] =>
  existsSync(join(state, 'effects.jsonl'))
    ? readFileSync(join(state, 'effects.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Stamp)
    : [];
const callsSeen = (state: string) => (existsSync(join(state, 'calls')) ? Number(readFileSync(join(state, 'calls'), 'utf8')) : 0);

const connect = (state: string, crashes: number, name = 'crashy') =>
  connectMcpServer({ name, command: process.execPath, args: [fixture('crash-server.mjs'), state, String(crashes)], risks: { stamp: 'low' } });

const FAST = { retry: { initialDelayMs: 20, maxDelayMs: 50 } };

let h: KernelHarness;
const open: McpConnection[] = [];

beforeAll(async () => {
  h = await startKernel({
    workflows: [
      callTool('crash.once', 'mcp-crashy', 'stamp', { label: 'invoice-42' }, ['mcp-crashy.stamp'], FAST),
      callTool('crash.always', 'mcp-doomed', 'stamp', { label: 'never' }, ['mcp-doomed.stamp'], FAST),
      callTool('crash.idle', 'mcp-idle', 'stamp', { label: 'after-restart' }, ['mcp-idle.stamp'], FAST),
    ],
  });
}, 60_000);

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

afterAll(async () => {
  await h?.close();
});

describe('an MCP server that crashes mid-call', () => {
  test('the broken call is transient with the server’s last words; the next call starts the server again', async () => {
    const state = tempDir();
    const mcp = await connect(state, 1);
    open.push(mcp);
    const stamp = mcp.adapter.actions.stamp!;
    const ctx = { idempotencyKey: 'run-1:1', signal: new AbortController().signal };
    const failure = await stamp.run({ label: 'first' }, ctx).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KernelError);
    expect(failure).toMatchObject({ kind: 'transient', message: expect.stringMatching(/The MCP server crashy did not answer stamp: .*crashing on purpose during call 1/) });
    expect(callsSeen(state)).toBe(1);
    expect(mcp.connected).toBe(false);

    await expect(stamp.run({ label: 'first' }, ctx)).resolves.toMatchObject({ text: expect.stringMatching(/^stamped first in process \d+$/) });
    expect(mcp.connected).toBe(true);
    // The key went along in _meta both times: a server that honours it can do the effect once.
    expect(stamps(state)).toEqual([{ label: 'first', key: 'run-1:1', pid: expect.any(Number) }]);
    expect(IDEMPOTENCY_META).toBe('keel/idempotencyKey');
  });

  test('through the kernel: attempt 1 dies with the process, attempt 2 runs on a new process; one effect, two attempts', async () => {
    const state = tempDir();
    const mcp = await connect(state, 1);
    open.push(mcp);
    await h.k.registerAdapter(mcp.adapter);
    const { id } = await startRun(h.k, { workflow: 'crash.once', input: {} });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(callsSeen(state)).toBe(2);
    const effects = await effectsOf(h, id);
    expect(effects).toEqual([expect.objectContaining({ adapter: 'mcp-crashy', action: 'stamp', attempts: 2 })]);
    // The server did it once, from the second process, with the effect's key.
    const done = stamps(state);
    expect(done).toEqual([{ label: 'invoice-42', key: effects[0]!.idempotencyKey, pid: (run.output as { structured: { pid: number } }).structured.pid }]);
  });

  test('a server that dies on every call: each attempt starts it again, then the run fails transient with the reason', async () => {
    const state = tempDir();
    const mcp = await connect(state, 99, 'doomed');
    open.push(mcp);
    await h.k.registerAdapter(mcp.adapter);
    const { id } = await startRun(h.k, { workflow: 'crash.always', input: {} });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).not.toBe('succeeded');
    expect(run.error).toMatchObject({ kind: 'transient', attempts: 3, message: expect.stringMatching(/did not answer stamp: .*crashing on purpose during call 3/) });
    // Three attempts, three processes (the counter is per call, across processes), nothing done.
    expect(callsSeen(state)).toBe(3);
    expect(stamps(state)).toEqual([]);
    expect(await effectsOf(h, id)).toEqual([]);
  });

  test('a server that died between calls is started again before the next call, without a failed attempt', async () => {
    const state = tempDir();
    const mcp = await connect(state, 0, 'idle');
    open.push(mcp);
    await h.k.registerAdapter(mcp.adapter);
    const first = (await mcp.adapter.actions.stamp!.run({ label: 'warm-up' }, { idempotencyKey: 'warm', signal: new AbortController().signal })) as { structured: { pid: number } };
    const pid = first.structured.pid;
    process.kill(pid, 'SIGKILL');
    await until('the adapter to notice the server is gone', () => !mcp.connected && !alive(pid));

    const { id } = await startRun(h.k, { workflow: 'crash.idle', input: {} });
    await h.k.idle();
    const run = await h.run(id);
    expect(run.status).toBe('succeeded');
    expect(await effectsOf(h, id)).toEqual([expect.objectContaining({ action: 'stamp', attempts: 1 })]);
    expect((run.output as { structured: { pid: number } }).structured.pid).not.toBe(pid);
  });

  test('a real server (server-everything) killed during a slow call: transient, and the next call runs on a new process', async () => {
    const mcp = await connectMcpServer({ name: 'everything', command: process.execPath, args: [packageBin('@modelcontextprotocol/server-everything'), 'stdio'] });
    open.push(mcp);
    const [pid, ...others] = childProcesses(/server-everything/);
    expect(others).toEqual([]);
    const ctx = { idempotencyKey: 'slow-1', signal: new AbortController().signal };
    const slow = mcp.adapter.actions['trigger-long-running-operation']!.run({ duration: 30, steps: 30 }, ctx).catch((e: unknown) => e);
    // The session is open, so the request is written to the server's stdin within this turn.
    await new Promise(setImmediate);
    process.kill(pid!, 'SIGKILL');
    expect(await slow).toMatchObject({ kind: 'transient', message: expect.stringMatching(/The MCP server everything did not answer trigger-long-running-operation: .*Connection closed/) });
    await expect(mcp.adapter.actions.echo!.run({ message: 'again' }, ctx)).resolves.toMatchObject({ text: 'Echo: again' });
    const now = childProcesses(/server-everything/);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(pid);
  });

  test('after close, the server process is gone and no call starts it again', async () => {
    const state = tempDir();
    const mcp = await connect(state, 0, 'closing');
    const out = (await mcp.adapter.actions.stamp!.run({ label: 'x' }, { idempotencyKey: 'k', signal: new AbortController().signal })) as { structured: { pid: number } };
    await mcp.close();
    await until('the server process to exit', () => !alive(out.structured.pid));
    await expect(mcp.adapter.actions.stamp!.run({ label: 'y' }, { idempotencyKey: 'k2', signal: new AbortController().signal })).rejects.toMatchObject({ kind: 'transient', message: /could not reach .*disconnected/ });
    expect(callsSeen(state)).toBe(1);
  });
});

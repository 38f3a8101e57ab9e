import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectMcpServer, type McpConnection } from '../../main/core/adapters/mcp/mcp-adapter';
import { decideApproval, startRun } from '../../main/core/kernel/operator';
import { approvalsOf, callTool, effectsOf, fixture, packageBin } from '../fixtures/mcp/support';
import { startKernel, type KernelHarness } from '../kernel/harness';
import { watchOutput } from '../support/server-process';

/**
 * The client over streamable HTTP, against a real MCP server nobody here wrote:
 * @modelcontextprotocol/server-everything's own streamable HTTP transport (`streamableHttp`), on
 * 127.0.0.1 (test/fixtures/mcp/listen-localhost.mjs binds its listen to loopback and reports the
 * port). Listing, calls through the kernel, and the server restarted or down mid-session.
 */
const EVERYTHING = packageBin('@modelcontextprotocol/server-everything');

interface HttpServer {
  proc: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startEverything(port = 0): Promise<HttpServer> {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(fixture('listen-localhost.mjs')).href, EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = watchOutput(proc);
  const line = await out.waitFor(/KEEL_LISTENING \S+ \d+/);
  const [, host, bound] = line.split(' ');
  expect(host).toBe('127.0.0.1');
  return {
    proc,
    port: Number(bound),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    },
  };
}

let server: HttpServer;
let mcp: McpConnection;
let h: KernelHarness;

beforeAll(async () => {
  server = await startEverything();
  mcp = await connectMcpServer({ name: 'web', url: `http://127.0.0.1:${server.port}/mcp`, risks: { echo: 'low' } });
  h = await startKernel({
    adapters: [mcp.adapter],
    workflows: [
      callTool('http.echo', 'mcp-web', 'echo', { message: 'over HTTP' }, ['mcp-web.echo'], { retry: { initialDelayMs: 20, maxDelayMs: 50 } }),
      callTool('http.sum', 'mcp-web', 'get-sum', { a: 20, b: 22 }, ['mcp-web.get-sum']),
    ],
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await mcp?.close();
  await server?.stop();
});

const echo = async () => {
  const { id } = await startRun(h.k, { workflow: 'http.echo', input: {} });
  await h.k.idle();
  return { run: await h.run(id), effects: await effectsOf(h, id) };
};

describe('server-everything over streamable HTTP on 127.0.0.1', () => {
  test('its tools are listed as actions with the server’s version', () => {
    expect(Object.keys(mcp.adapter.actions)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-env', 'trigger-long-running-operation']));
    expect(mcp.adapter.version).toMatch(/^mcp-servers\/everything@\d+\.\d+\.\d+\+[0-9a-f]{8}$/);
    expect(mcp.adapter.actions['get-sum']!.risk).toBe('high');
    expect(mcp.connected).toBe(true);
  });

  test('calls go through the kernel: a lowered tool runs at once, a high one after approval', async () => {
    const { run, effects } = await echo();
    expect(run.output).toMatchObject({ text: 'Echo: over HTTP' });
    expect(effects).toEqual([expect.objectContaining({ adapter: 'mcp-web', action: 'echo', attempts: 1, adapterVersion: mcp.adapter.version })]);

    const { id } = await startRun(h.k, { workflow: 'http.sum', input: {} });
    await h.k.idle();
    expect((await h.run(id)).status).toBe('waiting_approval');
    await decideApproval(h.k, (await approvalsOf(h, id))[0]!.id, { decision: 'approve' });
    await h.k.idle();
    expect(String(((await h.run(id)).output as { text: string }).text)).toMatch(/\b42\b/);
  });

  test('the server restarted mid-session: the old session is gone, the retry opens a new one and succeeds', async () => {
    const { port } = server;
    const first = server.proc.pid;
    await server.stop();
    server = await startEverything(port);
    expect(server.proc.pid).not.toBe(first);
    const { run, effects } = await echo();
    expect(run.status).toBe('succeeded');
    // Attempt 1 used the dead session (the new process does not know it), attempt 2 a new one.
    expect(effects).toEqual([expect.objectContaining({ action: 'echo', attempts: 2 })]);
    expect(run.output).toMatchObject({ text: 'Echo: over HTTP' });
  });

  test('the server down: calls fail transient, naming the server; back up, the next call connects at once', async () => {
    const { port } = server;
    await server.stop();
    const down = await echo();
    expect(down.run.status).not.toBe('succeeded');
    expect(down.run.error).toMatchObject({ kind: 'transient', attempts: 3, message: expect.stringMatching(/MCP server web/) });
    expect(down.effects).toEqual([]);

    server = await startEverything(port);
    const up = await echo();
    expect(up.run.status).toBe('succeeded');
    expect(up.effects).toEqual([expect.objectContaining({ attempts: 1 })]);
  });
});

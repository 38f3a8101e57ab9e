import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MODELS } from '../support/fixtures';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';

/**
 * Keel's MCP server over streamable HTTP at /mcp of the headless server (`npm run serve`), with
 * the same rules as the rest of it: loopback, the install's token (Authorization: Bearer), Host
 * and Origin checked. Driven by the official SDK's client.
 */
let server: ServerProcess;
let client: Client;

const mcpUrl = () => new URL(`http://127.0.0.1:${server.port}/mcp`);

/** A raw POST to /mcp with the given headers: the status the guard answers. */
function post(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }));
  });
}

beforeAll(async () => {
  server = await startServerProcess(tempDir({ lifetime: 'file' }), ['--models', MODELS, '--model', 'tiny-embedder', '--model-dtype', 'fp32', '--no-model-download']);
  client = new Client({ name: 'http-assistant', version: '2.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers: { authorization: `Bearer ${server.token}` } } }));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe("Keel's MCP server over HTTP", () => {
  test('lists the same tools as on stdio, and a remembered fact is proposed in the client’s name', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['list_pending_approvals', 'read_chunk', 'remember', 'search_memory']);
    const answer = (await client.callTool({ name: 'remember', arguments: { text: 'The client’s fiscal year ends in March.' } })) as { structuredContent?: { status?: string } };
    expect(answer.structuredContent).toMatchObject({ status: 'proposed', memoryId: expect.any(String) });
    const pending = (await client.callTool({ name: 'list_pending_approvals', arguments: {} })) as { isError?: boolean };
    expect(pending.isError).toBeFalsy();
  });

  test('refuses a request without the token, with a wrong one, for another host name, or from another site', async () => {
    expect(await post({})).toBe(401);
    expect(await post({ authorization: 'Bearer not-the-token' })).toBe(401);
    expect(await post({ authorization: `Bearer ${server.token}`, host: `attacker.example:${server.port}` })).toBe(421);
    expect(await post({ authorization: `Bearer ${server.token}`, origin: 'http://attacker.example' })).toBe(403);
    expect(await post({ authorization: `Bearer ${server.token}`, 'mcp-session-id': 'no-such-session' })).toBe(404);
    expect(await post({ authorization: `Bearer ${server.token}` })).toBe(200);
  });
});

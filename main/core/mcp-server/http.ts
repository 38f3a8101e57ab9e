import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { APP_VERSION } from '../version';
import { registerKeelTools, type CoreCall } from './keel-tools';
import { guardRequest, type Guard } from './http-guard';

export const MCP_PATH = '/mcp';
/** Sessions an idle client left open are closed after this long. */
const SESSION_IDLE_MS = 30 * 60_000;

/** Keel's MCP server (the same tools as on stdio); what a client proposes is marked with its name. */
export function createKeelMcpServer(call: CoreCall): McpServer {
  const server = new McpServer({ name: 'keel', title: 'Keel', version: APP_VERSION });
  registerKeelTools(server, call, () => `mcp:${server.server.getClientVersion()?.name ?? 'unknown client'}`);
  return server;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  idle: NodeJS.Timeout;
}

/**
 * Keel's MCP server over streamable HTTP, for the headless server's `/mcp` (behind its Host,
 * Origin and token checks, done by the caller): one MCP session per client, as the protocol's
 * `Mcp-Session-Id` says.
 */
export function mcpHttpHandler(call: CoreCall): { handle(req: IncomingMessage, res: ServerResponse): Promise<void>; close(): Promise<void> } {
  const sessions = new Map<string, Session>();
  const forget = (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    clearTimeout(s.idle);
    void s.server.close().catch(() => undefined);
  };
  const touch = (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    clearTimeout(s.idle);
    s.idle = setTimeout(() => forget(id), SESSION_IDLE_MS).unref();
  };

  return {
    async handle(req, res) {
      const id = req.headers['mcp-session-id'];
      const known = typeof id === 'string' ? sessions.get(id) : undefined;
      if (typeof id === 'string' && !known) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'This MCP session has ended; start a new one.' }, id: null }));
        return;
      }
      if (known) {
        touch(id as string);
        return known.transport.handleRequest(req, res);
      }
      const server = createKeelMcpServer(call);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => {
          sessions.set(sid, { transport, server, idle: setTimeout(() => forget(sid), SESSION_IDLE_MS).unref() });
        },
      });
      transport.onclose = () => transport.sessionId && forget(transport.sessionId);
      await server.connect(transport);
      await transport.handleRequest(req, res);
      // A first request that did not open a session (not an initialize) leaves nothing behind.
      if (!transport.sessionId) await server.close().catch(() => undefined);
    },
    async close() {
      for (const id of [...sessions.keys()]) forget(id);
    },
  };
}

export interface McpEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Keel's MCP server on its own loopback port (the desktop app's switch in Settings): `/mcp`
 * only, with the headless server's rules (Host, Origin, the install's token as a Bearer token).
 * `port` 0 takes a free one; the caller keeps it so clients' settings stay valid.
 */
export async function startMcpEndpoint(options: { call: CoreCall; token: string; port?: number }): Promise<McpEndpoint> {
  const guard: Guard = { port: options.port ?? 0, token: options.token };
  const mcp = mcpHttpHandler(options.call);
  const server = createServer((req, res) => {
    const refusal = guardRequest(req, guard);
    if (refusal) return void res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' }).end(refusal.message.replace('open the URL that `npm run serve` printed (it ends in ?token=...)', 'send it as "Authorization: Bearer <token>" (Settings shows it)') + '\n');
    if (new URL(req.url ?? '/', 'http://local').pathname !== MCP_PATH) return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Keel's MCP server is at ${MCP_PATH}.\n`);
    mcp.handle(req, res).catch((err: unknown) => {
      console.error('[mcp] request failed:', err);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(guard.port, '127.0.0.1', () => resolve());
  });
  guard.port = (server.address() as AddressInfo).port;
  return {
    port: guard.port,
    url: `http://127.0.0.1:${guard.port}${MCP_PATH}`,
    async close() {
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

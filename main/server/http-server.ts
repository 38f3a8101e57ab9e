import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { contentSecurityPolicy } from '../../shared/security/csp';
import type { Core } from '../core/host/core';
import { guardRequest as check, tokenCookieName, type Guard } from '../core/mcp-server/http-guard';
import { serveStatic } from './static-files';
import { createApiSocketServer } from './websocket';
import { MCP_PATH, mcpHttpHandler } from '../core/mcp-server/http';

export const API_PATH = '/api';

export interface KeelServerOptions {
  core: Core;
  token: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  host?: string;
  port?: number;
}

export interface KeelServer {
  port: number;
  /** The URL to open, with the token. */
  url: string;
  close(): Promise<void>;
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(message + '\n');
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The headless server: the built renderer and the API over WebSocket, on loopback, behind the token. */
export async function startKeelServer(options: KeelServerOptions): Promise<KeelServer> {
  const host = options.host ?? '127.0.0.1';
  const guard: Guard = { port: options.port ?? 0, token: options.token, extraHosts: [host] };
  const api = createApiSocketServer(options.core);
  // Keel's memory for other assistants (MCP over streamable HTTP), behind the same checks and token.
  const mcp = mcpHttpHandler((method, input) => options.core.call(method, input));
  let headers: Record<string, string> = {}; // set once the port is known

  const server = createServer((req, res) => {
    const refusal = check(req, guard);
    if (refusal) return refuse(res, refusal.status, refusal.message);
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === MCP_PATH) {
      return void mcp.handle(req, res).catch((err: unknown) => {
        console.error('[mcp] request failed:', err);
        if (!res.headersSent) refuse(res, 500, 'The MCP request failed.');
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here; the API is a WebSocket at /api.');
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a same-site cookie and drop it from the address bar.
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${tokenCookieName(guard.port)}=${guard.token}; Path=/; HttpOnly; SameSite=Strict`,
        'cache-control': 'no-store',
      });
      return res.end();
    }
    serveStatic(options.staticDir, url.pathname, res, headers);
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refusal = check(req, guard);
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.reason);
    if (new URL(req.url ?? '/', 'http://local').pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    api.wss.handleUpgrade(req, socket, head, (ws) => api.wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(guard.port, host, () => resolve());
  });
  guard.port = (server.address() as AddressInfo).port;
  headers = securityHeaders(guard.port);
  const shown = host.includes(':') ? `[${host}]` : host;

  return {
    port: guard.port,
    url: `http://${shown}:${guard.port}/?token=${guard.token}`,
    async close() {
      api.close();
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Guards for a server that only the local user's browser should reach:
 * the Host header must name this server (defeats DNS rebinding), an Origin, when a browser
 * sends one, must be this server's own (defeats cross-site requests and WebSockets), and
 * every request must carry the install's token.
 */
export interface Guard {
  port: number;
  token: string;
  /** Extra host names the operator allowed (--host on a LAN address). */
  extraHosts?: string[];
}

const LOCAL_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function allowedHosts(guard: Guard): Set<string> {
  return new Set([...LOCAL_NAMES, ...(guard.extraHosts ?? [])].map((name) => `${name}:${guard.port}`));
}

export function hostAllowed(req: IncomingMessage, guard: Guard): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(guard).has(host);
}

/** No Origin (a non-browser client) is fine; a browser's Origin must be our own. */
export function originAllowed(req: IncomingMessage, guard: Guard): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && allowedHosts(guard).has(url.host);
  } catch {
    return false;
  }
}

export function tokenCookieName(port: number): string {
  // Cookies ignore ports: two Keels on one machine must not overwrite each other's cookie.
  return `keel_token_${port}`;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function presentedToken(req: IncomingMessage, guard: Guard): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return query ?? cookie(req, tokenCookieName(guard.port));
}

export function tokenValid(candidate: string | undefined, guard: Guard): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(guard.token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks shared by HTTP, WebSocket and the MCP endpoint: Host, Origin, token. Returns the refusal or null. */
export function guardRequest(req: IncomingMessage, guard: Guard): { status: number; reason: string; message: string } | null {
  if (!hostAllowed(req, guard)) {
    return { status: 421, reason: 'Misdirected Request', message: `Keel answers only to 127.0.0.1:${guard.port} or localhost:${guard.port}.` };
  }
  if (!originAllowed(req, guard)) {
    return { status: 403, reason: 'Forbidden', message: 'Requests from other sites are refused.' };
  }
  if (!tokenValid(presentedToken(req, guard), guard)) {
    return { status: 401, reason: 'Unauthorized', message: 'Keel needs its access token: open the URL that `npm run serve` printed (it ends in ?token=...).' };
  }
  return null;
}

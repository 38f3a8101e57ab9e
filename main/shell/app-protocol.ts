import fs from 'node:fs';
import { extname, isAbsolute, join, relative } from 'node:path';
import type { CustomScheme } from 'electron';
import { contentSecurityPolicy } from '../../shared/security/csp';

/**
 * The renderer is served from `keel://app/...`, not file://: a page on file:// may read any
 * file the user can (and file:// gets extra privileges unless a fuse takes them away), while
 * this scheme answers only with files from out/renderer. Everything here runs in plain Node;
 * index.ts only registers it with Electron.
 */
export const APP_SCHEME = 'keel';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `ready`. `standard` gives the scheme an origin (relative URLs, 'self' in
 * the CSP, storage), `secure` treats it like https, `supportFetchAPI` lets the page fetch its
 * own assets. Nothing else: no CSP bypass, no service workers, no CORS.
 */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type AppPath = { ok: true; relative: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Which file under the renderer folder a keel:// URL names, decided on the URL alone. Chromium
 * already folds `..` and `%2e%2e` for standard schemes, but an escaped slash (`..%2f`) or
 * backslash survives until decoding, so the decoded path is checked segment by segment.
 */
export function resolveAppPath(url: string): AppPath {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { ok: false, status: 404, reason: 'not the app host' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed escape' };
  }
  // Backslashes are separators on Windows and colons name drives or NTFS streams: no asset has either.
  if (/[\\:\0]/.test(decoded)) return { ok: false, status: 403, reason: 'forbidden character' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'path traversal' };
  return { ok: true, relative: segments.length === 0 ? 'index.html' : segments.join('/') };
}

/** True when `child` is `root` itself or below it (both already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy() } });
}

export interface AppRequest {
  url: string;
  method: string;
}

/**
 * The keel:// handler: GET or HEAD of a regular file inside `root`, with its type and the
 * CSP as headers. Symlinks are followed and then checked, so a link pointing out of the
 * folder is refused like `..`. Node's fs is used through `fs.promises` at call time so that
 * Electron's asar support (which patches that object) applies in the packaged app.
 */
export function appProtocolHandler(root: string): (request: AppRequest) => Promise<Response> {
  let realRoot: string | null = null;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const target = resolveAppPath(request.url);
    if (!target.ok) return plain(target.status, target.reason);
    realRoot ??= await fs.promises.realpath(root).catch(() => null);
    const file = await realFile(realRoot, target.relative);
    if (file === 'outside') return plain(403, 'outside the app folder');
    if (file === null) return plain(404, 'Not found');
    const body = request.method === 'HEAD' ? null : await fs.promises.readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeFor(file),
        'Content-Security-Policy': contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
        // The files change with every build; the page is small enough to read afresh.
        'Cache-Control': 'no-cache',
      },
    });
  };
}

/** The resolved path of a regular file under `root`, 'outside' if it escapes, null if absent. */
async function realFile(root: string | null, rel: string): Promise<string | 'outside' | null> {
  if (root === null) return null;
  let real: string;
  try {
    real = await fs.promises.realpath(join(root, rel));
  } catch {
    return null;
  }
  if (!isInside(root, real)) return 'outside';
  const stat = await fs.promises.stat(real).catch(() => null);
  return stat?.isFile() ? real : null;
}

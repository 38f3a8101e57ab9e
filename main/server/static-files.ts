import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the built renderer. Paths are resolved inside `root` only; unknown paths without
 * an extension fall back to index.html (the app routes on the client).
 */
export function serveStatic(root: string, pathname: string, res: ServerResponse, headers: Record<string, string>): void {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed path.');
    return;
  }
  let file = join(root, rel);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Outside the app folder.');
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) {
    if (extname(rel)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.');
      return;
    }
    file = join(root, 'index.html');
  }
  if (!existsSync(file)) {
    res
      .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The Keel interface is not built yet: run `npm run build`, then reload. The API is available at /api.');
    return;
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const cache = file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable';
  res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache });
  createReadStream(file).pipe(res);
}

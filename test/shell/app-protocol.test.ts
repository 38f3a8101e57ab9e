import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { APP_URL, appProtocolHandler, appScheme, contentTypeFor, resolveAppPath } from '../../main/shell/app-protocol';
import { contentSecurityPolicy } from '../../shared/security/csp';
import { tempDir } from '../support/temp';

/**
 * A renderer folder next to a secret it must never serve:
 *   <tmp>/renderer/{index.html, assets/app.js, assets/app.css, assets/logo.svg, link-in.js -> assets/app.js, link-out -> ../secret.txt, escape/ -> ..}
 *   <tmp>/secret.txt
 */
let serve: ReturnType<typeof appProtocolHandler>;
beforeAll(() => {
  const base = tempDir({ lifetime: 'file' });
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Keel</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("keel")');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  symlinkSync(join(root, 'assets', 'app.js'), join(root, 'link-in.js'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(base, join(root, 'escape'));
  serve = appProtocolHandler(root);
});

const get = (url: string, method = 'GET') => serve({ url, method });

describe('keel:// protocol', () => {
  test('is registered standard, secure and fetch-capable, and nothing more', () => {
    expect(appScheme).toEqual({ scheme: 'keel', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  test('serves index.html with its type and the CSP as a header', async () => {
    const res = await get(APP_URL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>Keel</title>');
    // The hash and query are the renderer's business; the root is the app's page.
    expect((await get(`${APP_URL}#/inbox/a1`)).status).toBe(200);
    expect(await (await get('keel://app/')).text()).toContain('<title>Keel</title>');
  });

  test('assets come with the right Content-Type', async () => {
    expect((await get('keel://app/assets/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('keel://app/assets/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('keel://app/assets/logo.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect(contentTypeFor('x.WOFF2')).toBe('font/woff2');
    expect(contentTypeFor('x.unknown')).toBe('application/octet-stream');
    const head = await get('keel://app/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  test('missing files, folders and other hosts are 404', async () => {
    expect((await get('keel://app/nope.js')).status).toBe(404);
    expect((await get('keel://app/assets')).status).toBe(404);
    expect((await get('keel://app/assets/')).status).toBe(404);
    expect((await get('keel://other/index.html')).status).toBe(404);
    expect((await get('https://app/index.html')).status).toBe(404);
  });

  test('path traversal is refused in every spelling, and the secret never leaks', async () => {
    const attempts = [
      'keel://app/..%2fsecret.txt',
      'keel://app/..%2Fsecret.txt',
      'keel://app/assets/..%2f..%2fsecret.txt',
      'keel://app/%2e%2e%2fsecret.txt',
      'keel://app/..%5csecret.txt',
      'keel://app/assets%5c..%5c..%5csecret.txt',
      'keel://app/%2F%2E%2E%2Fsecret.txt',
      'keel://app/index.html%00.js',
      'keel://app/C:%5cWindows%5cwin.ini',
      'keel://app/c%3a/secret.txt',
      'keel://app/link-out.txt',
      'keel://app/escape/secret.txt',
    ];
    for (const url of attempts) {
      const res = await get(url);
      expect(res.status, url).toBe(403);
      expect(await res.text(), url).not.toContain('TOP SECRET');
    }
    // Unescaped dots are folded by the URL parser before anything else: still inside the folder.
    expect((await get('keel://app/assets/../../secret.txt')).status).toBe(404);
    expect((await get('keel://app/%2e%2e/secret.txt')).status).toBe(404);
  });

  test('the URL check names the refusal without touching the disk', () => {
    expect(resolveAppPath('keel://app/..%2f..%2fetc/passwd')).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppPath('keel://app/%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppPath('keel://app//etc/passwd')).toEqual({ ok: true, relative: 'etc/passwd' });
    expect(resolveAppPath('keel://app/assets/app.js?v=1#x')).toEqual({ ok: true, relative: 'assets/app.js' });
  });

  test('a symlink that stays inside the folder is served', async () => {
    const res = await get('keel://app/link-in.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log("keel")');
  });

  test('only GET and HEAD', async () => {
    expect((await get(APP_URL, 'POST')).status).toBe(405);
    expect((await get(APP_URL, 'DELETE')).status).toBe(405);
  });
});

import { request } from 'node:http';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadOrCreateToken } from '../../main/core/data-folder/token';
import { startHarness, type Harness } from '../support/in-process-server';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

/** A raw HTTP GET where the test controls every header (fetch forbids setting Host). */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('headless server: HTTP', () => {
  test('no token → 401 with a sentence saying what to do', async () => {
    const res = await get(h.server.port, '/', { host: `127.0.0.1:${h.server.port}` });
    expect(res.status).toBe(401);
    expect(res.body).toContain('access token');
  });

  test('a wrong token → 401', async () => {
    const res = await get(h.server.port, '/', { host: `127.0.0.1:${h.server.port}`, authorization: 'Bearer not-the-token' });
    expect(res.status).toBe(401);
  });

  test('the token in the URL is traded for an HttpOnly SameSite cookie and dropped from the address', async () => {
    const res = await get(h.server.port, `/?token=${h.token}`, { host: `localhost:${h.server.port}` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`keel_token_${h.server.port}=${h.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await get(h.server.port, '/', { host: `127.0.0.1:${h.server.port}`, cookie: `keel_token_${h.server.port}=${h.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Keel test page');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  test('a foreign Host (DNS rebinding) is refused even with the right token', async () => {
    const res = await get(h.server.port, '/', { host: `evil.example:${h.server.port}`, authorization: `Bearer ${h.token}` });
    expect(res.status).toBe(421);
    const wrongPort = await get(h.server.port, '/', { host: `127.0.0.1:1`, authorization: `Bearer ${h.token}` });
    expect(wrongPort.status).toBe(421);
  });

  test('a cross-site request (foreign Origin) is refused even with the right token', async () => {
    const res = await get(h.server.port, '/', {
      host: `127.0.0.1:${h.server.port}`,
      origin: 'http://evil.example',
      cookie: `keel_token_${h.server.port}=${h.token}`,
    });
    expect(res.status).toBe(403);
  });

  test('paths cannot escape the app folder, however they are encoded', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/..%5csecret.txt', '/a/../../secret.txt', '//../secret.txt']) {
      const res = await get(h.server.port, path, { host: `127.0.0.1:${h.server.port}`, authorization: `Bearer ${h.token}` });
      expect(res.body, path).not.toContain('TOP-SECRET');
    }
    const malformed = await get(h.server.port, '/%E0%A4%A', { host: `127.0.0.1:${h.server.port}`, authorization: `Bearer ${h.token}` });
    expect(malformed.status).toBe(400);
  });
});

describe('headless server: WebSocket', () => {
  test('without a token the upgrade is refused with 401', async () => {
    await expect(TestSocket.open(h.wsUrl)).rejects.toThrow('HTTP 401');
  });

  test('a foreign Origin is refused with 403 even with the token (no cross-site WebSocket)', async () => {
    await expect(TestSocket.open(`${h.wsUrl}?token=${h.token}`, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(TestSocket.open(`${h.wsUrl}?token=${h.token}`, { origin: `http://127.0.0.1:${h.server.port + 1}` })).rejects.toThrow('HTTP 403');
  });

  test('a foreign Host is refused with 421', async () => {
    await expect(TestSocket.open(`${h.wsUrl}?token=${h.token}`, { host: 'evil.example' })).rejects.toThrow('HTTP 421');
  });

  test('its own Origin with the token connects and calls', async () => {
    const socket = await TestSocket.open(`${h.wsUrl}?token=${h.token}`, { origin: `http://127.0.0.1:${h.server.port}` });
    const answer = await socket.call('system.ping', { echo: 'x' });
    expect(answer).toMatchObject({ type: 'result', ok: true, output: { pong: true, echo: 'x' } });
    socket.close();
  });

  test('status changes are pushed to connected sockets', async () => {
    const socket = await TestSocket.open(`${h.wsUrl}?token=${h.token}`);
    await socket.call('system.ping', {});
    await h.core.setAgentsPaused(true);
    await socket.call('system.ping', {}); // the events were sent before this answer
    expect(socket.events.some((e) => e.type === 'event' && e.event === 'system.statusChanged')).toBe(true);
    expect(socket.events.some((e) => e.type === 'event' && e.event === 'kernel.changed')).toBe(true);
    await h.core.setAgentsPaused(false);
    socket.close();
  });
});

describe('token file', () => {
  test('is created 0600, reused, and repaired when someone loosens it', () => {
    const dir = tempDir();
    const token = loadOrCreateToken(dir);
    const path = join(dir, 'server-token');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    chmodSync(path, 0o644);
    expect(loadOrCreateToken(dir)).toBe(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('two installs get different tokens', () => {
    expect(loadOrCreateToken(tempDir())).not.toBe(loadOrCreateToken(tempDir()));
  });
});

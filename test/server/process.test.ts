import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, test } from 'vitest';
import { BUILT_SERVER, startServerProcess } from '../support/server-process';
import { latestSchemaVersion } from '../../main/core/db/migrations';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

describe('npm run serve (the built server process)', () => {
  test('prints the URL with its token, serves the API, and stops cleanly on SIGINT and SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const dir = tempDir();
      const server = await startServerProcess(dir);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      await server.waitFor(new RegExp(`Database ready \\(schema ${latestSchemaVersion}\\)`));
      const socket = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
      expect(await socket.call('system.status')).toMatchObject({ ok: true, output: { database: { state: 'ready' }, dataDir: dir } });
      const closed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
      expect(await server.stop(signal)).toBe(0);
      expect(await closed).toBe(1001);
      expect(server.output()).toContain('Keel stopped.');
      expect(existsSync(join(dir, 'keel.lock'))).toBe(false);
      // The database was closed properly: it reopens and holds its migrations.
      const db = await PGlite.create(join(dir, 'db'));
      const rows = await db.query('SELECT version FROM keel_migrations');
      await db.close();
      expect(rows.rows).toHaveLength(latestSchemaVersion);
    }
  });

  test('reuses the same token across restarts of the same data folder', async () => {
    const dir = tempDir();
    const first = await startServerProcess(dir);
    await first.stop();
    const second = await startServerProcess(dir);
    await second.stop();
    expect(second.token).toBe(first.token);
  });

  test('a data folder from a newer Keel: the server says so and exits 1', async () => {
    const dir = tempDir();
    const first = await startServerProcess(dir);
    await first.waitFor(/Database ready/);
    await first.stop();
    const db = await PGlite.create(join(dir, 'db'));
    await db.query("INSERT INTO keel_migrations (version, name, checksum) VALUES (42, 'from-the-future', 'x')");
    await db.close();
    const run = spawnSync(process.execPath, [BUILT_SERVER, '--data', dir, '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('This data folder was written by a newer Keel (schema version 42)');
    expect(existsSync(join(dir, 'keel.lock'))).toBe(false);
  });

  test('bad arguments get a clear message and exit 1', () => {
    const run = spawnSync(process.execPath, [BUILT_SERVER, '--port', 'ninety'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--port must be a number from 0 to 65535, not "ninety"');
    const unknown = spawnSync(process.execPath, [BUILT_SERVER, '--frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option '--frobnicate'/);
  });
});

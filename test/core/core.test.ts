import { describe, expect, test } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Core } from '../../main/core/host/core';
import { DataFolderLockedError } from '../../main/core/data-folder/lock';
import { latestSchemaVersion } from '../../main/core/db/migrations';
import type { SystemStatus } from '../../shared/domain/system';
import pkg from '../../package.json';
import { tempDir } from '../support/temp';

async function withCore<T>(dataDir: string, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = Core.start({ dataDir, mode: 'headless' });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

describe('Core on a real data folder', () => {
  test('opens PGlite with pgvector in a worker and reports itself ready', async () => {
    const dir = tempDir();
    const changes: SystemStatus[] = [];
    await withCore(dir, async (core) => {
      core.subscribe((event, payload) => event === 'system.statusChanged' && changes.push(payload as SystemStatus));
      expect(core.status().database.state).toBe('opening');
      await core.ready;
      const result = await core.call('system.status', {});
      expect(result).toMatchObject({
        ok: true,
        output: {
          appVersion: pkg.version,
          schemaVersion: latestSchemaVersion,
          databaseSchemaVersion: latestSchemaVersion,
          dataDir: dir,
          mode: 'headless',
          database: { state: 'ready' },
          // No model in a new data folder (and tests never download one): loading, then absent.
          embeddingModel: { state: expect.stringMatching(/^(loading|absent)$/) },
        },
      });
    });
    expect(changes.at(-1)?.database.state).toBe('ready');
    // The database really is on disk, with pgvector and the migration record.
    const db = await PGlite.create(join(dir, 'db'));
    try {
      const ext = await db.query<{ extname: string }>("SELECT extname FROM pg_extension WHERE extname = 'vector'");
      expect(ext.rows).toHaveLength(1);
      const versions = await db.query<{ version: number }>('SELECT version FROM keel_migrations');
      expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: latestSchemaVersion }, (_, i) => i + 1));
    } finally {
      await db.close();
    }
  });

  test('answers the API while the worker is still creating the database', async () => {
    const dir = tempDir();
    await withCore(dir, async (core) => {
      const ping = await core.call('system.ping', { echo: 'hi' });
      expect(ping).toMatchObject({ ok: true, output: { pong: true, echo: 'hi' } });
      // First open runs initdb in the worker for seconds; the answer came before it finished.
      expect(core.status().database.state).toBe('opening');
      await core.ready;
    });
  });

  test('a folder written by a newer schema is refused: status says so and nothing is changed', async () => {
    const dir = tempDir();
    await withCore(dir, (core) => core.ready);
    const db = await PGlite.create(join(dir, 'db'));
    await db.query("INSERT INTO keel_migrations (version, name, checksum) VALUES (999, 'future', 'x')");
    await db.close();

    await withCore(dir, async (core) => {
      await expect(core.ready).rejects.toThrow(/newer Keel \(schema version 999\)/);
      const status = core.status();
      expect(status.database.state).toBe('failed');
      expect(status.database.error).toContain('Update Keel to open it');
      const call = await core.call('system.status', {});
      expect(call.ok).toBe(true);
    });
    const after = await PGlite.create(join(dir, 'db'));
    const rows = await after.query<{ version: number }>('SELECT version FROM keel_migrations ORDER BY version');
    await after.close();
    expect(rows.rows.map((r) => r.version)).toEqual([...Array.from({ length: latestSchemaVersion }, (_, i) => i + 1), 999]);
  });

  test('a second Core on the same folder in the same process is refused; close releases the lock', async () => {
    const dir = tempDir();
    const core = Core.start({ dataDir: dir, mode: 'headless' });
    await core.ready;
    expect(() => Core.start({ dataDir: dir, mode: 'headless' })).toThrow(DataFolderLockedError);
    expect(existsSync(join(dir, 'keel.lock'))).toBe(true);
    await core.close();
    expect(existsSync(join(dir, 'keel.lock'))).toBe(false);
    await withCore(dir, (again) => again.ready);
  });

  test('invalid calls get typed errors and never reach the worker', async () => {
    const dir = tempDir();
    await withCore(dir, async (core) => {
      expect(await core.call('system.nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
      expect(await core.call(42, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
      const bad = await core.call('system.ping', { echo: 7 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'echo' }] } });
      const extra = await core.call('system.status', { surprise: true });
      expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.call('system.status', undefined)).toMatchObject({ ok: true });
    });
  });

  test('pausing all agents goes through the kernel, is pushed as an event and survives a restart', async () => {
    const dir = tempDir();
    await withCore(dir, async (core) => {
      const seen: boolean[] = [];
      core.subscribe((event, payload) => event === 'system.statusChanged' && seen.push((payload as SystemStatus).agentsPaused));
      expect(await core.setAgentsPaused(true)).toEqual({ ok: true, output: { ok: true } });
      expect(core.status().agentsPaused).toBe(true);
      expect(seen).toContain(true);
      expect(await core.call('kernel.status', {})).toMatchObject({ ok: true, output: { paused: true } });
    });
    await withCore(dir, async (core) => {
      await core.ready;
      await expect.poll(() => core.status().agentsPaused).toBe(true);
      await core.setAgentsPaused(false);
      expect(core.status().agentsPaused).toBe(false);
    });
  });
});

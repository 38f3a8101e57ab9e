import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { acquireDataFolderLock, DataFolderLockedError } from '../../main/core/data-folder/lock';
import { tempDir } from '../support/temp';
import { startServerProcess } from '../support/server-process';

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('data folder lock', () => {
  test('is taken with our pid and released', () => {
    const dir = tempDir();
    const lock = acquireDataFolderLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  test('a lock held by a live process is refused with a message naming it', () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, 'keel.lock'), JSON.stringify({ pid: holder.pid }));
      let err: unknown;
      try {
        acquireDataFolderLock(dir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataFolderLockedError);
      expect((err as Error).message).toContain(`Another Keel (process ${holder.pid}) is already using the data folder ${dir}`);
    } finally {
      holder.kill();
    }
  });

  test('a stale lock from a dead process is taken over', () => {
    const dir = tempDir();
    const pid = deadPid();
    writeFileSync(join(dir, 'keel.lock'), JSON.stringify({ pid }));
    const lock = acquireDataFolderLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  test('a garbage lock file (crash mid-write) is taken over', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keel.lock'), '{"pid": 12');
    const lock = acquireDataFolderLock(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  test('release leaves a lock that another process took over alone', () => {
    const dir = tempDir();
    const lock = acquireDataFolderLock(dir);
    writeFileSync(lock.path, JSON.stringify({ pid: 999_999 }));
    lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });

  test('a second Keel process on the same data folder is refused and the first keeps running', async () => {
    const dir = tempDir();
    const first = await startServerProcess(dir);
    try {
      const second = spawnSync(process.execPath, [join(__dirname, '../../out/main/server.js'), '--data', dir, '--port', '0'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`Another Keel (process ${first.proc.pid}) is already using the data folder ${dir}`);
      const res = await fetch(`http://127.0.0.1:${first.port}/`, { headers: { authorization: `Bearer ${first.token}` } });
      expect(res.status).not.toBe(401);
    } finally {
      await first.stop();
    }
  });

  test('after a kill -9 the next start takes the stale lock over', async () => {
    const dir = tempDir();
    const first = await startServerProcess(dir);
    await first.waitFor(/Database ready/);
    await first.stop('SIGKILL');
    expect(existsSync(join(dir, 'keel.lock'))).toBe(true);
    const second = await startServerProcess(dir);
    try {
      await second.waitFor(/Database ready \(schema \d+\)/);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(existsSync(join(dir, 'keel.lock'))).toBe(false);
  });
});

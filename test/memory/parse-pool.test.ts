import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_INGEST_LIMITS } from '../../shared/domain/documents';
import { ParsePool } from '../../main/core/memory/parse/parse-pool';
import { IngestFailure } from '../../main/core/memory/parse/types';
import { DOCUMENTS } from '../support/fixtures';

/** Every worker the pool starts, to see which ones are still running. */
const spawned = vi.hoisted(() => [] as Worker[]);
vi.mock('../../main/core/host/spawn-worker', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../main/core/host/spawn-worker')>();
  return {
    ...original,
    spawnWorker: (...args: Parameters<typeof original.spawnWorker>) => {
      const worker = original.spawnWorker(...args);
      spawned.push(worker);
      return worker;
    },
  };
});

const limits = DEFAULT_INGEST_LIMITS;
const fixture = (name: string) => new Uint8Array(readFileSync(join(DOCUMENTS, name)));
/** A worker's threadId turns -1 once its thread has stopped. */
const running = () => spawned.filter((w) => w.threadId !== -1);

let pool: ParsePool | null = null;
afterEach(async () => {
  await pool?.close();
  spawned.length = 0;
});

describe('ParsePool', () => {
  it('parses in a worker and brings failures back as IngestFailures', async () => {
    pool = new ParsePool({ size: 2 });
    const [memo, locked] = await Promise.allSettled([
      pool.parse(fixture('fake-memo.pdf'), 'memo.pdf', limits),
      pool.parse(fixture('password.pdf'), 'locked.pdf', limits),
    ]);
    expect(memo.status === 'fulfilled' && memo.value.text).toContain('To Whom it May Concern:');
    const reason = locked.status === 'rejected' ? locked.reason : null;
    expect(reason).toBeInstanceOf(IngestFailure);
    expect(reason).toMatchObject({ code: 'password_protected', message: 'password-protected PDF: Keel cannot read it without the password' });
  });

  it('stops a job past its time limit with a fresh worker for the next', async () => {
    pool = new ParsePool({ size: 1 });
    await pool.parse(fixture('fake.docx'), 'warm.docx', limits); // the worker is up and loaded
    expect(spawned).toHaveLength(1);

    const slow = pool.parse(fixture('multi-column-2p.pdf'), 'paper.pdf', { ...limits, parseTimeoutMs: 1 });
    const next = pool.parse(fixture('fake-memo.pdf'), 'memo.pdf', limits);
    await expect(slow).rejects.toMatchObject({ code: 'timeout', message: 'parsing took longer than the 0.001 s limit' });
    expect((await next).text).toContain('There were 20,000 bottles of water');

    expect(spawned).toHaveLength(2);
    expect(spawned[0]!.threadId).toBe(-1); // the timed-out worker was terminated
  });

  it('close() ends every worker and refuses further work', async () => {
    pool = new ParsePool({ size: 2 });
    await Promise.all([pool.parse(fixture('fake-text.txt'), 'a.txt', limits), pool.parse(fixture('fake-email.eml'), 'b.eml', limits)]);
    expect(running()).toHaveLength(2);
    const pending = pool.parse(fixture('fake-memo.pdf'), 'c.pdf', limits).catch((err: unknown) => err);
    await pool.close();
    expect(await pending).toMatchObject({ message: 'the parse pool was closed' });
    expect(running()).toHaveLength(0);
    await expect(pool.parse(fixture('fake-text.txt'), 'd.txt', limits)).rejects.toThrow('the parse pool is closed');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../main/core/db/database';
import { Ledger } from '../../main/core/kernel/ledger';
import { EffectServer } from '../support/effect-server';
import { ROOT, watchOutput } from '../support/server-process';
import { tempDir } from '../support/temp';

const JOBS = 50;
const KILLS = 10;
let server: EffectServer;

beforeAll(async () => {
  server = await new EffectServer().start();
});
afterAll(() => server.close());

function spawnChild(dataDir: string, workspace: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-child.ts'), dataDir, workspace, server.url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves after the server has seen `n` more deliveries (a moment inside the child's work). */
function afterDeliveries(n: number): Promise<void> {
  const target = server.log.length + n;
  return new Promise((resolve) => server.onDelivery(() => server.log.length >= target && resolve()));
}

test(`${JOBS} workflows survive ${KILLS} kill -9s: every run succeeds, every effect happens exactly once, the ledger holds`, async () => {
  const dataDir = tempDir();
  const workspace = tempDir();
  // Kill at random points of progress (after 1 to 12 more deliveries), then restart.
  for (let kill = 0; kill < KILLS; kill++) {
    const child = spawnChild(dataDir, workspace);
    const out = watchOutput(child);
    const exited = once(child, 'exit');
    const moment = afterDeliveries(1 + Math.floor(Math.random() * 12));
    const winner = await Promise.race([moment.then(() => 'kill' as const), exited.then(() => 'exited' as const)]);
    if (winner === 'exited') throw new Error(`the child ended before it was killed:\n${out.output()}`);
    child.kill('SIGKILL');
    await exited;
  }
  const last = spawnChild(dataDir, workspace);
  const out = watchOutput(last);
  const [code] = await once(last, 'exit');
  expect(code, out.output()).toBe(0);
  expect(out.output()).toContain('ALL DONE');

  // The outside world: each of the 100 HTTP effects applied exactly once, under one key each.
  const appliedPairs = [...server.applied.values()].map((a) => `${(a.body as { job: number }).job}:${(a.body as { n: number }).n}`);
  expect(appliedPairs).toHaveLength(JOBS * 2);
  expect(new Set(appliedPairs).size).toBe(JOBS * 2);
  const redelivered = [...server.received.values()].filter((n) => n > 1).length;
  console.log(`crash test: ${server.log.length} deliveries, ${server.applied.size} applied, ${redelivered} keys delivered more than once (replays after kills)`);

  // The files: every job wrote, moved and finished, and nothing earlier was redone after a move.
  for (let job = 0; job < JOBS; job++) {
    const dir = join(workspace, 'jobs', String(job));
    expect(readFileSync(join(dir, 'final.txt'), 'utf8')).toBe(`draft ${job}`);
    expect(existsSync(join(dir, 'draft.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'done.txt'), 'utf8')).toBe(`done ${job * 2}`);
  }

  // The database: all runs succeeded, each effect recorded once, the ledger verifies with no gap.
  const { db } = await openDatabase(dataDir);
  try {
    const runs = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM kernel_runs GROUP BY status');
    expect(runs.rows).toEqual([{ status: 'succeeded', n: JOBS }]);
    const effects = await db.query<{ run_id: string; n: number }>(`SELECT run_id, count(*)::int AS n FROM kernel_ledger WHERE type = 'effect.sent' GROUP BY run_id`);
    expect(effects.rows).toHaveLength(JOBS);
    for (const row of effects.rows) expect(row.n).toBe(5);
    const finished = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_ledger WHERE type = 'run.finished'`);
    expect(finished.rows[0]!.n).toBe(JOBS);
    const verification = await new Ledger(() => Date.now()).verify(db);
    expect(verification).toMatchObject({ ok: true, brokenAt: null });
    const max = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kernel_ledger');
    expect(verification.checked).toBe(max.rows[0]!.n);
  } finally {
    await db.close();
  }
}, 300_000);

/**
 * The process the crash test kills: opens the data folder like Keel does (lock, database,
 * kernel), makes sure 50 jobs exist, and runs them. Prints "ALL DONE" when every job succeeded.
 */
import { z } from 'zod';
import { acquireDataFolderLock } from '../../main/core/data-folder/lock';
import { openDatabase } from '../../main/core/db/database';
import { filesAdapter } from '../../main/core/kernel/adapters/files';
import { httpAdapter } from '../../main/core/kernel/adapters/http';
import { Kernel } from '../../main/core/kernel/kernel';
import { startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';

const [dataDir, workspace, url] = process.argv.slice(2) as [string, string, string];
const JOBS = 50;

const job = defineWorkflow({
  name: 'crash.job',
  version: 1,
  input: z.object({ job: z.number().int() }),
  permissions: ['files.*', 'http.*'],
  defaults: { retry: { maxAttempts: 20, initialDelayMs: 5, maxDelayMs: 50 } },
  async run(ctx, { job }) {
    await ctx.step('prepare', () => ({ job }));
    await ctx.effect('files', 'write', { path: `jobs/${job}/draft.txt`, content: `draft ${job}` });
    await ctx.effect('http', 'post', { url: `${url}/notify`, body: { job, n: 1 } });
    await ctx.effect('files', 'move', { from: `jobs/${job}/draft.txt`, to: `jobs/${job}/final.txt` });
    const doubled = await ctx.step('compute', async () => {
      await new Promise((r) => setTimeout(r, 1 + (job % 7)));
      return job * 2;
    });
    await ctx.effect('http', 'post', { url: `${url}/notify`, body: { job, n: 2, doubled } });
    await ctx.effect('files', 'write', { path: `jobs/${job}/done.txt`, content: `done ${doubled}` });
    return { job, doubled };
  },
});

const lock = acquireDataFolderLock(dataDir);
const { db } = await openDatabase(dataDir);
const kernel = new Kernel({ db, workflows: [job], adapters: [filesAdapter(workspace), httpAdapter()], limits: { global: 6 } });
await kernel.start();
for (let i = 0; i < JOBS; i++) await startRun(kernel, { workflow: 'crash.job', input: { job: i }, idempotencyKey: `job-${i}` });
console.log('STARTED');
for (;;) {
  await kernel.idle();
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_runs WHERE status = 'succeeded'`);
  if (rows[0]!.n === JOBS) break;
  const stuck = await db.query(`SELECT id, status, error FROM kernel_runs WHERE status <> 'succeeded'`);
  console.error('not all succeeded yet:', JSON.stringify(stuck.rows).slice(0, 500));
  await new Promise((r) => setTimeout(r, 50));
}
await kernel.stop();
await db.close();
lock.release();
console.log('ALL DONE');

/**
 * For kernel.resume_after_kill_ms: runs a long workflow; prints STEP lines as it goes and,
 * after a restart, "RESUMED <ms since epoch>" when the first step that was not recorded runs.
 * With --ready-only it prints READY after loading and exits (the spawn baseline).
 */
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import { acquireDataFolderLock } from '../main/core/data-folder/lock';
import { openDatabase } from '../main/core/db/database';
import { Kernel } from '../main/core/kernel/kernel';
import { startRun } from '../main/core/kernel/operator';
import { defineWorkflow } from '../main/core/kernel/workflow';

const [dataDir, mode] = process.argv.slice(2) as [string, string?];
if (mode === '--ready-only') {
  console.log('READY');
  process.exit(0);
}
let firstNew = true;
const long = defineWorkflow({
  name: 'bench.long',
  version: 1,
  input: z.object({}),
  async run(ctx) {
    for (let i = 0; i < 100_000; i++) {
      await ctx.step('tick', () => {
        if (firstNew && mode === '--resume') console.log(`RESUMED ${Date.now()}`);
        firstNew = false;
        if (i % 50 === 0) console.log(`STEP ${i}`);
        return i;
      });
    }
  },
});
mkdirSync(dataDir, { recursive: true });
const lock = acquireDataFolderLock(dataDir);
const { db } = await openDatabase(dataDir);
const kernel = new Kernel({ db, workflows: [long] });
await kernel.start();
if (mode !== '--resume') await startRun(kernel, { workflow: 'bench.long', input: {}, idempotencyKey: 'long' });
process.on('SIGTERM', () => void kernel.stop().then(() => db.close()).then(() => (lock.release(), process.exit(0))));

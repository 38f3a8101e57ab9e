import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openDatabase } from '../main/core/db/database';
import { Core } from '../main/core/host/core';
import { Kernel } from '../main/core/kernel/kernel';
import { decideApproval, startRun } from '../main/core/kernel/operator';
import { defineWorkflow } from '../main/core/kernel/workflow';
import { median, repeat, report, RUNS } from './stats';
import { noop } from './workflows';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const STEPS = 1000;

async function waitRun(kernel: Kernel, id: string): Promise<void> {
  await kernel.idle();
  const { rows } = await kernel.db.query<{ status: string }>('SELECT status FROM kernel_runs WHERE id = $1', [id]);
  if (rows[0]?.status !== 'succeeded') throw new Error(`bench run ended ${rows[0]?.status}`);
}

/** Durable steps per second against single-row autocommit INSERTs on the same database. */
async function stepsVersusInserts(tmp: string): Promise<void> {
  let continued = 0;
  const approved = defineWorkflow({
    name: 'bench.approval',
    version: 1,
    input: z.object({}),
    async run(ctx) {
      await ctx.approval({ title: 'go?', proposal: {} });
      await ctx.step('after', () => (continued = performance.now()));
    },
  });
  mkdirSync(join(tmp, 'steps'));
  const { db } = await openDatabase(join(tmp, 'steps'));
  const kernel = new Kernel({ db, workflows: [noop, approved] });
  await kernel.start();
  await db.exec('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, run_id text NOT NULL, n integer NOT NULL, payload jsonb NOT NULL)');
  try {
    const stepsPerS: number[] = [];
    const insertsPerS: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      // Side by side in each repetition, so both see the same machine load and database size.
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) await db.query('INSERT INTO bench_raw (run_id, n, payload) VALUES ($1, $2, $3)', [`r${r}`, i, JSON.stringify(i)]);
      insertsPerS.push(STEPS / ((performance.now() - t0) / 1000));
      const t1 = performance.now();
      const { id } = await startRun(kernel, { workflow: 'bench.noop', input: { steps: STEPS } });
      await waitRun(kernel, id);
      stepsPerS.push(STEPS / ((performance.now() - t1) / 1000));
    }
    const steps = median(stepsPerS);
    const inserts = median(insertsPerS);
    report('kernel.durable_steps_per_s', steps, 'steps/s');
    report('kernel.raw_insert_per_s', inserts, 'inserts/s');
    report('kernel.step_overhead_ratio', steps / inserts, 'ratio');

    const roundtrips = await repeat(RUNS, async () => {
      const { id } = await startRun(kernel, { workflow: 'bench.approval', input: {} });
      await kernel.idle();
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM kernel_approvals WHERE run_id = $1`, [id]);
      const t = performance.now();
      await decideApproval(kernel, rows[0]!.id, { decision: 'approve' });
      await waitRun(kernel, id);
      return continued - t;
    });
    report('kernel.approval_roundtrip_ms', median(roundtrips), 'ms');
  } finally {
    await kernel.stop();
    await db.close();
  }
}

/** Restart after SIGKILL → first resumed step, against the same child's bare spawn time. */
async function resumeAfterKill(tmp: string): Promise<void> {
  const child = (dir: string, mode?: string) =>
    spawn(process.execPath, ['--import', 'tsx', join(HERE, 'resume-child.ts'), dir, ...(mode ? [mode] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lineOf = (proc: ReturnType<typeof child>, pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = out.match(pattern);
        if (m) resolve(m[0]);
      });
      proc.once('exit', () => reject(new Error(`child exited before ${pattern}: ${out.slice(-500)}`)));
    });
  const baseline = await repeat(RUNS, async () => {
    const t = Date.now();
    const p = child(join(tmp, 'none'), '--ready-only');
    await lineOf(p, /READY/);
    const ms = Date.now() - t;
    await once(p, 'exit');
    return ms;
  });
  const resumes = await repeat(RUNS, async (i) => {
    const dir = join(tmp, `resume-${i}`);
    const first = child(dir);
    await lineOf(first, /STEP 100\b/);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const t = Date.now();
    const second = child(dir, '--resume');
    const line = await lineOf(second, /RESUMED \d+/);
    second.kill('SIGTERM');
    await once(second, 'exit');
    return Number(line.split(' ')[1]) - t;
  });
  report('kernel.process_spawn_baseline_ms', median(baseline), 'ms');
  report('kernel.resume_after_kill_ms', median(resumes), 'ms');
  report('kernel.resume_ratio_vs_spawn', median(resumes) / median(baseline), 'ratio');
}

/** Event-loop lag of the API-serving thread while the core worker runs 1,000 durable steps. */
async function apiLagDuringSteps(tmp: string): Promise<void> {
  const core = Core.start({ dataDir: join(tmp, 'lag'), mode: 'headless', workflowModules: [join(HERE, 'workflows.ts')] });
  await core.ready;
  try {
    const measure = async (work: () => Promise<void>) => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      await work();
      h.disable();
      return h.percentile(99) / 1e6;
    };
    const busy: number[] = [];
    const idle: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let elapsed = 0;
      busy.push(
        await measure(async () => {
          const t = performance.now();
          const done = new Promise<void>((resolve) => {
            const off = core.subscribe((event, payload) => {
              const p = payload as { id: string; status: string };
              if (event === 'runs.changed' && p.status === 'succeeded') (off(), resolve());
            });
          });
          const started = await core.call('runs.start', { workflow: 'bench.noop', input: { steps: STEPS } });
          if (!started.ok) throw new Error(JSON.stringify(started));
          await done;
          elapsed = performance.now() - t;
        }),
      );
      idle.push(await measure(() => new Promise((r) => setTimeout(r, elapsed))));
    }
    report('kernel.event_loop_lag_p99_ms', median(busy), 'ms');
    report('kernel.event_loop_lag_p99_idle_ms', median(idle), 'ms');
  } finally {
    await core.close();
  }
}

export async function benchKernel(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'keel-bench-kernel-'));
  try {
    await stepsVersusInserts(tmp);
    await apiLagDuringSteps(tmp);
    await resumeAfterKill(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { median, repeat, report, RUNS } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = join(ROOT, 'out', 'main', 'server.js');

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

interface Started {
  apiReadyMs: number;
  dbReadyMs: number;
  url: string;
  stop(): Promise<void>;
}

/** Process start → first answered API call (system.ping over the WebSocket), and → database ready. */
async function startAndMeasure(dataDir: string): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, [SERVER, '--data', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const urlLine = new Promise<string>((resolve) =>
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/Open (\S+)/);
      if (m) resolve(m[1]!);
    }),
  );
  const url = await urlLine;
  const token = new URL(url).searchParams.get('token')!;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
  await once(ws, 'open');
  const answers = new Map<number, (msg: { output: { database?: { state: string } } }) => void>();
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString());
    answers.get(msg.id)?.(msg);
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<{ output: { database?: { state: string } } }>((resolve) => {
      answers.set(++id, resolve);
      ws.send(JSON.stringify({ type: 'call', id, method, input: {} }));
    });
  await call('system.ping');
  const apiReadyMs = performance.now() - t0;
  // Database ready: the status event, or polling status until it says so.
  while ((await call('system.status')).output.database?.state === 'opening') await new Promise((r) => setTimeout(r, 5));
  const dbReadyMs = performance.now() - t0;
  ws.close();
  return {
    apiReadyMs,
    dbReadyMs,
    url,
    async stop() {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}

function nodeBaselineMs(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

async function seedRows(dataDir: string, rows: number): Promise<void> {
  const started = await startAndMeasure(dataDir); // creates and migrates the folder
  await started.stop();
  const db = await PGlite.create(join(dataDir, 'db'));
  await db.exec('CREATE TABLE bench_rows (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  await db.exec(`INSERT INTO bench_rows (id, title, body)
    SELECT g, 'row ' || g, repeat(md5(g::text), 4) FROM generate_series(1, ${rows}) g`);
  await db.close();
}

export async function benchStartup(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  try {
    const nodeMs = median(await repeat(RUNS, async () => nodeBaselineMs()));
    report('startup.node_baseline_ms', nodeMs, 'ms');

    const empty = await repeat(RUNS, async (i) => {
      const s = await startAndMeasure(join(tmp, `empty-${i}`));
      await s.stop();
      return s.apiReadyMs;
    });
    report('startup.api_ready_ms.empty', median(empty), 'ms');

    const seeded = join(tmp, 'rows-100k');
    await seedRows(seeded, 100_000);
    const full: Started[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await startAndMeasure(seeded);
      await s.stop();
      full.push(s);
    }
    const apiFull = median(full.map((s) => s.apiReadyMs));
    const dbFull = median(full.map((s) => s.dbReadyMs));
    report('startup.api_ready_ms.100k_rows', apiFull, 'ms');
    report('startup.db_ready_ms.100k_rows', dbFull, 'ms');
    report('startup.api_ready_ratio_vs_node', apiFull / nodeMs, 'ratio');
    report('startup.api_ready_ratio_100k_vs_empty', apiFull / median(empty), 'ratio');

    await benchFirstPaint(seeded);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** First paint of the app in Chromium, against a plain static page painted in the same run. */
async function benchFirstPaint(dataDir: string): Promise<void> {
  const server = await startAndMeasure(dataDir);
  const browser = await chromium.launch({
    executablePath: process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const paint = async (url: string) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      const ms = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]!.startTime);
      await context.close();
      return ms;
    };
    const baseline = median(await repeat(RUNS, () => paint('data:text/html,<h1>baseline</h1>')));
    const app = median(await repeat(RUNS, () => paint(server.url)));
    report('startup.first_paint_ms.baseline_static_page', baseline, 'ms');
    report('startup.first_paint_ms', app, 'ms');
    report('startup.first_paint_ratio_vs_static', app / baseline, 'ratio');
  } finally {
    await browser.close();
    await server.stop();
  }
}

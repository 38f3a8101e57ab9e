/**
 * `npm run bench -- adapters`:
 *   adapters.mcp_direct_call_ms       one tools/call through the official SDK client, straight to
 *                                     @modelcontextprotocol/server-everything over stdio (baseline)
 *   adapters.mcp_call_overhead_ms     Keel's adapter added to that call (argument check against the
 *                                     tool's schema, effect key in _meta, session handling): the
 *                                     adapter action's time minus the direct call's, same server, same run
 *   adapters.mcp_effect_overhead_ms   the same call as a kernel effect (permission, risk gate and
 *                                     effect steps written durably with their ledger events) minus
 *                                     the direct call
 *   adapters.imap_intake_ms           a message appended to a real Dovecot → its triage run started
 *                                     (the message fetched, stored as a document, parsed, triaged),
 *   adapters.imap_idle_notify_ms      against the same append seen by a bare imapflow client in IDLE
 *                                     on the same folder (the protocol's own latency), same run
 * Medians over BENCH_RUNS repetitions (CALLS calls each for MCP, one message each for IMAP).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ImapFlow } from 'imapflow';
import { z } from 'zod';
import { connectMcpServer } from '../main/core/adapters/mcp/mcp-adapter';
import { openDatabase } from '../main/core/db/database';
import { Kernel } from '../main/core/kernel/kernel';
import { startRun } from '../main/core/kernel/operator';
import { defineWorkflow } from '../main/core/kernel/workflow';
import { folderWhen, message, PASSWORD, saveAccount, triagedMessages } from '../test/adapters/imap-fixtures';
import { Dovecot } from '../test/support/dovecot';
import { startMemoryCore } from '../test/support/memory-core';
import { median, repeat, report, RUNS } from './stats';

const CALLS = 200;
const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const ARGS = { a: 2, b: 3 };

/** Milliseconds per call over `n` sequential calls. */
async function perCall(n: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  return (performance.now() - t0) / n;
}

async function benchMcp(): Promise<void> {
  const direct = new Client({ name: 'keel-bench', version: '1.0.0' });
  await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
  const conn = await connectMcpServer({ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], risks: { 'get-sum': 'low' } });
  const action = conn.adapter.actions['get-sum']!;
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-adapters-'));
  const { db } = await openDatabase(dir);
  const sums = defineWorkflow({
    name: 'bench.mcp.sums',
    version: 1,
    input: z.object({ n: z.number().int() }),
    permissions: ['mcp-everything.get-sum'],
    async run(ctx, { n }) {
      for (let i = 0; i < n; i++) await ctx.effect('mcp-everything', 'get-sum', ARGS);
      return n;
    },
  });
  let finished: (() => void) | null = null;
  const kernel = new Kernel({ db, adapters: [conn.adapter], workflows: [sums], onEvent: (event, p) => event === 'runs.changed' && (p as { status?: string }).status === 'succeeded' && finished?.() });
  await kernel.start();
  try {
    // Warm both paths (process start, JIT, prepared statements) before measuring.
    await perCall(20, () => direct.callTool({ name: 'get-sum', arguments: ARGS }));
    await perCall(20, (i) => action.run(ARGS, { idempotencyKey: `warm-${i}`, signal: new AbortController().signal }));
    const parsed: { base: number; adapter: number; effect: number }[] = [];
    await repeat(RUNS, async (r) => {
      // Interleaved so drift on a shared machine hits every path alike.
      const base = await perCall(CALLS, () => direct.callTool({ name: 'get-sum', arguments: ARGS }));
      const adapter = await perCall(CALLS, (i) => action.run(ARGS, { idempotencyKey: `bench-${r}-${i}`, signal: new AbortController().signal }));
      const done = new Promise<void>((resolve) => (finished = resolve));
      const t0 = performance.now();
      await startRun(kernel, { workflow: 'bench.mcp.sums', input: { n: CALLS } });
      await done;
      const effect = (performance.now() - t0) / CALLS;
      parsed.push({ base, adapter, effect });
      return effect;
    });
    report('adapters.mcp_direct_call_ms', median(parsed.map((p) => p.base)), 'ms');
    report('adapters.mcp_call_overhead_ms', median(parsed.map((p) => p.adapter - p.base)), 'ms');
    report('adapters.mcp_effect_overhead_ms', median(parsed.map((p) => p.effect - p.base)), 'ms');
  } finally {
    await kernel.stop();
    await db.close();
    await conn.close();
    await direct.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The IMAP intake: Keel's core watching a real Dovecot's INBOX next to a bare IDLE client. */
async function benchImap(): Promise<void> {
  const server = await Dovecot.start({ users: { keel: PASSWORD } });
  const c = await startMemoryCore({ model: null });
  const raw = new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: 'keel', pass: PASSWORD }, logger: false });
  try {
    await saveAccount(c, server, { folders: ['INBOX'] });
    await folderWhen(c, 'INBOX watched with IDLE', (f) => f.state === 'idle');
    await raw.connect();
    await raw.mailboxOpen('INBOX');
    let seen: (() => void) | null = null;
    // imapflow goes into IDLE by itself once no command runs; 'exists' is the server's word of new mail.
    raw.on('exists', () => seen?.());
    const intake: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const notified = new Promise<number>((resolve) => (seen = () => resolve(performance.now())));
      const t0 = Date.now();
      const p0 = performance.now();
      await server.append(await message(`Bench message ${i}`));
      const idleMs = (await notified) - p0;
      const taken = await triagedMessages(c, i + 1);
      const m = taken.find((x) => x.subject === `Bench message ${i}`)!;
      // The first message pays for warming up (the core's first document, parser, triage agent).
      if (i === 0) continue;
      intake.push(Date.parse(m.triageStartedAt!) - t0);
      idle.push(idleMs);
    }
    report('adapters.imap_idle_notify_ms', median(idle), 'ms');
    report('adapters.imap_intake_ms', median(intake), 'ms');
    report('adapters.imap_intake_ratio', median(intake) / median(idle), 'ratio');
  } finally {
    await raw.logout().catch(() => undefined);
    await c.close();
    await server.stop();
  }
}

export async function benchAdapters(): Promise<void> {
  await benchMcp();
  await benchImap();
}

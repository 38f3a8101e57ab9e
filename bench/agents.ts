/**
 * `npm run bench -- agents`:
 *   agents.scenario_ms          the consultant scenario with the builtin provider, from the notes
 *                               being handed over to the draft waiting in the inbox, plus from
 *                               approval to the e-mail accepted by a real SMTP server on 127.0.0.1
 *                               (the operator's decision itself excluded); median over runs
 *   agents.provider_overhead_ms Keel's added time per model call (prompt, structured-output check,
 *                               the step and its ledger event, cost) over the raw HTTP round trip
 *                               of the same request to the same local OpenAI-compatible server,
 *                               measured in the same run
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { assembleCore, Assembled } from '../main/core/host/assemble';
import { openCore as openTestCore } from '../test/agents/consultant-core';
import { runTask, type ModelTask } from '../main/core/agents/model-call';
import { decideApproval, startRun } from '../main/core/kernel/operator';
import { defineWorkflow } from '../main/core/kernel/workflow';
import { startOpenAiServer } from '../test/support/openai-server';
import { TestSmtpServer } from '../test/support/smtp-server';
import { median, repeat, report, RUNS } from './stats';

const CALLS = 40;
const SMTP = { user: 'keel', password: 'bench-password-1' };

/** The core as the tests assemble it (test/agents/consultant-core.ts), with its pushed events to wait on. */
async function openCore(extra: Partial<Parameters<typeof assembleCore>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-agents-'));
  const events = new EventEmitter();
  const core = await openTestCore(dir, { notify: (event, payload) => events.emit('event', event, payload), ...extra });
  return {
    core,
    /** Resolves at the first pushed event for which `probe` answers something (probed on run and approval changes only, so the probe's queries do not slow the run it waits for). */
    when<T>(probe: () => Promise<T | null | undefined>): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = () => probe().then((v) => v && (events.off('event', onEvent), resolve(v)), reject);
        const onEvent = (event: string) => (event === 'runs.changed' || event === 'approvals.changed') && check();
        events.on('event', onEvent);
        check();
      });
    },
    /** Watches for runs pushed as succeeded (no query at all); `wait(id)` once the id is known. */
    watchSucceeded(): { wait(runId: string): Promise<void> } {
      const done = new Set<string>();
      const waiting = new Map<string, () => void>();
      events.on('event', (event: string, payload: { id?: string; status?: string }) => {
        if (event !== 'runs.changed' || payload.status !== 'succeeded' || !payload.id) return;
        done.add(payload.id);
        waiting.get(payload.id)?.();
      });
      return { wait: (runId) => (done.has(runId) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(runId, resolve))) };
    },
    async close() {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function scenarioOnce(smtp: TestSmtpServer): Promise<number> {
  const k = await openCore();
  try {
    await k.core.email.save({ host: '127.0.0.1', port: smtp.port, secure: false, user: SMTP.user, password: SMTP.password, from: 'alex@consultancy.example', fromName: 'Alex Morgan' });
    const sent = smtp.messages.length;
    const t0 = performance.now();
    await k.core.agents.runExample();
    const draft = await k.when(async () => (await k.core.kernel.db.query<{ id: string; run_id: string }>(`SELECT id, run_id FROM kernel_approvals WHERE status = 'pending' AND kind = 'draft'`)).rows[0]);
    const drafting = performance.now() - t0;
    const t1 = performance.now();
    await decideApproval(k.core.kernel, draft.id, { decision: 'approve' });
    await k.when(async () => (await k.core.kernel.db.query(`SELECT 1 FROM kernel_runs WHERE id = $1 AND status = 'succeeded'`, [draft.run_id])).rows.length > 0);
    const sending = performance.now() - t1;
    if (smtp.messages.length !== sent + 1) throw new Error(`expected one e-mail, the server has ${smtp.messages.length - sent}`);
    return drafting + sending;
  } finally {
    await k.close();
  }
}

const Echo = z.object({ summary: z.string().min(1) });
const echoTask: ModelTask<{ text: string }, z.infer<typeof Echo>> = {
  name: 'bench.echo',
  output: Echo,
  prompt: ({ text }) => `Summarise: ${text}`,
  builtin: ({ text }) => ({ summary: text }),
  maxTokens: 50,
};

/** Per call: Keel's model-call step over the same request sent raw, medians over repetitions. */
async function providerOverhead(): Promise<{ keel: number; raw: number }> {
  const server = await startOpenAiServer({ reply: () => ({ content: JSON.stringify({ summary: 'A short summary.' }), usage: { prompt_tokens: 40, completion_tokens: 8 } }) });
  let core: Assembled | null = null;
  const calls = defineWorkflow({
    name: 'bench.model_calls',
    version: 1,
    agent: 'summarizer',
    input: z.object({ n: z.number().int() }),
    async run(ctx, { n }) {
      const agent = core!.agents.registry.get('summarizer');
      for (let i = 0; i < n; i++) await runTask(ctx, { models: core!.models }, agent, echoTask, { text: `note ${i}` });
      return n;
    },
  });
  const k = await openCore({ workflows: [calls], autoTriage: false });
  core = k.core;
  try {
    await core.models.saveProvider({ id: 'local', kind: 'openai-compatible', label: 'Local', baseUrl: server.url, hasKey: false, structuredOutput: 'auto', timeoutMs: 10_000 });
    await core.models.setTier('fast', { provider: 'local', model: 'bench-model' });
    const watch = k.watchSucceeded();
    const keel = await repeat(RUNS, async () => {
      const t0 = performance.now();
      const { id } = await startRun(core!.kernel, { workflow: 'bench.model_calls', input: { n: CALLS } });
      await watch.wait(id);
      return (performance.now() - t0) / CALLS;
    });
    // The very request Keel sent, sent again without Keel.
    const body = JSON.stringify(server.completionBodies().at(-1));
    const raw = await repeat(RUNS, async () => {
      const t0 = performance.now();
      for (let i = 0; i < CALLS; i++) {
        const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer none' }, body });
        await res.text();
      }
      return (performance.now() - t0) / CALLS;
    });
    return { keel: median(keel), raw: median(raw) };
  } finally {
    await k.close();
    await server.close();
  }
}

export async function benchAgents(): Promise<void> {
  const smtp = await new TestSmtpServer({ users: { [SMTP.user]: SMTP.password } }).start();
  try {
    await scenarioOnce(smtp); // warm-up: module loading, first compile
    report('agents.scenario_ms', median(await repeat(RUNS, () => scenarioOnce(smtp))), 'ms');
  } finally {
    await smtp.stop();
  }
  const { keel, raw } = await providerOverhead();
  report('agents.model_call_ms', keel, 'ms');
  report('agents.raw_http_ms', raw, 'ms');
  report('agents.provider_overhead_ms', keel - raw, 'ms');
}

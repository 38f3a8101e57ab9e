import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../main/core/db/database';
import { Ledger } from '../../main/core/kernel/ledger';
import type { Memory } from '../../shared/domain/memory';
import { type MemoryCore, startMemoryCore, until } from '../support/memory-core';
import { tempDir } from '../support/temp';

/**
 * Memory inside durable runs (a workflow installed in a real Core): ctx.remember keeps a
 * memory with the run and step as provenance exactly once, across a restart and across a
 * crash between keeping it and recording the step; ctx.recall finds memories and joins the
 * run's working memory; a finished agent run becomes an episode and its working memory goes.
 */

const WORKFLOWS = join(__dirname, '../fixtures/memory-workflows.ts');
const dataDir = tempDir({ lifetime: 'file' });
let mc: MemoryCore;

const start = () => startMemoryCore({ model: null, dataDir, workflowModules: [WORKFLOWS] });
async function restart(between?: () => Promise<void>): Promise<void> {
  await mc.close();
  await between?.();
  mc = await start();
}

/** With the Core closed: the database as the next start will find it. */
async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const { db } = await openDatabase(dataDir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}


async function startNote(fact: string, query: string): Promise<string> {
  const { id } = await mc.call('runs.start', { workflow: 'test.memory.note', input: { fact, query } });
  await mc.waitFor('approvals.changed', (p) => p.runId === id && p.status === 'pending');
  return id;
}

async function approve(runId: string): Promise<void> {
  const { approvals } = await mc.call('approvals.list', { status: 'pending', limit: 100 });
  const approval = approvals.find((a) => a.runId === runId);
  expect(approval).toBeDefined();
  await mc.call('approvals.decide', { id: approval!.id, decision: 'approve' });
  const done = await mc.waitFor('runs.changed', (p) => p.id === runId && ['succeeded', 'failed', 'dead_lettered', 'paused', 'cancelled'].includes(p.status ?? ''));
  expect(done.status).toBe('succeeded');
}

async function factsOf(runId: string): Promise<Memory[]> {
  const { memories } = await mc.call('memory.list', { kinds: ['fact'], limit: 500 });
  return memories.filter((m) => m.provenance.runId === runId);
}

interface NoteOutput {
  kept: string;
  decision: string;
  hits: { id: string; provenance: Record<string, unknown> | null }[];
  working: { kind: string; content: { query?: string; hits?: { id: string }[]; kept?: string } }[];
}

beforeAll(async () => {
  mc = await start();
  // Decisions take effect at once here (kept in the data folder, so across restarts too).
  await mc.call('preferences.set', { undoSeconds: 0 });
});
afterAll(() => mc?.close());

describe('ctx.remember, ctx.recall and ctx.working in a durable run', () => {
  let operatorFact: Memory;
  let runA: string;
  let runB: string;

  test('remember keeps the memory with { runId, step } as provenance; after a restart the replay neither loses nor repeats it', async () => {
    operatorFact = (await mc.call('memory.remember', { kind: 'fact', text: 'Nightjar Logistics ships orders on Thursdays' })).memory;
    runA = await startNote('Nightjar Logistics invoices in euros', 'Nightjar');

    const kept = await factsOf(runA);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ text: 'Nightjar Logistics invoices in euros', confidence: 0.7, status: 'active', provenance: { runId: runA, step: 1, source: 'agent:scribe' } });
    const { events } = await mc.call('ledger.list', { type: 'memory.remember', limit: 100 });
    expect(events.find((e) => (e.data as { memoryIds: string[] }).memoryIds.includes(kept[0]!.id))?.actor).toEqual({ kind: 'agent', name: 'scribe' });

    await restart();
    await approve(runA);

    const { run } = await mc.call('runs.get', { id: runA });
    const out = run.output as NoteOutput;
    expect(out.kept).toBe(kept[0]!.id);
    expect(out.decision).toBe('approve');
    const after = await factsOf(runA);
    expect(after.map((m) => m.id)).toEqual([kept[0]!.id]);

    // recall found both Nightjar facts, the run's own with its provenance.
    expect(out.hits.map((h) => h.id).sort()).toEqual([kept[0]!.id, operatorFact.id].sort());
    expect(out.hits.find((h) => h.id === kept[0]!.id)?.provenance).toMatchObject({ runId: runA, step: 1 });
    // Working memory: the note added before the restart, then the recall, in order.
    expect(out.working.map((w) => w.kind)).toEqual(['note', 'recall']);
    expect(out.working[0]!.content).toMatchObject({ kept: kept[0]!.id });
    expect(out.working[1]!.content.query).toBe('Nightjar');
    expect(out.working[1]!.content.hits!.map((h) => h.id).sort()).toEqual(out.hits.map((h) => h.id).sort());
  });

  test('a crash after the memory was kept but before its step was recorded does not keep it twice', async () => {
    runB = await startNote('Nightjar Logistics wants delivery notes in PDF', 'delivery notes');
    const [kept] = await factsOf(runB);
    expect(kept).toBeDefined();

    // The database as a crash in that moment leaves it: the memory committed, the step not.
    await restart(() =>
      withDatabase(async (db) => {
        const removed = await db.query(`DELETE FROM kernel_steps WHERE run_id = $1 AND step_no = 1 AND name = 'remember' RETURNING step_no`, [runB]);
        expect(removed.rows).toHaveLength(1);
        // Its working memory holds the note while it waits.
        const working = await db.query<{ kind: string }>('SELECT kind FROM memory_working WHERE scope = $1 ORDER BY seq', [runB]);
        expect(working.rows.map((r) => r.kind)).toEqual(['note']);
      }),
    );
    await approve(runB);

    const { run, steps } = await mc.call('runs.get', { id: runB });
    expect(steps.find((s) => s.no === 1)).toMatchObject({ name: 'remember', status: 'completed', output: { id: kept!.id } });
    // The step really ran again (recorded twice in the ledger), and found the memory instead of adding one.
    const { events } = await mc.call('ledger.list', { runId: runB, type: 'step.completed', limit: 100 });
    expect(events.filter((e) => e.stepNo === 1)).toHaveLength(2);
    expect((run.output as NoteOutput).kept).toBe(kept!.id);
    expect((await factsOf(runB)).map((m) => m.id)).toEqual([kept!.id]);
  });

  test('a finished agent run becomes an episode with the run as provenance; its working memory is dropped', async () => {
    const episodes = await until('the episodes of both runs', async () => {
      const { memories } = await mc.call('memory.list', { kinds: ['episode'], limit: 100 });
      const mine = memories.filter((m) => m.provenance.runId === runA || m.provenance.runId === runB);
      return mine.length === 2 ? mine : null;
    });
    for (const runId of [runA, runB]) {
      const episode = episodes.find((e) => e.provenance.runId === runId)!;
      const { run } = await mc.call('runs.get', { id: runId });
      expect(episode).toMatchObject({ kind: 'episode', status: 'active', provenance: { runId, source: 'summariser' }, validFrom: run.finishedAt });
      expect(episode.text).toContain('test.memory.note (agent scribe) succeeded');
      expect(episode.text).toContain('The operator was asked "Keep going?" and answered approve.');
    }
    // Exactly one episode per run, even though both runs were replayed.
    const { memories } = await mc.call('memory.list', { kinds: ['episode'], limit: 100 });
    expect(memories.filter((m) => m.provenance.runId === runA)).toHaveLength(1);

    // Episodes are found by search, with the run as provenance.
    const { hits } = await mc.call('memory.search', { query: 'scribe succeeded', filters: { kinds: ['episode'] }, limit: 10 });
    expect(hits.map((h) => (h.source as { provenance: { runId?: string } }).provenance.runId).sort()).toEqual([runA, runB].sort());

    await mc.close();
    await withDatabase(async (db) => {
      const left = await db.query('SELECT 1 FROM memory_working WHERE scope = ANY($1::text[])', [[runA, runB]]);
      expect(left.rows).toEqual([]);
      expect(await new Ledger(() => Date.now()).verify(db)).toMatchObject({ ok: true, brokenAt: null });
    });
    mc = await start();
  });
});

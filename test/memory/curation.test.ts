import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../main/core/db/database';
import { Kernel } from '../../main/core/kernel/kernel';
import { MemoryService } from '../../main/core/memory/memory';
import type { RememberInput } from '../../main/core/memory/memories/store';
import { DEFAULT_RETENTION, type Memory, type RetentionPolicy, type Review } from '../../shared/domain/memory';
import { type MemoryCore, rejection, startMemoryCore } from '../support/memory-core';
import { tempDir } from '../support/temp';

/**
 * Curation: the pass finds exactly the duplicates, contradictions and stale memories there
 * are (and nothing else), opens one review each and never a second, and each resolution is a
 * memory change that does what it says and can be undone. Retention archives and deletes by
 * kind, never pinned memories.
 */

const DAY = 86_400_000;
const pairKey = (kind: string, ids: string[]) => `${kind}:${[...ids].sort().join(',')}`;
const reviewKeyOf = (r: Review) => pairKey(r.kind, r.memories.map((m) => m.id));


describe('the review queue, through the API', () => {
  let mc: MemoryCore;
  const m: Record<string, Memory> = {};
  let entityId: string;
  const reviews = new Map<string, Review>();

  const remember = async (name: string, input: Record<string, unknown>) => {
    m[name] = (await mc.call('memory.remember', { kind: 'fact', ...input })).memory;
  };
  const get = async (id: string) => (await mc.call('memory.get', { id })).memory;
  const open = async () => (await mc.call('reviews.list', { status: 'open', limit: 100 })).reviews;

  beforeAll(async () => {
    // Rules only, no vectors: what is flagged is what the rules say, nothing by chance.
    mc = await startMemoryCore({ model: null });
    // The nightly pass must not run in the middle of this test.
    const { schedules } = await mc.call('schedules.list', {});
    for (const s of schedules.filter((s) => s.workflow === 'memory.curate')) await mc.call('schedules.pause', { id: s.id, paused: true });

    entityId = (await mc.call('entities.upsert', { type: 'client', name: 'Quillfeather Press' })).entity.id;
    // Exact duplicates, differing in case and punctuation only.
    await remember('vat1', { text: 'The VAT number of Marlowe Ltd is GB 123 456 789.' });
    await remember('vat2', { text: 'the vat number of marlowe ltd is gb 123 456 789' });
    await remember('backup1', { text: 'Backups run every night at 2am' });
    await remember('backup2', { text: 'Backups run every night at 2am!' });
    // Near-duplicates: one word more.
    await remember('wifi1', { text: 'The office wifi password is written on the whiteboard' });
    await remember('wifi2', { text: 'The office wifi password is written on the kitchen whiteboard' });
    // Contradictions: the same entity and attribute with two values at once...
    await remember('terms30', { text: 'Quillfeather Press pays on net 30 terms', entityId, attribute: 'payment_terms', value: 'net 30' });
    await remember('terms60', { text: 'Quillfeather now settles invoices after sixty days', entityId, attribute: 'payment_terms', value: 'net 60' });
    // ...and the same statement with another number, another date, or negated.
    await remember('budget4000', { text: 'The Lisbon retreat budget is 4000 euros' });
    await remember('budget6500', { text: 'The Lisbon retreat budget is 6500 euros' });
    await remember('kickoff14', { text: 'The Harbour project kickoff is on 14 March' });
    await remember('kickoff21', { text: 'The Harbour project kickoff is on 21 March' });
    await remember('pdfYes', { text: 'Dana wants invoices sent as PDF attachments' });
    await remember('pdfNo', { text: 'Dana never wants invoices sent as PDF attachments' });
    // Not to be flagged: unrelated, sharing some words, the same attribute at another time, another attribute.
    await remember('hose', { text: 'The garden hose is in the blue shed' });
    await remember('taxes', { text: 'Quarterly taxes are filed by the accountant Priya' });
    await remember('venue', { text: 'The Lisbon retreat venue is near the river' });
    await remember('harbourBudget', { text: 'The Harbour project has a budget of 12000 euros' });
    await remember('terms2020', { text: 'In 2020 Quillfeather paid cash on delivery', entityId, attribute: 'payment_terms', value: 'cash on delivery', validFrom: '2020-01-01T00:00:00.000Z', validTo: '2021-01-01T00:00:00.000Z' });
    await remember('contact', { text: 'The Quillfeather Press contact is Jo Brandt', entityId, attribute: 'contact', value: 'Jo Brandt' });
    // Records about different things (one attribute each), worded alike with other figures: not a contradiction.
    await remember('inv1', { text: 'Invoice INV-1041 (Quillfeather Press, 1,200.00 EUR) paid on 2026-10-03', entityId, attribute: 'payment_status:INV-1041', value: 'paid' });
    await remember('inv2', { text: 'Invoice INV-1042 (Quillfeather Press, 800.00 EUR) paid on 2026-10-09', entityId, attribute: 'payment_status:INV-1042', value: 'paid' });
  });
  afterAll(() => mc?.close());

  const planted = () => [
    pairKey('duplicate', [m.vat1!.id, m.vat2!.id]),
    pairKey('duplicate', [m.backup1!.id, m.backup2!.id]),
    pairKey('duplicate', [m.wifi1!.id, m.wifi2!.id]),
    pairKey('contradiction', [m.terms30!.id, m.terms60!.id]),
    pairKey('contradiction', [m.budget4000!.id, m.budget6500!.id]),
    pairKey('contradiction', [m.kickoff14!.id, m.kickoff21!.id]),
    pairKey('contradiction', [m.pdfYes!.id, m.pdfNo!.id]),
  ];

  test('the pass flags exactly the planted duplicates and contradictions, each with its reason', async () => {
    const report = await mc.call('memory.curate', {});
    expect(report).toEqual({ duplicates: 3, contradictions: 4, stale: 0, archived: 0, deleted: 0 });
    const list = await mc.call('reviews.list', { status: 'open', limit: 100 });
    expect(list.open).toBe(7);
    expect(list.reviews.map(reviewKeyOf).sort()).toEqual(planted().sort());
    for (const r of list.reviews) reviews.set(reviewKeyOf(r), r);

    const review = (kind: string, a: string, b: string) => reviews.get(pairKey(kind, [m[a]!.id, m[b]!.id]))!;
    expect(review('duplicate', 'vat1', 'vat2')).toMatchObject({ similarity: 1, status: 'open', resolution: null, reason: expect.stringMatching(/same statement/i) });
    expect(review('duplicate', 'wifi1', 'wifi2').similarity).toBeGreaterThanOrEqual(0.8);
    expect(review('duplicate', 'wifi1', 'wifi2').similarity).toBeLessThan(1);
    expect(review('contradiction', 'terms30', 'terms60').reason).toMatch(/payment_terms.*net 30.*net 60|payment_terms.*net 60.*net 30/);
    expect(review('contradiction', 'budget4000', 'budget6500').reason).toMatch(/4000.*6500|6500.*4000/);
    expect(review('contradiction', 'kickoff14', 'kickoff21').reason).toMatch(/14.*21|21.*14/);
    expect(review('contradiction', 'pdfYes', 'pdfNo').reason).toMatch(/negat/);
    // Each review carries its memories whole.
    expect(review('duplicate', 'vat1', 'vat2').memories.map((x) => x.text).sort()).toEqual([m.vat1!.text, m.vat2!.text].sort());
  });

  test('running the pass again opens no second review', async () => {
    expect(await mc.call('memory.curate', {})).toEqual({ duplicates: 0, contradictions: 0, stale: 0, archived: 0, deleted: 0 });
    const list = await mc.call('reviews.list', { status: 'open', limit: 100 });
    expect(list.open).toBe(7);
    expect(list.reviews.map(reviewKeyOf).sort()).toEqual(planted().sort());
  });

  test('each resolution does what it says to the memories', async () => {
    const resolve = async (kind: string, a: string, b: string, action: string, extra: Record<string, unknown> = {}) => {
      const r = reviews.get(pairKey(kind, [m[a]!.id, m[b]!.id]))!;
      return (await mc.call('reviews.resolve', { id: r.id, action, ...extra })).changeId;
    };

    const merged = await resolve('duplicate', 'vat1', 'vat2', 'merge', { memoryId: m.vat1!.id, note: 'same number' });
    expect(await get(m.vat1!.id)).toMatchObject({ status: 'active', text: m.vat1!.text });
    expect(await get(m.vat2!.id)).toMatchObject({ status: 'superseded', supersededBy: m.vat1!.id });

    expect(await resolve('duplicate', 'wifi1', 'wifi2', 'keep_both')).toBeNull();
    expect(await get(m.wifi1!.id)).toMatchObject({ status: 'active', version: 1 });
    expect(await get(m.wifi2!.id)).toMatchObject({ status: 'active', version: 1 });

    const forgot = await resolve('duplicate', 'backup1', 'backup2', 'forget', { memoryId: m.backup2!.id });
    expect((await rejection(mc.call('memory.get', { id: m.backup2!.id }))).code).toBe('not_found');
    expect(await get(m.backup1!.id)).toMatchObject({ status: 'active' });

    await resolve('contradiction', 'terms30', 'terms60', 'keep_newer');
    const older = await get(m.terms30!.id);
    expect(older).toMatchObject({ status: 'superseded', supersededBy: m.terms60!.id, validTo: m.terms60!.validFrom });
    expect(await get(m.terms60!.id)).toMatchObject({ status: 'active', validTo: null });

    await resolve('contradiction', 'budget4000', 'budget6500', 'edit', { memoryId: m.budget4000!.id, text: 'The Lisbon retreat budget was raised to 6500 euros in May' });
    expect(await get(m.budget4000!.id)).toMatchObject({ text: 'The Lisbon retreat budget was raised to 6500 euros in May', version: 2, status: 'active' });
    expect(await get(m.budget6500!.id)).toMatchObject({ version: 1 });

    await resolve('contradiction', 'kickoff14', 'kickoff21', 'mark_stale', { memoryId: m.kickoff14!.id });
    expect(await get(m.kickoff14!.id)).toMatchObject({ status: 'stale' });
    expect(await get(m.kickoff21!.id)).toMatchObject({ status: 'active' });

    await resolve('contradiction', 'pdfYes', 'pdfNo', 'pin', { memoryId: m.pdfNo!.id });
    expect(await get(m.pdfNo!.id)).toMatchObject({ pinned: true });
    expect(await get(m.pdfYes!.id)).toMatchObject({ pinned: false });

    // The queue is empty; the resolved ones say how they were resolved.
    expect(await open()).toEqual([]);
    const resolved = (await mc.call('reviews.list', { status: 'resolved', limit: 100 })).reviews;
    expect(resolved).toHaveLength(7);
    const byKey = new Map(resolved.map((r) => [reviewKeyOf(r), r]));
    // (A forgotten memory drops out of its review's list.)
    expect(resolved.find((r) => r.id === reviews.get(pairKey('duplicate', [m.backup1!.id, m.backup2!.id]))!.id)).toMatchObject({ resolution: { action: 'forget', changeId: forgot } });
    expect(byKey.get(pairKey('duplicate', [m.vat1!.id, m.vat2!.id]))).toMatchObject({ status: 'resolved', resolution: { action: 'merge', changeId: merged, note: 'same number' } });
    expect(byKey.get(pairKey('duplicate', [m.wifi1!.id, m.wifi2!.id]))).toMatchObject({ resolution: { action: 'keep_both', changeId: null } });
    for (const r of resolved) expect(r.resolvedAt).not.toBeNull();

    // A resolved review cannot be resolved again; an unknown one is not_found.
    expect((await rejection(mc.call('reviews.resolve', { id: resolved[0]!.id, action: 'keep_both' }))).code).toBe('conflict');
    expect((await rejection(mc.call('reviews.resolve', { id: 'no-such-review', action: 'keep_both' }))).code).toBe('not_found');

    // The ledger has each review opened and resolved.
    const opened = (await mc.call('ledger.list', { type: 'review.opened', limit: 100 })).events;
    const closed = (await mc.call('ledger.list', { type: 'review.resolved', limit: 100 })).events;
    expect(opened).toHaveLength(7);
    expect(closed.map((e) => (e.data as { action: string }).action).sort()).toEqual(['edit', 'forget', 'keep_both', 'keep_newer', 'mark_stale', 'merge', 'pin']);
  });

  test('the next pass does not raise what the operator kept both of, nor what the resolutions settled', async () => {
    const report = await mc.call('memory.curate', {});
    expect(report.duplicates).toBe(0);
    const keys = (await open()).map(reviewKeyOf);
    // Only a contradiction that a pin left standing may come back (pinning one says nothing of the other).
    expect(keys.filter((k) => k !== pairKey('contradiction', [m.pdfYes!.id, m.pdfNo!.id]))).toEqual([]);
    expect(report.contradictions).toBe(keys.length);
  });

  test('undoing a resolution\'s change restores the memories, and the pass raises the duplicate again', async () => {
    const resolved = (await mc.call('reviews.list', { status: 'resolved', limit: 100 })).reviews;
    const merge = resolved.find((r) => r.resolution?.action === 'merge')!;
    await mc.call('memory.undo', { changeId: merge.resolution!.changeId! });
    expect(await get(m.vat2!.id)).toMatchObject({ status: 'active', supersededBy: null, validTo: null, text: m.vat2!.text });

    const forget = resolved.find((r) => r.resolution?.action === 'forget')!;
    await mc.call('memory.undo', { changeId: forget.resolution!.changeId! });
    expect(await get(m.backup2!.id)).toMatchObject({ status: 'active', text: m.backup2!.text });

    const report = await mc.call('memory.curate', {});
    expect(report.duplicates).toBe(2);
    const keys = (await open()).map(reviewKeyOf);
    expect(keys).toContain(pairKey('duplicate', [m.vat1!.id, m.vat2!.id]));
    expect(keys).toContain(pairKey('duplicate', [m.backup1!.id, m.backup2!.id]));
    expect(keys).not.toContain(pairKey('duplicate', [m.wifi1!.id, m.wifi2!.id]));
    expect(await mc.call('ledger.verify', {})).toMatchObject({ ok: true });
  });

  test('undoing a forget-all resolution brings back every memory of the review', async () => {
    await remember('plate1', { text: 'The Zanzibar van number plate is KX 7741' });
    await remember('plate2', { text: 'the Zanzibar van number plate is KX-7741.' });
    await mc.call('memory.curate', {});
    const review = (await open()).find((r) => reviewKeyOf(r) === pairKey('duplicate', [m.plate1!.id, m.plate2!.id]))!;
    const { changeId } = await mc.call('reviews.resolve', { id: review.id, action: 'forget' });
    await mc.call('memory.undo', { changeId: changeId! });
    expect(await get(m.plate1!.id)).toMatchObject({ status: 'active' });
    expect(await get(m.plate2!.id)).toMatchObject({ status: 'active' });
  });

  test('retention policies are kept by the settings', async () => {
    const settings = await mc.call('memory.getSettings', {});
    expect(settings.retention).toEqual(DEFAULT_RETENTION);
    const next = { ...DEFAULT_RETENTION, fact: { archiveAfterDays: null, deleteAfterDays: null, staleAfterDays: 7 } };
    expect((await mc.call('memory.setSettings', { retention: next })).retention.fact.staleAfterDays).toBe(7);
    expect((await mc.call('memory.getSettings', {})).retention.fact.staleAfterDays).toBe(7);
  });
});

describe('the review queue with embeddings (nearest neighbours join the rules)', () => {
  let mc: MemoryCore;
  const m: Record<string, Memory> = {};
  let keys: string[] = [];

  beforeAll(async () => {
    mc = await startMemoryCore();
    const { schedules } = await mc.call('schedules.list', {});
    for (const s of schedules.filter((s) => s.workflow === 'memory.curate')) await mc.call('schedules.pause', { id: s.id, paused: true });
    const plant = {
      wifi1: 'The office wifi password is written on the whiteboard',
      wifi2: 'The office wifi password is written on the kitchen whiteboard',
      pdfYes: 'Dana wants invoices sent as PDF attachments',
      pdfNo: 'Dana never wants invoices sent as PDF attachments',
      budget4000: 'The Lisbon retreat budget is 4000 euros',
      budget6500: 'The Lisbon retreat budget is 6500 euros',
      hose: 'The garden hose is in the blue shed',
      taxes: 'Quarterly taxes are filed by the accountant Priya',
    };
    for (const [name, text] of Object.entries(plant)) m[name] = (await mc.call('memory.remember', { kind: 'fact', text })).memory;
    // Wait for every vector, so the pass sees them all.
    const deadline = Date.now() + 30_000;
    while ((await mc.call('embeddings.status', {})).pending > 0) {
      if (Date.now() > deadline) throw new Error('the memories were not embedded in time');
      await new Promise((r) => setTimeout(r, 25));
    }
    await mc.call('memory.curate', {});
    keys = (await mc.call('reviews.list', { status: 'open', limit: 100 })).reviews.map(reviewKeyOf);
  });
  afterAll(() => mc?.close());

  test('a pair both the rules and the vectors find is raised once; unrelated memories are not raised', async () => {
    expect(keys.filter((k) => k === pairKey('duplicate', [m.wifi1!.id, m.wifi2!.id]))).toHaveLength(1);
    expect(keys).toContain(pairKey('contradiction', [m.pdfYes!.id, m.pdfNo!.id]));
    expect(keys).toContain(pairKey('contradiction', [m.budget4000!.id, m.budget6500!.id]));
    for (const k of keys) {
      expect(k).not.toContain(m.hose!.id);
      expect(k).not.toContain(m.taxes!.id);
    }
  });

  test('with embeddings the queue holds exactly the planted reviews (a contradiction is not also a duplicate)', async () => {
    expect(keys.sort()).toEqual(
      [
        pairKey('duplicate', [m.wifi1!.id, m.wifi2!.id]),
        pairKey('contradiction', [m.pdfYes!.id, m.pdfNo!.id]),
        pairKey('contradiction', [m.budget4000!.id, m.budget6500!.id]),
      ].sort(),
    );
  });
});

/**
 * Staleness and retention need memories that were last confirmed long ago, and the API has no
 * way to make one (lastConfirmedAt is always "now" at remember/confirm, and memory.curate
 * takes no time): so here the memory layer runs in-process, as the core worker builds it, on
 * a real PGlite, and the pass is run with a `now` in the future.
 */
describe('staleness and retention (the pass at a later date)', () => {
  let db: PGlite;
  let kernel: Kernel;
  let memory: MemoryService;
  const t0 = Date.now();

  beforeAll(async () => {
    const dataDir = tempDir({ lifetime: 'file' });
    ({ db } = await openDatabase(dataDir));
    kernel = new Kernel({ db });
    memory = new MemoryService({
      db,
      kernel,
      dataDir,
      notify: () => undefined,
      modelsDir: tempDir({ lifetime: 'file' }),
      overrides: { embedding: { modelId: 'absent-model', dtype: 'fp32', autoDownload: false } },
    });
    for (const wf of memory.workflows()) kernel.register(wf);
    kernel.setMemory(memory.port());
    await memory.start();
    await kernel.start();
  });
  afterAll(async () => {
    await kernel?.stop();
    await memory?.stop();
    await db?.close();
  });

  const remember = async (input: RememberInput) => (await memory.memories.remember(input, 'operator')).memory;
  const get = (id: string) => memory.memories.get(id);

  test('stale after the kind\'s days unless pinned; archive and delete by kind, never pinned ones', async () => {
    const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ archiveAfterDays: null, deleteAfterDays: null, staleAfterDays: null, ...p });
    await memory.setSettings({
      retention: {
        fact: policy({ staleAfterDays: 30 }),
        preference: policy({}),
        decision: policy({}),
        summary: policy({ archiveAfterDays: 10 }),
        episode: policy({ deleteAfterDays: 20 }),
      },
    });
    const fact = await remember({ kind: 'fact', text: 'The Foxglove storage key is with the concierge' });
    const pinnedFact = await remember({ kind: 'fact', text: 'The Wren Street office lease is signed until 2030', pinned: true });
    const preference = await remember({ kind: 'preference', text: 'Invoices go out on the first working day' });
    const summary = await remember({ kind: 'summary', text: 'Summary of the spring product launch meetings' });
    const pinnedSummary = await remember({ kind: 'summary', text: 'Summary of the yearly strategy offsite', pinned: true });
    const episode = await remember({ kind: 'episode', text: 'drafting (agent writer) succeeded after 4 steps' });
    const pinnedEpisode = await remember({ kind: 'episode', text: 'reconcile (agent books) succeeded after 9 steps', pinned: true });

    // Today nothing is due.
    expect(await memory.curation.run(t0)).toEqual({ duplicates: 0, contradictions: 0, stale: 0, archived: 0, deleted: 0 });
    // 15 days on: only the summary's 10 days have passed.
    expect(await memory.curation.run(t0 + 15 * DAY)).toEqual({ duplicates: 0, contradictions: 0, stale: 0, archived: 1, deleted: 0 });
    expect(await get(summary.id)).toMatchObject({ status: 'archived' });
    expect(await get(pinnedSummary.id)).toMatchObject({ status: 'active' });

    // 31 days on: the fact is stale (reviewed, not changed), the episode deleted.
    expect(await memory.curation.run(t0 + 31 * DAY)).toEqual({ duplicates: 0, contradictions: 0, stale: 1, archived: 0, deleted: 1 });
    expect(await get(episode.id)).toBeNull();
    expect(await get(pinnedEpisode.id)).toMatchObject({ status: 'active' });
    expect(await get(fact.id)).toMatchObject({ status: 'active' });
    for (const x of [pinnedFact, preference]) expect(await get(x.id)).toMatchObject({ status: 'active', version: 1 });
    const { reviews } = await memory.curation.list('open', 100);
    expect(reviews.map((r) => [r.kind, r.memories.map((x) => x.id)])).toEqual([['stale', [fact.id]]]);
    expect(reviews[0]!.reason).toMatch(/Not confirmed for 3[01] days \(the fact policy says 30\)/);

    // Again on the same day: nothing new.
    expect(await memory.curation.run(t0 + 31 * DAY)).toEqual({ duplicates: 0, contradictions: 0, stale: 0, archived: 0, deleted: 0 });

    // Retention is recorded like any change, by curation, and a deleted episode can be undone.
    const history = await memory.memories.history(undefined, 100);
    const deleted = history.find((h) => h.memoryId === episode.id && h.action === 'forget')!;
    expect(deleted).toMatchObject({ actor: 'curation', after: null, before: { text: episode.text } });
    expect(history.find((h) => h.memoryId === summary.id && h.action === 'archive')).toMatchObject({ actor: 'curation' });
    await memory.memories.undo(deleted.changeId, 'operator');
    expect(await get(episode.id)).toMatchObject({ status: 'active', text: episode.text });
    expect(await kernel.ledger.verify(db)).toMatchObject({ ok: true });

    // Pinning resolves the stale review; the pinned fact is not stale again, however old.
    const pin = await memory.curation.resolve(reviews[0]!.id, 'pin', {});
    expect(await get(fact.id)).toMatchObject({ pinned: true });
    expect((await memory.curation.run(t0 + 400 * DAY)).stale).toBe(0);
    // Undo the pin: stale again at the next pass, then marked stale it leaves the active set.
    await memory.memories.undo(pin!, 'operator');
    expect(await get(fact.id)).toMatchObject({ pinned: false });
    expect((await memory.curation.run(t0 + 400 * DAY)).stale).toBe(1);
    const again = (await memory.curation.list('open', 100)).reviews.find((r) => r.kind === 'stale')!;
    expect(again.memories.map((x) => x.id)).toEqual([fact.id]);
    await memory.curation.resolve(again.id, 'mark_stale', {});
    expect(await get(fact.id)).toMatchObject({ status: 'stale' });
    expect((await memory.curation.run(t0 + 800 * DAY)).stale).toBe(0);
  });
});

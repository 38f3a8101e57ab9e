import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Memory, MemoryAction, SearchFilters } from '../../shared/domain/memory';
import { type MemoryCore, rejection, startMemoryCore, until } from '../support/memory-core';

/**
 * Long-term memories through the API of a real Core (worker thread, PGlite on disk, the tiny
 * embedding model): remember, search by words and by meaning, every change kept with its
 * before and after, undone exactly, and written to the ledger.
 */

let mc: MemoryCore;
/** Every change this file makes, to find in the ledger at the end. */
const changes: { changeId: string; action: MemoryAction; memoryIds: string[] }[] = [];

beforeAll(async () => {
  mc = await startMemoryCore();
});
afterAll(() => mc?.close());

/** Polls until `probe` gives something truthy (the helpers' idle() does the same). */

async function remember(input: Record<string, unknown>): Promise<Memory> {
  const { memory, changeId } = await mc.call('memory.remember', input);
  changes.push({ changeId, action: 'remember', memoryIds: [memory.id, ...((input.replaces as string[] | undefined) ?? [])] });
  return memory;
}

const get = async (id: string) => (await mc.call('memory.get', { id })).memory;

/**
 * Memory hits for a query: `found` every one (by words or by meaning), `byWords` those the
 * keyword list ranked. With a model, nearest neighbours always return something, so "does
 * not say these words" is asked of `byWords`, and "is gone" of `found`.
 */
async function search(query: string, filters?: SearchFilters): Promise<{ found: string[]; byWords: string[] }> {
  const { hits } = await mc.call('memory.search', { query, filters, limit: 100 });
  const memories = hits.filter((h) => h.type === 'memory');
  return { found: memories.map((h) => h.id), byWords: memories.filter((h) => h.ranks.keyword !== null).map((h) => h.id) };
}


/** What a memory says and where it stands, without the bookkeeping that every change moves. */
function state(m: Memory) {
  const { version: _v, updatedAt: _u, embedded: _e, ...rest } = m;
  return rest;
}

async function undo(changeId: string): Promise<string> {
  const { changeId: undoId } = await mc.call('memory.undo', { changeId });
  changes.push({ changeId: undoId, action: 'undo', memoryIds: [] });
  return undoId;
}

describe('remembering and finding', () => {
  test('remember → get → keyword search with provenance, then hybrid once embedded', async () => {
    const mem = await remember({
      kind: 'fact',
      text: '  Zephyrine Consulting pays its invoices within 30 days.  ',
      provenance: { documentId: 'doc-1', quote: 'payment within thirty days' },
      confidence: 0.8,
    });
    expect(mem).toMatchObject({
      kind: 'fact',
      text: 'Zephyrine Consulting pays its invoices within 30 days.',
      status: 'active',
      pinned: false,
      version: 1,
      confidence: 0.8,
      supersededBy: null,
      validTo: null,
      provenance: { documentId: 'doc-1', quote: 'payment within thirty days', source: 'operator' },
    });
    expect(mem.validFrom).toBe(mem.createdAt);

    const { memory, history } = await mc.call('memory.get', { id: mem.id });
    expect(state(memory)).toEqual(state(mem));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ action: 'remember', memoryId: mem.id, before: null, actor: 'operator', undoneBy: null });
    expect(history[0]!.after!.text).toBe(mem.text);

    const keyword = await mc.call('memory.search', { query: 'Zephyrine invoices', limit: 10 });
    const hit = keyword.hits.find((h) => h.id === mem.id);
    expect(hit).toBeDefined();
    expect(hit!.ranks.keyword).toBe(1);
    expect(hit!.source).toMatchObject({ type: 'memory', memoryId: mem.id, kind: 'fact', status: 'active', provenance: { documentId: 'doc-1', source: 'operator' } });
    expect(hit!.snippet.highlights.length).toBeGreaterThan(0);
    // Nothing else says these words.
    expect((await search('Zephyrine')).byWords).toEqual([mem.id]);

    await until('the memory to be embedded', async () => (await get(mem.id)).embedded);
    const hybrid = await mc.call('memory.search', { query: 'Zephyrine invoices', limit: 10 });
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.note).toBeNull();
    const both = hybrid.hits.find((h) => h.id === mem.id);
    expect(both?.ranks.keyword).toBe(1);
    expect(both?.ranks.vector).not.toBeNull();
  });

  test('an unknown memory is not_found; an unknown entity is refused', async () => {
    expect((await rejection(mc.call('memory.get', { id: 'no-such-memory' }))).code).toBe('not_found');
    expect((await rejection(mc.call('memory.remember', { kind: 'fact', text: 'x', entityId: 'no-such-entity' }))).code).toBe('not_found');
    expect((await rejection(mc.call('memory.undo', { changeId: 'no-such-change' }))).code).toBe('not_found');
  });
});

describe('changes are kept and can be undone', () => {
  test('update: a new version with before/after in the history; undo restores the text and the search', async () => {
    const mem = await remember({ kind: 'preference', text: 'Halvorsen prefers calls on Tuesday mornings', confidence: 0.6 });
    const { memory: updated, changeId } = await mc.call('memory.update', { id: mem.id, text: 'Halvorsen prefers emails to calls', confidence: 0.9 });
    changes.push({ changeId, action: 'update', memoryIds: [mem.id] });
    expect(updated).toMatchObject({ version: 2, text: 'Halvorsen prefers emails to calls', confidence: 0.9, createdAt: mem.createdAt });

    const { history } = await mc.call('memory.get', { id: mem.id });
    expect(history.map((h) => h.action)).toEqual(['update', 'remember']);
    expect(history[0]).toMatchObject({ changeId, before: { text: 'Halvorsen prefers calls on Tuesday mornings', confidence: 0.6, version: 1 }, after: { text: 'Halvorsen prefers emails to calls', confidence: 0.9, version: 2 } });
    expect((await search('Tuesday mornings')).byWords).not.toContain(mem.id);
    expect((await search('Halvorsen emails')).byWords).toContain(mem.id);

    await undo(changeId);
    const back = await get(mem.id);
    expect(state(back)).toEqual(state(mem));
    expect(back.version).toBe(3);
    expect((await search('Tuesday mornings')).byWords).toContain(mem.id);
    // The undone change says so, and the undo is itself a change in the history.
    const after = await mc.call('memory.get', { id: mem.id });
    expect(after.history.map((h) => h.action)).toEqual(['undo', 'update', 'remember']);
    expect(after.history[1]!.undoneBy).toBe(after.history[0]!.changeId);

    // Undoing the undo applies the edit again.
    await undo(after.history[0]!.changeId);
    expect(await get(mem.id)).toMatchObject({ text: 'Halvorsen prefers emails to calls', confidence: 0.9, version: 4 });
    expect((await search('Halvorsen emails')).byWords).toContain(mem.id);
  });

  const statusCases: { action: 'pin' | 'unpin' | 'archive' | 'mark_stale' | 'confirm'; setup?: 'pin' | 'mark_stale'; expectAfter: Partial<Memory> }[] = [
    { action: 'pin', expectAfter: { pinned: true, status: 'active' } },
    { action: 'unpin', setup: 'pin', expectAfter: { pinned: false } },
    { action: 'archive', expectAfter: { status: 'archived' } },
    { action: 'mark_stale', expectAfter: { status: 'stale' } },
    { action: 'confirm', setup: 'mark_stale', expectAfter: { status: 'active' } },
  ];

  for (const c of statusCases) {
    test(`${c.action} is recorded, and undo restores the earlier state exactly`, async () => {
      const mem = await remember({ kind: 'fact', text: `Status case ${c.action}: the Oakhurst archive box ${c.action.replace('_', '')}`, validFrom: '2024-02-01T00:00:00.000Z' });
      if (c.setup) {
        const { changeId } = await mc.call('memory.setStatus', { id: mem.id, action: c.setup });
        changes.push({ changeId, action: c.setup, memoryIds: [mem.id] });
      }
      const before = await get(mem.id);
      const { changeId } = await mc.call('memory.setStatus', { id: mem.id, action: c.action });
      changes.push({ changeId, action: c.action, memoryIds: [mem.id] });
      const after = await get(mem.id);
      expect(after).toMatchObject({ ...c.expectAfter, version: before.version + 1, text: before.text, validFrom: before.validFrom });
      if (c.action === 'confirm') expect(Date.parse(after.lastConfirmedAt)).toBeGreaterThanOrEqual(Date.parse(before.lastConfirmedAt));

      const { history } = await mc.call('memory.get', { id: mem.id });
      expect(history[0]).toMatchObject({ changeId, action: c.action, actor: 'operator' });
      expect(state(history[0]!.before!)).toEqual(state(before));
      expect(history[0]!.after).toMatchObject(c.expectAfter);

      await undo(changeId);
      const restored = await get(mem.id);
      expect(state(restored)).toEqual(state(before));
      expect(restored.version).toBe(after.version + 1);
    });
  }

  test('forget removes the memory from get and search; undo brings it back, searchable again', async () => {
    const mem = await remember({ kind: 'decision', text: 'We chose Quetzalbank for the business account because of its fees', pinned: true });
    expect((await search('Quetzalbank')).byWords).toEqual([mem.id]);
    const { changeId } = await mc.call('memory.setStatus', { id: mem.id, action: 'forget' });
    changes.push({ changeId, action: 'forget', memoryIds: [mem.id] });
    expect((await rejection(mc.call('memory.get', { id: mem.id }))).code).toBe('not_found');
    expect((await search('Quetzalbank')).found).not.toContain(mem.id);
    // The history outlives the memory: the forgotten record is there whole.
    const { changes: hist } = await mc.call('memory.history', { memoryId: mem.id, limit: 10 });
    expect(hist[0]).toMatchObject({ changeId, action: 'forget', after: null, before: { text: mem.text, pinned: true } });

    await undo(changeId);
    const back = await get(mem.id);
    expect(state(back)).toEqual(state(mem));
    expect((await search('Quetzalbank')).byWords).toEqual([mem.id]);
    // And it is embedded again, so it is found by meaning too.
    await until('the restored memory to be embedded', async () => (await get(mem.id)).embedded);
    const { hits } = await mc.call('memory.search', { query: 'Quetzalbank fees', limit: 5 });
    expect(hits.find((h) => h.id === mem.id)?.ranks.vector).not.toBeNull();
  });

  test('undo is refused with conflict when a later change touched the memory, and a second undo is refused', async () => {
    const mem = await remember({ kind: 'fact', text: 'The Pemberton lease ends in 2027' });
    const u1 = await mc.call('memory.update', { id: mem.id, text: 'The Pemberton lease ends in 2028' });
    changes.push({ changeId: u1.changeId, action: 'update', memoryIds: [mem.id] });
    const pin = await mc.call('memory.setStatus', { id: mem.id, action: 'pin' });
    changes.push({ changeId: pin.changeId, action: 'pin', memoryIds: [mem.id] });

    const refused = await rejection(mc.call('memory.undo', { changeId: u1.changeId }));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain(mem.id);
    // Nothing moved.
    expect(await get(mem.id)).toMatchObject({ text: 'The Pemberton lease ends in 2028', pinned: true, version: 3 });

    await undo(pin.changeId);
    expect(await get(mem.id)).toMatchObject({ text: 'The Pemberton lease ends in 2028', pinned: false });
    expect((await rejection(mc.call('memory.undo', { changeId: pin.changeId }))).code).toBe('conflict');
  });

  test('after undoing the later change, the earlier one can be undone (undo in reverse order)', async () => {
    const mem = await remember({ kind: 'fact', text: 'The Ravensworth storage unit is number 14' });
    const u1 = await mc.call('memory.update', { id: mem.id, text: 'The Ravensworth storage unit is number 15' });
    const u2 = await mc.call('memory.update', { id: mem.id, text: 'The Ravensworth storage unit is number 16' });
    await undo(u2.changeId);
    expect((await get(mem.id)).text).toBe('The Ravensworth storage unit is number 15');
    await undo(u1.changeId);
    expect(state(await get(mem.id))).toEqual(state(mem));
  });

  test('merge supersedes the others by the kept one; undo of the merge restores all of them', async () => {
    const a = await remember({ kind: 'fact', text: 'Wexford Studio invoices monthly', confidence: 0.5 });
    const b = await remember({ kind: 'fact', text: 'Wexford Studio sends an invoice every month', confidence: 0.9 });
    const c = await remember({ kind: 'fact', text: 'Wexford Studio bills once a month', confidence: 0.7 });
    await mc.call('memory.setStatus', { id: c.id, action: 'pin' }).then((r) => changes.push({ changeId: r.changeId, action: 'pin', memoryIds: [c.id] }));
    const before = await Promise.all([a, b, c].map((m) => get(m.id)));

    const { memory: kept, changeId } = await mc.call('memory.merge', { ids: [b.id, c.id, a.id], into: a.id, text: 'Wexford Studio invoices once a month' });
    changes.push({ changeId, action: 'merge', memoryIds: [a.id, b.id, c.id] });
    expect(kept).toMatchObject({ id: a.id, text: 'Wexford Studio invoices once a month', status: 'active', confidence: 0.9, pinned: true, supersededBy: null });
    for (const other of [b, c]) {
      const m = await get(other.id);
      expect(m).toMatchObject({ status: 'superseded', supersededBy: a.id });
      expect(m.validTo).not.toBeNull();
    }
    const merged = await search('Wexford');
    expect(merged.byWords).toEqual([a.id]);
    expect(merged.found).not.toContain(b.id);
    expect(merged.found).not.toContain(c.id);
    expect((await mc.call('memory.history', { limit: 10 })).changes.filter((h) => h.changeId === changeId).map((h) => h.memoryId).sort()).toEqual([a.id, b.id, c.id].sort());

    await undo(changeId);
    const after = await Promise.all([a, b, c].map((m) => get(m.id)));
    after.forEach((m, i) => expect(state(m)).toEqual(state(before[i]!)));
    expect((await search('Wexford')).byWords.sort()).toEqual([a.id, b.id, c.id].sort());
  });

  test('remember with replaces closes the older fact (superseded, validity ends where the new one starts); undo reopens it', async () => {
    const old = await remember({ kind: 'fact', text: 'The Kestrel account manager is Ines', validFrom: '2023-01-01T00:00:00.000Z' });
    const newer = await remember({ kind: 'fact', text: 'The Kestrel account manager is Tomasz', validFrom: '2024-05-01T00:00:00.000Z', replaces: [old.id] });
    const closed = await get(old.id);
    expect(closed).toMatchObject({ status: 'superseded', supersededBy: newer.id, validTo: '2024-05-01T00:00:00.000Z', validFrom: '2023-01-01T00:00:00.000Z', text: old.text });
    const { history } = await mc.call('memory.get', { id: old.id });
    expect(history[0]).toMatchObject({ action: 'supersede', before: { status: 'active', validTo: null } });

    const rememberChange = changes.find((c) => c.memoryIds[0] === newer.id)!.changeId;
    await undo(rememberChange);
    expect((await rejection(mc.call('memory.get', { id: newer.id }))).code).toBe('not_found');
    expect(state(await get(old.id))).toEqual(state(old));
  });

  test('memory.supersede ends the older validity at the newer one\'s start', async () => {
    const old = await remember({ kind: 'fact', text: 'Brightwater rent is 900 a month', validFrom: '2022-03-01T00:00:00.000Z' });
    const newer = await remember({ kind: 'fact', text: 'Brightwater rent is 950 a month', validFrom: '2023-03-01T00:00:00.000Z' });
    const { changeId } = await mc.call('memory.supersede', { id: old.id, by: newer.id });
    changes.push({ changeId, action: 'supersede', memoryIds: [old.id] });
    expect(await get(old.id)).toMatchObject({ status: 'superseded', supersededBy: newer.id, validTo: '2023-03-01T00:00:00.000Z' });
    expect((await rejection(mc.call('memory.supersede', { id: newer.id, by: newer.id }))).code).toBe('invalid_input');
  });
});

describe('validity in time', () => {
  test('a superseded fact is not found by default, but is as of a date when it was true', async () => {
    const first = await remember({ kind: 'fact', text: 'Marigold Bakery orders 40 loaves from Tidewell Mill', validFrom: '2021-06-01T00:00:00.000Z' });
    const second = await remember({ kind: 'fact', text: 'Marigold Bakery orders 60 loaves from Tidewell Mill', validFrom: '2023-09-15T00:00:00.000Z', replaces: [first.id] });
    const third = await remember({ kind: 'fact', text: 'Marigold Bakery orders 75 loaves from Tidewell Mill', validFrom: '2025-01-10T00:00:00.000Z', replaces: [second.id] });
    const q = 'Marigold loaves Tidewell';
    const all = [first.id, second.id, third.id];
    /** Which of the three a search returns, by words or by meaning. */
    const returned = async (filters?: SearchFilters) => {
      const { found, byWords } = await search(q, filters);
      expect(byWords.filter((id) => all.includes(id)).sort()).toEqual(found.filter((id) => all.includes(id)).sort());
      return found.filter((id) => all.includes(id));
    };

    expect(await returned()).toEqual([third.id]);
    expect(await returned({ asOf: '2022-01-01T00:00:00.000Z' })).toEqual([first.id]);
    expect(await returned({ asOf: '2024-01-01T00:00:00.000Z' })).toEqual([second.id]);
    expect(await returned({ asOf: '2025-06-01T00:00:00.000Z' })).toEqual([third.id]);
    // Before anything was known, and on the boundary (validity is [from, to)).
    expect(await returned({ asOf: '2020-01-01T00:00:00.000Z' })).toEqual([]);
    expect(await returned({ asOf: '2023-09-15T00:00:00.000Z' })).toEqual([second.id]);
    // Asking for superseded ones by status still finds the history.
    expect((await returned({ statuses: ['superseded'] })).sort()).toEqual([first.id, second.id].sort());
  });

  test('asOf finds a fact that was valid then even if it is archived now', async () => {
    const fact = await remember({ kind: 'fact', text: 'The Corvina warehouse alarm code was 4417', validFrom: '2021-02-01T00:00:00.000Z', validTo: '2022-02-01T00:00:00.000Z' });
    expect((await search('Corvina alarm', { asOf: '2021-06-01T00:00:00.000Z' })).found).toContain(fact.id);
    await mc.call('memory.setStatus', { id: fact.id, action: 'archive' });
    expect((await search('Corvina alarm', { asOf: '2021-06-01T00:00:00.000Z' })).found).toContain(fact.id);
  });
});

describe('the ledger', () => {
  test('every memory change of this file is in the ledger under memory.<action>, and the chain verifies', async () => {
    expect(changes.length).toBeGreaterThan(20);
    const byType = new Map<string, { changeId: string; memoryIds: string[] }[]>();
    for (const type of new Set(changes.map((c) => `memory.${c.action}`))) {
      const { events } = await mc.call('ledger.list', { type, limit: 500 });
      for (const e of events) expect(e.actor.kind).toBe('operator');
      byType.set(type, events.map((e) => e.data as { changeId: string; memoryIds: string[] }));
    }
    for (const c of changes) {
      const event = byType.get(`memory.${c.action}`)!.find((d) => d.changeId === c.changeId);
      expect(event, `${c.action} ${c.changeId}`).toBeDefined();
      for (const id of c.memoryIds) expect(event!.memoryIds).toContain(id);
    }
    const verification = await mc.call('ledger.verify', {});
    expect(verification).toMatchObject({ ok: true, brokenAt: null });
    expect(verification.checked).toBeGreaterThan(changes.length);
  });
});

describe('without an embedding model', () => {
  test('search falls back to keywords and says why', async () => {
    const bare = await startMemoryCore({ model: null });
    try {
      const { memory } = await bare.call('memory.remember', { kind: 'fact', text: 'The Ashgrove alarm code changes every quarter' });
      const result = await bare.call('memory.search', { query: 'Ashgrove alarm', limit: 5 });
      expect(result.mode).toBe('keyword');
      expect(result.note).toMatch(/^semantic search off/);
      expect(result.hits.map((h) => h.id)).toEqual([memory.id]);
      expect(result.hits[0]!.ranks).toEqual({ keyword: 1, vector: null });
      expect((await bare.call('memory.get', { id: memory.id })).memory.embedded).toBe(false);
    } finally {
      await bare.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MemoryCore, rejection, startMemoryCore } from '../support/memory-core';

/**
 * A memory proposed from outside Keel (an assistant over MCP) is not a memory until the
 * operator says so: it waits in the review queue, search and recall leave it out, and each way
 * of keeping it is one change that can be undone.
 */
describe('proposed memories', () => {
  let mc: MemoryCore;
  const found = async (query: string) => (await mc.call('memory.search', { query, filters: { types: ['memory'] }, limit: 20 })).hits.map((h) => h.id);
  const get = async (id: string) => (await mc.call('memory.get', { id })).memory;
  const openReviews = async () => (await mc.call('reviews.list', { status: 'open', limit: 100 })).reviews;
  const propose = (text: string) => mc.call('memory.propose', { text, source: 'mcp:claude-desktop', quote: `remember that ${text}` });

  beforeAll(async () => {
    mc = await startMemoryCore({ model: null });
  });
  afterAll(() => mc?.close());

  test('waits in the review queue with who proposed it, and is neither searched nor counted as a memory in use', async () => {
    const { memory, reviewId } = await propose('Initech pays by bank transfer only.');
    expect(memory).toMatchObject({ status: 'pending_review', kind: 'fact', provenance: { source: 'mcp:claude-desktop', quote: 'remember that Initech pays by bank transfer only.' } });
    const review = (await openReviews()).find((r) => r.id === reviewId)!;
    expect(review).toMatchObject({ kind: 'proposed', reason: 'Proposed by mcp:claude-desktop; not used until you confirm it.' });
    expect(review.memories.map((m) => m.id)).toEqual([memory.id]);
    expect(await found('Initech bank transfer')).not.toContain(memory.id);
    // The same words as a memory of the operator's are found: the query itself would match.
    const own = await mc.call('memory.remember', { kind: 'fact', text: 'Initech pays by bank transfer, says the operator.' });
    expect(await found('Initech bank transfer')).toContain(own.memory.id);
    // Bad input is refused with the field named, and nothing is kept.
    const before = (await openReviews()).length;
    expect((await rejection(mc.call('memory.propose', { text: '', source: 'mcp:x' } as never))).code).toBe('invalid_input');
    expect((await rejection(mc.call('memory.propose', { text: 'no source' } as never))).message).toMatch(/source/);
    expect((await openReviews()).length).toBe(before);
  });

  test('confirming, pinning, editing or keeping it makes it a memory in use, in one change each that undo takes back', async () => {
    for (const [action, extra] of [['confirm', {}], ['pin', {}], ['edit', { text: 'Initrode pays within 30 days, by transfer.' }], ['keep_both', {}]] as const) {
      const { memory, reviewId } = await propose(`Initrode fact kept by ${action}.`);
      const { changeId } = await mc.call('reviews.resolve', { id: reviewId, action, ...extra });
      const kept = await get(memory.id);
      expect(kept.status).toBe('active');
      if (action === 'pin') expect(kept.pinned).toBe(true);
      if (action === 'edit') expect(kept.text).toBe('Initrode pays within 30 days, by transfer.');
      expect(await found('Initrode')).toContain(memory.id);
      await mc.call('memory.undo', { changeId: changeId! });
      const undone = await get(memory.id);
      expect(undone.status).toBe('pending_review');
      expect(undone.text).toBe(`Initrode fact kept by ${action}.`);
      expect(await found('Initrode')).not.toContain(memory.id);
    }
  });

  test('forgetting it removes it; marking it stale keeps it out of use', async () => {
    const gone = await propose('Umbrella Corp wants weekly reports.');
    await mc.call('reviews.resolve', { id: gone.reviewId, action: 'forget' });
    expect((await rejection(mc.call('memory.get', { id: gone.memory.id }))).code).toBe('not_found');
    const stale = await propose('Umbrella Corp moved to Raccoon City.');
    await mc.call('reviews.resolve', { id: stale.reviewId, action: 'mark_stale' });
    expect((await get(stale.memory.id)).status).toBe('stale');
    expect(await mc.call('ledger.verify', {})).toMatchObject({ ok: true });
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Entity } from '../../shared/domain/memory';
import { type MemoryCore, rejection, startMemoryCore } from '../support/memory-core';
import { tempDir } from '../support/temp';

/**
 * The canonical store through the API of a real Core: entities with a version per change
 * (shown and restored), one entity per type and name, links between entities, documents and
 * memories, documents linked to the entities they name when they are ingested, an entity's
 * page, and search narrowed to an entity.
 */

let mc: MemoryCore;
beforeAll(async () => {
  mc = await startMemoryCore({ model: null });
});
afterAll(() => mc?.close());


/** Ingests files and waits until each file's run has finished (succeeded). */
async function ingest(paths: string[]): Promise<string[]> {
  const { files } = await mc.call('documents.ingest', { paths });
  const ids: string[] = [];
  for (const f of files) {
    expect(f).toMatchObject({ status: 'queued', error: null });
    const done = await mc.waitFor('runs.changed', (p) => p.id === f.runId && ['succeeded', 'failed', 'dead_lettered', 'cancelled'].includes(p.status ?? ''));
    expect(done.status).toBe('succeeded');
    ids.push(f.documentId!);
  }
  return ids;
}

describe('versions', () => {
  let client: Entity;

  test('upsert creates version 1; a change makes version 2 with the history; revert restores as version 3', async () => {
    const v1 = { billing_terms: { value: 'net 30', type: 'text' as const }, day_rate: { value: 650, type: 'money' as const } };
    client = (await mc.call('entities.upsert', { type: 'client', name: '  Bramblewood Ltd ', aliases: ['Bramblewood'], attributes: v1 })).entity;
    expect(client).toMatchObject({ type: 'client', name: 'Bramblewood Ltd', aliases: ['Bramblewood'], attributes: v1, version: 1, archived: false });

    const v2 = { billing_terms: { value: 'net 45', type: 'text' as const }, day_rate: { value: 700, type: 'money' as const }, vat_registered: { value: true, type: 'boolean' as const } };
    const changed = (await mc.call('entities.upsert', { id: client.id, type: 'client', name: 'Bramblewood Ltd', attributes: v2 })).entity;
    expect(changed).toMatchObject({ id: client.id, version: 2, attributes: v2, aliases: ['Bramblewood'], createdAt: client.createdAt });

    let page = await mc.call('entities.get', { id: client.id });
    expect(page.history.map((h) => [h.version, h.action])).toEqual([[2, 'update'], [1, 'create']]);
    expect(page.history[1]!.snapshot.attributes).toEqual(v1);
    expect(page.history[0]!.snapshot.attributes).toEqual(v2);

    const reverted = (await mc.call('entities.revert', { id: client.id, version: 1 })).entity;
    expect(reverted).toMatchObject({ id: client.id, version: 3, attributes: v1, name: 'Bramblewood Ltd', aliases: ['Bramblewood'] });
    page = await mc.call('entities.get', { id: client.id });
    expect(page.entity).toEqual(reverted);
    expect(page.history.map((h) => [h.version, h.action])).toEqual([[3, 'revert:1'], [2, 'update'], [1, 'create']]);
    // Version 2 is still there to go back to.
    expect(page.history[1]!.snapshot.attributes).toEqual(v2);

    // Every step is in the ledger.
    for (const type of ['entity.created', 'entity.updated', 'entity.reverted']) {
      const { events } = await mc.call('ledger.list', { type, limit: 100 });
      expect(events.some((e) => (e.data as { entityId: string }).entityId === client.id), type).toBe(true);
    }
  });

  test('reverting to a version that does not exist, or changing an unknown entity, is not_found', async () => {
    expect((await rejection(mc.call('entities.revert', { id: client.id, version: 99 }))).code).toBe('not_found');
    expect((await rejection(mc.call('entities.upsert', { id: 'no-such-entity', type: 'client', name: 'Ghost' }))).code).toBe('not_found');
    expect((await mc.call('entities.get', { id: client.id })).entity.version).toBe(3);
  });

  test('a same-type same-name upsert without id updates the entity rather than adding a second one', async () => {
    const again = (await mc.call('entities.upsert', { type: 'client', name: 'bramblewood ltd' })).entity;
    expect(again.id).toBe(client.id);
    expect(again.version).toBe(4);
    // What was not given is kept.
    expect(again.aliases).toEqual(['Bramblewood']);
    expect(again.attributes.billing_terms).toEqual({ value: 'net 30', type: 'text' });
    const { entities } = await mc.call('entities.list', { type: 'client', query: 'bramble', limit: 10 });
    expect(entities.map((e) => e.id)).toEqual([client.id]);

    // Another type may share the name.
    const org = (await mc.call('entities.upsert', { type: 'organisation', name: 'Bramblewood Ltd' })).entity;
    expect(org.id).not.toBe(client.id);
    expect(org.version).toBe(1);
    // Renaming into a taken name is refused, not merged silently.
    const other = (await mc.call('entities.upsert', { type: 'client', name: 'Foxley & Daughters' })).entity;
    expect((await rejection(mc.call('entities.upsert', { id: other.id, type: 'client', name: 'Bramblewood Ltd' }))).code).toBe('conflict');
  });
});

describe('links, documents and memories', () => {
  let client: Entity;
  let supplier: Entity;
  let project: Entity;
  let docs: { notes: string; shed: string; forest: string };

  beforeAll(async () => {
    client = (await mc.call('entities.upsert', { type: 'client', name: 'Larkspur Analytics', aliases: ['Larkspur'] })).entity;
    project = (await mc.call('entities.upsert', { type: 'project', name: 'Larkspur website relaunch' })).entity;
    // Three files: one names the client, one names a supplier (added after ingestion), one
    // only contains the client's name inside a longer word.
    const dir = tempDir({ lifetime: 'file' });
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const paths = [
      write('meeting-notes.txt', 'Meeting notes, 3 June.\n\nLARKSPUR wants the homepage redesign finished before the autumn campaign. Their contact is Sam.\n'),
      write('shed.txt', 'Inventory of the garden shed.\n\nHosewell delivered the blue hose and a new homepage banner for the shop window.\n'),
      write('forest.txt', 'Weekend plans.\n\nA walk through the Larkspurs meadow, then lunch; the homepage photo was taken there.\n'),
    ];
    const [notes, shed, forest] = await ingest(paths);
    docs = { notes: notes!, shed: shed!, forest: forest! };
  });

  test('a document ingested after the entity exists is linked to it by a "mentions" link (whole words, any case)', async () => {
    const page = await mc.call('entities.get', { id: client.id });
    expect(page.documents.map((d) => d.id)).toEqual([docs.notes]);
    expect(page.documents[0]).toMatchObject({ name: 'meeting-notes.txt', status: 'indexed' });
    const mentions = page.links.filter((l) => l.type === 'mentions');
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatchObject({ from: { kind: 'entity', id: client.id }, to: { kind: 'document', id: docs.notes } });
  });

  test('an entity created after the document is linked to the documents that already name it', async () => {
    supplier = (await mc.call('entities.upsert', { type: 'organisation', name: 'Hosewell' })).entity;
    const page = await mc.call('entities.get', { id: supplier.id });
    expect(page.documents.map((d) => d.id)).toEqual([docs.shed]);
  });

  test('a document changed so that it no longer names the entity leaves the entity\'s page', async () => {
    const dir = tempDir();
    const path = join(dir, 'quote.txt');
    writeFileSync(path, 'Quote for Larkspur: two design sprints.\n');
    const [doc] = await ingest([path]);
    expect((await mc.call('entities.get', { id: client.id })).documents.map((d) => d.id)).toContain(doc);
    writeFileSync(path, 'Quote withdrawn; the sprints went to another studio.\n');
    expect(await ingest([path])).toEqual([doc]);
    expect((await mc.call('documents.get', { id: doc! })).document.currentVersion).toBe(2);
    expect((await mc.call('entities.get', { id: client.id })).documents.map((d) => d.id)).not.toContain(doc);
  });

  test('entities link to entities and memories; the link shows on both pages, once, until unlinked', async () => {
    const { link } = await mc.call('entities.link', { from: { kind: 'entity', id: client.id }, to: { kind: 'entity', id: project.id }, type: 'has_project' });
    const again = await mc.call('entities.link', { from: { kind: 'entity', id: client.id }, to: { kind: 'entity', id: project.id }, type: 'has_project' });
    expect(again.link.id).toBe(link.id);
    const onClient = (await mc.call('entities.get', { id: client.id })).links.filter((l) => l.type === 'has_project');
    const onProject = (await mc.call('entities.get', { id: project.id })).links;
    expect(onClient.map((l) => l.id)).toEqual([link.id]);
    expect(onProject.map((l) => l.id)).toEqual([link.id]);

    const { memory } = await mc.call('memory.remember', { kind: 'decision', text: 'We take the Larkspur relaunch at a fixed price' });
    const toMemory = (await mc.call('entities.link', { from: { kind: 'entity', id: project.id }, to: { kind: 'memory', id: memory.id }, type: 'decided' })).link;
    expect((await mc.call('entities.get', { id: project.id })).links.map((l) => l.id).sort()).toEqual([link.id, toMemory.id].sort());

    await mc.call('entities.unlink', { id: link.id });
    expect((await mc.call('entities.get', { id: client.id })).links.filter((l) => l.type === 'has_project')).toEqual([]);
    expect((await rejection(mc.call('entities.unlink', { id: link.id }))).code).toBe('not_found');
    expect((await rejection(mc.call('entities.link', { from: { kind: 'entity', id: client.id }, to: { kind: 'document', id: 'no-such-document' }, type: 'x' }))).code).toBe('not_found');

    const linked = (await mc.call('ledger.list', { type: 'entity.linked', limit: 100 })).events.map((e) => (e.data as { linkId: string }).linkId);
    expect(linked).toContain(link.id);
    expect((await mc.call('ledger.list', { type: 'entity.unlinked', limit: 100 })).events.map((e) => (e.data as { linkId: string }).linkId)).toContain(link.id);
  });

  test('the entity page lists the memories about it, and memory.get shows the entity', async () => {
    const a = (await mc.call('memory.remember', { kind: 'fact', text: 'Larkspur wants the homepage redesign by September', entityId: client.id, attribute: 'deadline', value: 'September' })).memory;
    const b = (await mc.call('memory.remember', { kind: 'preference', text: 'Larkspur prefers weekly status calls', entityId: client.id })).memory;
    const unrelated = (await mc.call('memory.remember', { kind: 'fact', text: 'The homepage of Hosewell shows their opening hours' })).memory;
    const page = await mc.call('entities.get', { id: client.id });
    expect(page.memories.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(page.memories.map((x) => x.id)).not.toContain(unrelated.id);
    expect((await mc.call('memory.get', { id: a.id })).entity).toMatchObject({ id: client.id, name: 'Larkspur Analytics' });
    expect((await mc.call('memory.get', { id: unrelated.id })).entity).toBeNull();
    expect((await mc.call('memory.list', { entityId: client.id, limit: 10 })).memories.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
  });

  test('search with filters.entityId keeps the entity\'s memories and the documents linked to it', async () => {
    const all = await mc.call('memory.search', { query: 'homepage', limit: 20 });
    const allDocs = new Set(all.hits.filter((h) => h.type === 'chunk').map((h) => (h.source as { documentId: string }).documentId));
    expect(allDocs).toEqual(new Set([docs.notes, docs.shed, docs.forest]));
    expect(all.hits.filter((h) => h.type === 'memory')).toHaveLength(2);

    const narrowed = await mc.call('memory.search', { query: 'homepage', filters: { entityId: client.id }, limit: 20 });
    expect(narrowed.hits.length).toBeGreaterThan(0);
    for (const h of narrowed.hits) {
      if (h.type === 'memory') expect(h.source).toMatchObject({ type: 'memory', entityId: client.id });
      else expect(h.source).toMatchObject({ type: 'chunk', documentId: docs.notes });
    }
    expect(narrowed.hits.filter((h) => h.type === 'memory')).toHaveLength(1);
    expect(narrowed.hits.filter((h) => h.type === 'chunk').length).toBeGreaterThan(0);

    // Only memories, only the supplier's documents.
    const memoriesOnly = await mc.call('memory.search', { query: 'homepage', filters: { entityId: client.id, types: ['memory'] }, limit: 20 });
    expect(memoriesOnly.hits.every((h) => h.type === 'memory')).toBe(true);
    const supplierDocs = await mc.call('memory.search', { query: 'homepage', filters: { entityId: supplier.id }, limit: 20 });
    expect(supplierDocs.hits.map((h) => (h.source as { documentId?: string }).documentId)).toEqual([docs.shed]);
    expect(await mc.call('ledger.verify', {})).toMatchObject({ ok: true });
  });
});

import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMemoryCore, type MemoryCore } from '../support/memory-core';
import { tempDir } from '../support/temp';

let k: MemoryCore;
beforeAll(async () => {
  k = await startMemoryCore({ model: null });
});
afterAll(() => k.close());

const docNamed = async (name: string, status: string) => {
  const payload = await k.waitFor('documents.changed', (p) => p.name === name && p.status === status);
  return payload.id;
};

test('a watched folder: its files are ingested; new, changed and deleted files are followed; a restart re-queues nothing', async () => {
  const folder = join(tempDir(), 'Clients');
  mkdirSync(join(folder, 'acme'), { recursive: true });
  writeFileSync(join(folder, 'acme', 'brief.md'), '# Brief\n\nACME wants a new logo in teal.\n');
  writeFileSync(join(folder, 'notes.txt'), 'Call Bob about the flamingo campaign.\n');
  writeFileSync(join(folder, '.hidden.txt'), 'never ingested\n');
  writeFileSync(join(folder, '~$draft.docx'), 'an editor lock file\n');

  const { folder: watched } = await k.call('folders.add', { path: folder });
  await expect.poll(async () => (await k.call('folders.list', {})).folders[0]?.scanning, { timeout: 30_000 }).toBe(false);
  await docNamed('brief.md', 'indexed');
  await docNamed('notes.txt', 'indexed');
  expect((await k.call('folders.list', {})).folders).toEqual([expect.objectContaining({ id: watched.id, path: folder, documents: 2, scanning: false })]);

  writeFileSync(join(folder, 'acme', 'invoice.md'), '# Invoice 17\n\nTotal due: 1,200 EUR for the pelican illustrations.\n');
  await docNamed('invoice.md', 'indexed');
  expect((await k.call('memory.search', { query: 'pelican illustrations' })).hits[0]?.title).toContain('Invoice 17');

  appendFileSync(join(folder, 'notes.txt'), 'Also: the budget for the flamingo campaign is 3,000 EUR.\n');
  await k.waitFor('documents.changed', (p) => p.name === 'notes.txt' && p.status === 'indexed' && p.id !== undefined);
  await k.idle();
  const notesId = (await k.call('documents.list', { query: 'notes.txt' })).documents[0]!.id;
  await expect.poll(async () => (await k.call('documents.get', { id: notesId })).document.currentVersion, { timeout: 20_000 }).toBe(2);

  rmSync(join(folder, 'acme', 'brief.md'));
  await docNamed('brief.md', 'deleted');
  expect((await k.call('memory.search', { query: 'teal logo' })).hits.filter((h) => h.ranks.keyword !== null)).toEqual([]);

  const { documents } = await k.call('documents.list', { folderId: watched.id, limit: 10 });
  expect(documents.map((d) => d.name).sort()).toEqual(['invoice.md', 'notes.txt']);
  const runsBefore = (await k.call('runs.list', { workflow: 'memory.ingest', limit: 500 })).runs.length;

  // A restart of Keel re-reads the folder: unchanged files are not queued again.
  await k.close();
  k = await startMemoryCore({ model: null, dataDir: k.dataDir });
  await k.idle();
  await expect.poll(async () => (await k.call('folders.list', {})).folders[0]?.scanning, { timeout: 30_000 }).toBe(false);
  expect((await k.call('folders.list', {})).folders[0]).toMatchObject({ path: folder, documents: 2 });
  writeFileSync(join(folder, 'late.txt'), 'Written after the restart: the narwhal proposal.\n');
  await docNamed('late.txt', 'indexed');
  expect((await k.call('runs.list', { workflow: 'memory.ingest', limit: 500 })).runs.length).toBe(runsBefore + 1);

  await k.call('folders.remove', { id: watched.id });
  expect((await k.call('folders.list', {})).folders).toEqual([]);
  await expect(k.call('folders.add', { path: join(folder, 'missing') })).rejects.toMatchObject({ code: 'invalid_input' });
}, 60_000);

import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { DOCUMENTS, MODELS } from '../support/fixtures';
import { startMemoryCore, TINY_EMBEDDER, type MemoryCore } from '../support/memory-core';
import { tempDir } from '../support/temp';

let k: MemoryCore | null = null;
let server: Server | null = null;
afterEach(async () => {
  await k?.close();
  k = null;
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = null;
});

async function ingestMemo(core: MemoryCore): Promise<string> {
  const { files } = await core.call('documents.ingest', { paths: [join(DOCUMENTS, 'fake-memo.pdf'), join(DOCUMENTS, 'book-war-and-peace-1p.txt')] });
  await core.idle();
  return files[0]!.documentId!;
}

test('without the model: keyword search only, and it says so; once the model appears, the backlog is embedded', async () => {
  const modelsDir = tempDir();
  k = await startMemoryCore({ modelsDir, model: TINY_EMBEDDER });
  await k.waitFor('embeddings.changed', (e) => e.state === 'absent');
  expect(k.core.status().embeddingModel).toMatchObject({ state: 'absent', message: 'semantic search off: model not installed' });
  const memo = await ingestMemo(k);
  const before = await k.call('memory.search', { query: 'bottles of water' });
  expect(before).toMatchObject({ mode: 'keyword', note: 'semantic search off: model not installed' });
  expect(before.hits[0]?.source).toMatchObject({ documentId: memo });
  expect((await k.call('documents.get', { id: memo })).document.unembedded).toBeGreaterThan(0);

  // The model folder appears (copied in by hand); asking to install finds it without a download.
  cpSync(join(MODELS, 'tiny-embedder'), join(modelsDir, 'tiny-embedder'), { recursive: true });
  await k.call('embeddings.install', {});
  await k.waitFor('embeddings.changed', (e) => e.state === 'ready' && e.pending === 0);
  expect((await k.call('documents.get', { id: memo })).document.unembedded).toBe(0);
  const after = await k.call('memory.search', { query: 'bottles of water' });
  expect(after).toMatchObject({ mode: 'hybrid', note: null });
  expect(after.hits[0]?.ranks.vector).not.toBeNull();
  expect(k.core.status().embeddingModel).toMatchObject({ state: 'ready', pending: 0 });
});

/** Serves a model folder the way the Hugging Face hub lays it out: /<model>/resolve/main/<file>. */
function modelServer(requests: string[]): Promise<string> {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/tiny-embedder\/resolve\/main\/(.+)$/.exec(req.url ?? '');
    const file = m ? join(MODELS, 'tiny-embedder', decodeURIComponent(m[1]!)) : null;
    if (!file || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`)));
}

test('a missing model is downloaded once into the data folder, with progress, from the configured base URL', async () => {
  const requests: string[] = [];
  const baseUrl = await modelServer(requests);
  const dataDir = tempDir();
  const modelsDir = join(dataDir, 'models');
  k = await startMemoryCore({ dataDir, modelsDir, model: { ...TINY_EMBEDDER, autoDownload: true, baseUrl } });
  const progress: number[] = [];
  k.core.subscribe((event, payload) => {
    if (event === 'embeddings.changed' && (payload as { state: string }).state === 'downloading') progress.push((payload as { progress: number }).progress);
  });
  await k.waitFor('embeddings.changed', (e) => e.state === 'ready');
  expect(existsSync(join(modelsDir, 'tiny-embedder', 'onnx', 'model.onnx'))).toBe(true);
  expect(requests.some((r) => r.endsWith('/onnx/model.onnx'))).toBe(true);
  expect(progress.length).toBeGreaterThan(0);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  const memo = await ingestMemo(k);
  expect((await k.call('memory.search', { query: 'bottles of water' })).hits[0]?.source).toMatchObject({ documentId: memo });
  expect((await k.call('memory.search', { query: 'bottles of water' })).mode).toBe('hybrid');

  // A restart finds the model in place and downloads nothing.
  await k.close();
  const seen = requests.length;
  k = await startMemoryCore({ dataDir, modelsDir, model: { ...TINY_EMBEDDER, autoDownload: true, baseUrl } });
  await k.waitFor('embeddings.changed', (e) => e.state === 'ready');
  expect(requests.length).toBe(seen);
});

test('changing the model re-embeds everything in the background, and only the new model\'s vectors are compared', async () => {
  const modelsDir = tempDir();
  cpSync(join(MODELS, 'tiny-embedder'), join(modelsDir, 'tiny-embedder'), { recursive: true });
  cpSync(join(MODELS, 'tiny-embedder'), join(modelsDir, 'other-embedder'), { recursive: true });
  k = await startMemoryCore({ modelsDir, model: TINY_EMBEDDER });
  await k.waitFor('embeddings.changed', (e) => e.state === 'ready');
  const memo = await ingestMemo(k);
  expect((await k.call('documents.get', { id: memo })).document.unembedded).toBe(0);

  await k.call('memory.setSettings', { embedding: { modelId: 'other-embedder' } });
  await k.waitFor('embeddings.changed', (e) => e.state === 'ready' && e.modelId === 'other-embedder' && e.pending === 0);
  expect((await k.call('memory.getSettings', {})).embedding.modelId).toBe('other-embedder');
  expect((await k.call('documents.get', { id: memo })).document.unembedded).toBe(0);
  const { events } = await k.call('ledger.list', { type: 'embeddings.model_set', limit: 10 });
  expect(events.map((e) => (e.data as { model: string }).model)).toEqual(['tiny-embedder@fp32', 'other-embedder@fp32']);
  const hit = (await k.call('memory.search', { query: 'bottles of water' })).hits[0];
  expect(hit?.source).toMatchObject({ documentId: memo });
  expect(hit?.ranks.vector).not.toBeNull();
});

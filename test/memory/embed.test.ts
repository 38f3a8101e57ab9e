import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { isModelInstalled } from '../../main/core/memory/embed/download';
import {
  Embedder,
  EmbedderNotReady,
  MODEL_NOT_INSTALLED,
  type EmbedderOptions,
  type EmbedderState,
} from '../../main/core/memory/embed/embedder';
import { MODELS } from '../support/fixtures';
import { tempDir } from '../support/temp';

const MODEL_ID = 'tiny-embedder';
const FIXTURE_MODEL = join(MODELS, MODEL_ID);
const WEIGHTS = 'onnx/model.onnx';

const open: Embedder[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

function embedder(options: Partial<EmbedderOptions> & { modelsDir: string }): Embedder {
  const e = new Embedder({ modelId: MODEL_ID, dtype: 'fp32', autoDownload: false, ...options });
  open.push(e);
  return e;
}

/** Records every state the embedder announces. */
function recordStates(e: Embedder): EmbedderState[] {
  const seen: EmbedderState[] = [];
  e.onState((s) => seen.push(s));
  return seen;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

/** Copies byte by byte: the fixtures are read-only and cpSync would keep their modes. */
function copyModelInto(modelsDir: string): void {
  for (const file of filesUnder(FIXTURE_MODEL)) {
    const target = join(modelsDir, MODEL_ID, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(join(FIXTURE_MODEL, file)));
  }
}

const norm = (v: Float32Array) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0) / (norm(a) * norm(b));

interface ModelServer {
  baseUrl: string;
  /** Requests received, by file. */
  requests: string[];
  /** Files answered with 404. */
  missing: Set<string>;
  /** Files whose connection is cut after half the body. */
  cut: Set<string>;
}

/** A hub-shaped server for the fixture folder: `/<modelId>/resolve/main/<file>`. */
async function serveModel(): Promise<ModelServer> {
  const state: Omit<ModelServer, 'baseUrl'> = { requests: [], missing: new Set(), cut: new Set() };
  const prefix = `/${MODEL_ID}/resolve/main/`;
  const server = createServer((req, res) => {
    const file = decodeURIComponent((req.url ?? '').slice(prefix.length));
    state.requests.push(file);
    const path = join(FIXTURE_MODEL, file);
    if (!req.url?.startsWith(prefix) || state.missing.has(file) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(path);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    if (!state.cut.has(file)) return void res.end(body);
    // Half the promised bytes, then the connection drops: what a flaky network does.
    res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
  });
  servers.push(server);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { ...state, baseUrl: `http://127.0.0.1:${port}` };
}

describe('Embedder with a local model folder', () => {
  test('loads tiny-embedder and gives normalised, word-sensitive vectors', async () => {
    const e = embedder({ modelsDir: MODELS });
    expect(await e.start()).toMatchObject({ status: 'ready', dims: 32, modelId: MODEL_ID });
    const [fox, fox2, invoice] = await e.embed(
      ['quick brown fox jumps', 'a quick brown fox sleeps', 'quarterly invoice payment terms'],
      'interactive',
    );
    for (const v of [fox!, fox2!, invoice!]) {
      expect(v).toHaveLength(32);
      expect(norm(v)).toBeCloseTo(1, 4);
    }
    expect(cosine(fox!, fox2!)).toBeGreaterThan(cosine(fox!, invoice!) + 0.2);
  });

  test('a batch of 100 texts comes back as 100 vectors in order', async () => {
    const e = embedder({ modelsDir: MODELS });
    await e.start();
    const words = ['invoice', 'client', 'garden', 'river', 'piano', 'ledger', 'orbit', 'tomato', 'castle', 'winter'];
    const texts = Array.from({ length: 100 }, (_, i) => `${words[i % 10]} ${words[Math.floor(i / 10)]} note ${i}`);
    const together = await e.embed(texts, 'bulk');
    expect(together).toHaveLength(100);
    const alone = await Promise.all(texts.map((t) => e.embed([t], 'bulk')));
    alone.forEach(([single], i) => {
      expect(single).toBeDefined();
      expect(cosine(together[i]!, single!)).toBeGreaterThan(0.9999);
    });
    // Not vacuous: neighbours differ, so a shuffled answer would have failed above.
    expect(cosine(together[0]!, together[1]!)).toBeLessThan(0.99);
  });

  test('without autoDownload a missing model stays absent until it is copied in', async () => {
    const modelsDir = tempDir();
    const e = embedder({ modelsDir });
    const seen = recordStates(e);
    expect(await e.start()).toMatchObject({ status: 'absent', message: MODEL_NOT_INSTALLED });
    await expect(e.embed(['anything'], 'interactive')).rejects.toThrow(EmbedderNotReady);
    await expect(e.embed(['anything'], 'interactive')).rejects.toThrow(MODEL_NOT_INSTALLED);
    expect(await e.recheck()).toMatchObject({ status: 'absent' });

    copyModelInto(modelsDir);
    expect(await e.recheck()).toMatchObject({ status: 'ready', dims: 32 });
    expect(seen.map((s) => s.status)).toEqual(['loading', 'ready']);
    expect(await e.embed(['copied in'], 'interactive')).toHaveLength(1);
  });

  test('an interactive call overtakes queued bulk batches', async () => {
    const e = embedder({ modelsDir: MODELS, batchSize: 4 });
    await e.start();
    const finished: string[] = [];
    const track = (name: string, p: Promise<Float32Array[]>) => p.then(() => finished.push(name));
    const texts = (n: number) => Array.from({ length: 4 }, (_, i) => `bulk document ${n} part ${i}`);
    const calls = Array.from({ length: 10 }, (_, n) => track(`bulk-${n}`, e.embed(texts(n), 'bulk')));
    calls.push(track('search', e.embed(['where is the invoice'], 'interactive')));
    await Promise.all(calls);
    // bulk-0 may already be in the worker; everything else queued must wait for the search.
    expect(finished.indexOf('search')).toBeLessThanOrEqual(1);
    expect(finished.filter((name) => name.startsWith('bulk'))).toEqual(calls.slice(0, 10).map((_, n) => `bulk-${n}`));
  });

  test('a worker that dies rejects pending work, fails, and restarts on start()', async () => {
    const e = embedder({ modelsDir: MODELS });
    await e.start();
    const pending = Array.from({ length: 5 }, (_, n) =>
      e.embed(Array.from({ length: 32 }, (_, i) => `text ${n} ${i}`), 'bulk'),
    );
    await e.crashWorkerForTest();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/embedding worker stopped/);
    }
    expect(e.state).toMatchObject({ status: 'failed', message: expect.stringMatching(/embedding worker stopped/) });
    await expect(e.embed(['after the crash'], 'interactive')).rejects.toThrow(EmbedderNotReady);

    expect(await e.start()).toMatchObject({ status: 'ready', dims: 32 });
    expect(await e.embed(['after the restart'], 'interactive')).toHaveLength(1);
  });

  test('setModel switches models and announces it', async () => {
    const e = embedder({ modelsDir: MODELS });
    await e.start();
    const queued = expect(e.embed(Array.from({ length: 64 }, (_, i) => `queued ${i}`), 'bulk')).rejects.toThrow(
      /model changed to all-MiniLM-L6-v2/,
    );
    const seen = recordStates(e);
    // The fixture all-MiniLM-L6-v2 folder has no weights: installed-ness is checked, not assumed.
    expect(await e.setModel({ modelId: 'all-MiniLM-L6-v2', dtype: 'fp32' })).toMatchObject({
      status: 'absent',
      modelId: 'all-MiniLM-L6-v2',
    });
    await queued;
    await expect(e.embed(['no model'], 'interactive')).rejects.toThrow(MODEL_NOT_INSTALLED);
    expect(await e.setModel({ modelId: MODEL_ID, dtype: 'fp32' })).toMatchObject({ status: 'ready', dims: 32 });
    expect(seen.map((s) => `${s.modelId}:${s.status}`)).toEqual([
      'all-MiniLM-L6-v2:absent',
      `${MODEL_ID}:loading`,
      `${MODEL_ID}:ready`,
    ]);
  });
});

describe('Embedder downloading from a hub-shaped HTTP server', () => {
  test('absent → downloading → loading → ready, files in place, no second download', async () => {
    const server = await serveModel();
    const modelsDir = tempDir();
    const first = embedder({ modelsDir, baseUrl: server.baseUrl, autoDownload: true });
    expect(first.state.status).toBe('absent');
    const seen = recordStates(first);
    expect(await first.start()).toMatchObject({ status: 'ready', dims: 32 });

    const statuses = seen.map((s) => s.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['downloading', 'loading', 'ready']);
    const progress = seen.flatMap((s) => (s.status === 'downloading' ? [s.progress] : []));
    expect(progress.length).toBeGreaterThan(3);
    progress.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(i === 0 ? 0 : progress[i - 1]!));
    expect(progress.at(-1)).toBe(1);

    const installed = join(modelsDir, MODEL_ID);
    expect(filesUnder(installed)).toEqual(filesUnder(FIXTURE_MODEL).filter((f) => f !== 'vocab.txt'));
    expect(readFileSync(join(installed, WEIGHTS)).equals(readFileSync(join(FIXTURE_MODEL, WEIGHTS)))).toBe(true);
    const requestsAfterFirst = server.requests.length;
    expect(server.requests).toContain(WEIGHTS);
    await first.close();

    const second = embedder({ modelsDir, baseUrl: server.baseUrl, autoDownload: true });
    expect(await second.start()).toMatchObject({ status: 'ready', dims: 32 });
    expect(server.requests).toHaveLength(requestsAfterFirst);
  });

  test('a missing special_tokens_map.json is tolerated', async () => {
    const server = await serveModel();
    server.missing.add('special_tokens_map.json');
    const modelsDir = tempDir();
    const e = embedder({ modelsDir, baseUrl: server.baseUrl, autoDownload: true });
    expect(await e.start()).toMatchObject({ status: 'ready', dims: 32 });
    expect(existsSync(join(modelsDir, MODEL_ID, 'special_tokens_map.json'))).toBe(false);
  });

  test('a 404 for the weights fails with the file and status, leaving no weights behind', async () => {
    const server = await serveModel();
    server.missing.add(WEIGHTS);
    const modelsDir = tempDir();
    const e = embedder({ modelsDir, baseUrl: server.baseUrl, autoDownload: true });
    const state = await e.start();
    expect(state).toMatchObject({
      status: 'failed',
      message: `could not download ${MODEL_ID}/${WEIGHTS} from ${server.baseUrl}/${MODEL_ID}/resolve/main/${WEIGHTS}: HTTP 404`,
    });
    const left = existsSync(modelsDir) ? filesUnder(modelsDir) : [];
    expect(left.filter((f) => f.includes('.onnx') || f.endsWith('.part'))).toEqual([]);
    expect(isModelInstalled(modelsDir, MODEL_ID, 'fp32')).toBe(false);
  });

  test('a connection cut mid-file fails cleanly; install() succeeds once the server is fixed', async () => {
    const server = await serveModel();
    server.cut.add(WEIGHTS);
    const modelsDir = tempDir();
    const e = embedder({ modelsDir, baseUrl: server.baseUrl, autoDownload: true });
    const state = await e.start();
    expect(state.status).toBe('failed');
    expect(state.status === 'failed' && state.message).toMatch(
      new RegExp(`^could not download ${MODEL_ID}/${WEIGHTS} from http://127\\.0\\.0\\.1:\\d+/`),
    );
    expect(filesUnder(modelsDir).filter((f) => f.includes('.onnx') || f.endsWith('.part'))).toEqual([]);
    expect(isModelInstalled(modelsDir, MODEL_ID, 'fp32')).toBe(false);

    server.cut.clear();
    expect(await e.install()).toMatchObject({ status: 'ready', dims: 32 });
    expect(isModelInstalled(modelsDir, MODEL_ID, 'fp32')).toBe(true);
    expect(await e.embed(['downloaded at last'], 'interactive')).toHaveLength(1);
  });
});

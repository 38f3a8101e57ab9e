import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DOCUMENTS, MODELS } from '../support/fixtures';
import { ROOT, startServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { TestSocket } from '../support/ws-client';

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
/** Ingestion of real files (parse workers, embeddings) on a 2-core machine: give it room. */
const INGEST_TIMEOUT = 90_000;

const INDEXED = ['fake-memo.pdf', 'norwich-city.txt', 'docx-tables.docx'];
const FAILED = { 'password.pdf': 'password-protected PDF', 'empty.txt': 'empty file' } as const;
const DROPPED = [...INDEXED, ...Object.keys(FAILED)];

let browser: Browser;
let server: ServerProcess;
let page: Page;
let api: TestSocket;
const dataDir = tempDir({ lifetime: 'file' });
const consoleErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const upload = (name: string) => page.locator(`[data-testid="upload"][data-name="${name}"]`);

/** Waits for a file's row to reach `status`; if it never does, says where the row stopped (and what the core says of the document). */
async function settled(name: string, status: string): Promise<void> {
  try {
    await upload(name).and(page.locator(`[data-status="${status}"]`)).waitFor({ timeout: INGEST_TIMEOUT });
  } catch (err) {
    const row = await upload(name).evaluate((el) => ({ phase: el.getAttribute('data-phase'), status: el.getAttribute('data-status'), text: el.textContent })).catch(() => null);
    throw new Error(`${name} did not reach ${status}: its row shows ${JSON.stringify(row)}. ${(err as Error).message}`);
  }
}
const docRow = (name: string) => page.locator(`[data-testid="doc-row"][data-name="${name}"]`);

const call = <T>(method: string, input?: unknown): Promise<T> => api.output<T>(method, input);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServerProcess(dataDir, ['--models', MODELS, '--model', 'tiny-embedder', '--model-dtype', 'fp32', '--no-model-download']);
  api = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto(server.url);
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  api?.close();
  await browser?.close();
  await server?.stop();
});

// Ingestion, triage and Chromium share two cores with the other suites: give each step room under load.
describe('memory in real Chromium against the headless server', { timeout: 180_000 }, () => {
  test('the embedding model is found in the models folder and the status bar says semantic search is on', async () => {
    await page.getByTestId('model-state').getByText('Semantic search on').waitFor({ timeout: 60_000 });
  });

  test('files dropped on the window are uploaded and ingested; failures say why beside the file', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Documents' }).click();
    await page.getByRole('heading', { level: 1, name: 'No documents yet' }).waitFor();

    // A real DataTransfer carrying real File objects, built in the page from the fixtures' bytes.
    const files = DROPPED.map((name) => ({ name, data: readFileSync(join(DOCUMENTS, name)).toString('base64') }));
    const dataTransfer = await page.evaluateHandle((list) => {
      // Runs in the page; the tests' TypeScript has no DOM library, hence the cast.
      const dt = new (globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): unknown } } }).DataTransfer();
      for (const f of list) {
        const bin = atob(f.data);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        dt.items.add(new File([bytes], f.name));
      }
      return dt;
    }, files);

    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await page.dispatchEvent('main', 'dragover', { dataTransfer });
    const overlay = page.getByTestId('drop-overlay');
    await overlay.waitFor();
    expect(await overlay.textContent()).toContain('Drop to add to memory');
    await shot('10-drop-overlay');
    // Leaving the window without dropping hides it again.
    await page.dispatchEvent('main', 'dragleave', { dataTransfer });
    await overlay.waitFor({ state: 'detached' });

    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await overlay.waitFor();
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await overlay.waitFor({ state: 'detached' });

    // One progress row per dropped file, the empty one included.
    await expect.poll(() => page.getByTestId('upload').count()).toBe(DROPPED.length);
    await shot('11-upload-progress');

    for (const name of INDEXED) await settled(name, 'indexed');
    for (const [name, message] of Object.entries(FAILED)) {
      await settled(name, 'failed');
      expect(await upload(name).getByTestId('upload-error').textContent()).toContain(message);
    }
    await shot('12-uploads-done');
    // Folded by the operator, the tray stays out of the way; its header keeps the summary.
    const fold = page.getByTestId('upload-tray').getByRole('button', { name: /Files \(5\)/ });
    await fold.click();
    expect(await fold.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => page.getByTestId('upload').count()).toBe(0);
    expect(await page.getByTestId('upload-tray').textContent()).toContain('3 done · 2 failed');

    // The Documents view lists them, live, with each failure's reason right beside the file.
    for (const name of INDEXED) await docRow(name).and(page.locator('[data-status="indexed"]')).waitFor({ timeout: INGEST_TIMEOUT });
    for (const [name, message] of Object.entries(FAILED)) {
      await docRow(name).getByTestId('doc-error').getByText(message).waitFor({ timeout: INGEST_TIMEOUT });
    }
    await expect.poll(() => page.getByTestId('count-indexed').textContent()).toContain(String(INDEXED.length));
    await expect.poll(() => page.getByTestId('ingest-progress').textContent()).toBe(`${Object.keys(FAILED).length} failed`);
    const norwich = docRow('norwich-city.txt');
    expect(await norwich.textContent()).toMatch(/text/);
    expect(Number((await norwich.textContent())?.match(/(\d+) ch\./)?.[1])).toBeGreaterThan(1);
    await shot('13-documents-with-errors');
    await docRow('password.pdf').screenshot({ path: join(ARTIFACTS, '13b-password-error.png') });

    // What the UI showed is what the core holds.
    const listed = await call<{ documents: { name: string; status: string; error: { message: string } | null }[] }>('documents.list', { limit: 50 });
    expect(listed.documents.map((d) => d.name).sort()).toEqual([...DROPPED].sort());
    expect(listed.documents.find((d) => d.name === 'password.pdf')?.error?.message).toContain('password-protected PDF');
  });

  test('search shows highlighted terms; the hit opens its document at that chunk', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Memory' }).click();
    await page.getByRole('searchbox', { name: 'Search memory' }).fill('Agony Ecstasy Ockley');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'norwich-city.txt' }).first();
    await hit.waitFor();
    const marked = (await hit.locator('mark').allTextContents()).map((t) => t.toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['agony', 'ecstasy', 'ockley']));
    expect(await page.getByTestId('search-mode').textContent()).toContain('by words and meaning');
    await shot('14-search-hits');

    const link = hit.getByTestId('hit-source');
    const chunkId = new URLSearchParams((await link.getAttribute('href'))!.split('?')[1]).get('chunk');
    expect(chunkId).toBeTruthy();
    await link.click();
    await page.getByRole('heading', { level: 1, name: 'norwich-city.txt' }).or(page.getByRole('heading', { level: 1, name: /Iwan Roberts/ })).waitFor();
    const target = page.locator('[data-testid="chunk"].targeted');
    await target.waitFor();
    expect(await target.getAttribute('data-chunk-id')).toBe(chunkId);
    expect(await target.textContent()).toContain('Ockley');
    // The search's words are marked in the passage too.
    expect((await target.locator('mark').allTextContents()).map((t) => t.toLowerCase())).toEqual(expect.arrayContaining(['agony', 'ecstasy', 'ockley']));
    expect(await page.locator('[data-testid="chunk"].targeted').count()).toBe(1);
    // Scrolled into view inside the chunk list, though it is far down the document.
    const inView = await target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const list = el.closest('.chunk-list')!.getBoundingClientRect();
      return { inside: box.top >= list.top - 1 && box.top < list.bottom, scrolled: el.closest('.chunk-list')!.scrollTop > 0 };
    });
    expect(inView).toEqual({ inside: true, scrolled: true });
    await shot('15-document-at-chunk');
  });

  test('"Add files…" sends picked files the same way', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Documents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await page.getByTestId('file-input').setInputFiles(join(DOCUMENTS, 'fake-text.txt'));
    await page.getByTestId('upload-tray').getByText('4 done · 2 failed').waitFor({ timeout: INGEST_TIMEOUT });
    await docRow('fake-text.txt').and(page.locator('[data-status="indexed"]')).waitFor({ timeout: INGEST_TIMEOUT });
  });

  test('contradictions reach the review queue and are resolved from the keyboard, the next item selected each time', async () => {
    const remember = async (text: string, validFrom: string) => (await call<{ memory: { id: string } }>('memory.remember', { kind: 'fact', text, validFrom })).memory.id;
    const pairs = {
      ACME: { older: await remember('ACME pays invoices in 30 days', '2025-01-01T00:00:00.000Z'), newer: await remember('ACME pays invoices in 45 days', '2026-01-01T00:00:00.000Z') },
      Globex: { older: await remember('Globex ships orders within 2 weeks', '2025-03-01T00:00:00.000Z'), newer: await remember('Globex ships orders within 3 weeks', '2026-03-01T00:00:00.000Z') },
    };
    const status = async (id: string) => (await call<{ memory: { status: string; supersededBy: string | null } }>('memory.get', { id })).memory;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Memory' }).click();
    await page.getByRole('navigation', { name: 'Memory sections' }).getByRole('link', { name: /Review queue/ }).click();
    await page.getByRole('button', { name: 'Run curation now' }).click();
    await page.getByTestId('curation-report').getByText(/2 contradictions\b/).waitFor();
    const reviews = page.locator('[data-testid="review"][data-kind="contradiction"]');
    await expect.poll(() => reviews.count()).toBe(2);
    await expect.poll(() => page.getByTestId('review-count').textContent()).toMatch(/^2/);
    expect(await page.getByRole('complementary', { name: 'Keyboard' }).textContent()).toContain('Keep newer');

    const selected = page.locator('[data-testid="review"][aria-current="true"]');
    const firstText = (await selected.textContent())!;
    const [first, second] = firstText.includes('ACME') ? (['ACME', 'Globex'] as const) : (['Globex', 'ACME'] as const);
    // Older on the left, newer on the right, each with its dates and provenance.
    expect((await selected.getByTestId('review-memory').allTextContents()).map((t) => t.match(/^(Older|Newer)/)?.[1])).toEqual(['Older', 'Newer']);
    await shot('16-review-queue');

    // n: keep the newer. The item leaves and the next one is selected.
    await page.keyboard.press('n');
    await page.getByText('Kept the newer one. Press u to undo.').waitFor();
    await expect.poll(() => reviews.count()).toBe(1);
    await selected.filter({ hasText: second }).waitFor();
    expect(await status(pairs[first].older)).toMatchObject({ status: 'superseded', supersededBy: pairs[first].newer });
    expect((await status(pairs[first].newer)).status).toBe('active');
    await shot('17-review-resolved');

    // b: keep both, which changes no memory; the queue is then empty.
    await page.keyboard.press('b');
    await page.getByText('Nothing to review.', { exact: false }).waitFor();
    expect((await status(pairs[second].older)).status).toBe('active');
    expect((await status(pairs[second].newer)).status).toBe('active');

    // u: undoes the last resolution that changed something (memory.undo with its changeId).
    await page.keyboard.press('u');
    await page.getByText(/^Undid "kept the newer one"/).waitFor();
    expect(await status(pairs[first].older)).toMatchObject({ status: 'active', supersededBy: null });
  });

  test('a memory proposed by another assistant waits in the review queue until accepted', async () => {
    const { memory } = await call<{ memory: { id: string } }>('memory.propose', { text: 'Hooli wants quotes in pounds.', source: 'mcp:claude-desktop' });
    await page.goto(new URL('#/memory/reviews', server.url).href);
    const card = page.locator('[data-testid="review"][data-kind="proposed"]');
    await card.getByText('Proposed by mcp:claude-desktop; not used until you confirm it.').waitFor();
    expect(await card.textContent()).toContain('Hooli wants quotes in pounds.');
    await card.click();
    // A proposal is accepted, pinned, edited or forgotten: no merge, no keep both.
    expect(await card.getByRole('group', { name: 'Resolve' }).getByRole('button').allTextContents()).toEqual(['Accept', 'Pin', 'Edit', 'Forget'].map((l, i) => `${l}${['c', 'p', 'e', 'f'][i]}`));
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.waitFor({ state: 'detached' });
    expect((await call<{ memory: { status: string } }>('memory.get', { id: memory.id })).memory.status).toBe('active');
  });

  test('a memory is pinned, marked stale, forgotten and brought back from its page with the keyboard', async () => {
    const { memory } = await call<{ memory: { id: string } }>('memory.remember', { kind: 'fact', text: 'Globex renews its contract every March.' });
    const stored = async () => (await call<{ memory: { pinned: boolean; status: string } }>('memory.get', { id: memory.id })).memory;
    await page.goto(new URL(`#/memory/items/${memory.id}`, server.url).href);
    await page.getByTestId('memory-text').getByText('Globex renews its contract every March.').waitFor();
    await page.keyboard.press('p');
    await page.getByRole('heading', { name: 'Fact · pinned' }).waitFor();
    expect((await stored()).pinned).toBe(true);
    await page.keyboard.press('s');
    await page.getByTestId('memory-status').getByText('Stale').waitFor();
    expect((await stored()).status).toBe('stale');
    await page.keyboard.press('f');
    await page.getByText('This memory was forgotten.').waitFor();
    await expect(stored()).rejects.toThrow(/not_found/);
    await page.getByText('This memory was forgotten.').getByRole('button', { name: 'Undo' }).click();
    await page.getByTestId('memory-text').getByText('Globex renews its contract every March.').waitFor();
    expect(await stored()).toMatchObject({ pinned: true, status: 'stale' });
  });

  test('no console errors and no Content Security Policy violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});

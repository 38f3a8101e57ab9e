import { chromium, type Browser, type Page } from 'playwright-core';
import { startServerProcess, type ServerProcess } from './server-process';
import { TestSocket } from './ws-client';

export const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, on Keel's page at `url` once its database is ready; console
 * errors and page errors are collected into `errors` (tests assert there are none).
 */
export async function openKeelPage(url: string, errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  // A first start (a new database) on a busy 2-core machine can take a while.
  await page.getByTestId('database').getByText(/Database ready/).waitFor({ timeout: 60_000 });
  return { browser, page };
}

/** Every text the page holds, form values included: a secret must be in none of them once saved. */
export function everythingShown(page: Page): Promise<string> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { body: { innerText: string }; querySelectorAll(s: string): ArrayLike<{ value: string }> } }).document;
    return [doc.body.innerText, ...Array.from(doc.querySelectorAll('input, textarea, select')).map((e) => e.value)].join('\n');
  });
}

export interface KeelInBrowser {
  server: ServerProcess;
  /** The API, for what a test sets up or checks behind the page's back. */
  socket: TestSocket;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** The built headless server on `dataDir` (with `args`), an API socket to it, and Keel's page in Chromium. */
export async function openKeelInBrowser(dataDir: string, args: string[], errors: string[]): Promise<KeelInBrowser> {
  const server = await startServerProcess(dataDir, args);
  const socket = await TestSocket.open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  const { browser, page } = await openKeelPage(server.url, errors);
  return {
    server,
    socket,
    browser,
    page,
    async close() {
      socket.close();
      await browser.close();
      await server.stop();
    },
  };
}

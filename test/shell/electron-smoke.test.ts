import { describe, expect, test } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { electronRuntime } from '../../scripts/electron-runtime.mjs';
import { ROOT } from '../support/server-process';
import { tempDir } from '../support/temp';

/**
 * The real desktop app, where the Electron runtime exists. On machines without it (no
 * internet to fetch it, as in this project's CI) the test says so instead of pretending.
 */
const runtime = electronRuntime({ fetch: false });
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const reason = !runtime.path ? 'Electron runtime not installed' : !hasDisplay ? 'no display for the Electron window' : null;
if (reason) console.log(`skipped: ${reason}`);

describe('desktop app (Playwright _electron)', () => {
  test.runIf(reason === null)('opens a secure window that shows the database ready', async () => {
    const app = await electron.launch({
      executablePath: runtime.path!,
      args: [ROOT],
      env: { ...process.env, KEEL_DATA: tempDir() },
    });
    try {
      const page = await app.firstWindow();
      await page.getByText(/Database ready/).waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { keel?: { api?: unknown } }).keel?.api)).toBe('object');
    } finally {
      await app.close();
    }
  });
});

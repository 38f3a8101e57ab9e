import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/protocol';
import { Core } from '../../main/core/host/core';
import { tempDir } from '../support/temp';

vi.mock('electron', () => import('../support/electron-double'));

const { BrowserWindow, ipcMain } = await import('../support/electron-double');
const { registerApiIpc } = await import('../../main/shell/ipc');

const APP_URL = 'keel://app/index.html';
const topFrame = (url: string) => ({ url, parent: null });
const invoke = (frame: unknown, method: unknown, input?: unknown) =>
  ipcMain.handlers.get(IPC_CALL_CHANNEL)!({ senderFrame: frame }, method, input);

let core: Core;
let unregister: () => void;
const win = new BrowserWindow({});
beforeAll(() => {
  core = Core.start({ dataDir: tempDir({ lifetime: 'file' }), mode: 'desktop' });
  unregister = registerApiIpc(ipcMain as never, core, () => [win as never]);
});
afterAll(async () => {
  unregister();
  await core.close();
});

describe('API over Electron IPC', () => {
  test('the app page calls the API and gets typed answers', async () => {
    expect(await invoke(topFrame(`${APP_URL}#/settings`), 'system.ping', { echo: 'ipc' })).toMatchObject({ ok: true, output: { echo: 'ipc' } });
    expect(await invoke(topFrame(APP_URL), 'system.status')).toMatchObject({ ok: true, output: { mode: 'desktop' } });
  });

  test('malformed payloads get typed errors, never a crash', async () => {
    const frame = topFrame(APP_URL);
    expect(await invoke(frame, 'system.ping', { echo: ['no'] })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await invoke(frame, { evil: true }, null)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await invoke(frame, 'system.status', 'x'.repeat(1_000_000))).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  test('senders other than the app page are refused: other pages, subframes, no frame', async () => {
    for (const frame of [
      topFrame('https://evil.example/'),
      topFrame('file:///tmp/other.html'),
      topFrame('file:///opt/keel/out/renderer/index.html'),
      topFrame('keel://app/other.html'),
      topFrame('keel://app/index.html?as=other'),
      topFrame('keel://app.evil.example/index.html'),
      topFrame('keel://evil/index.html'),
      { url: APP_URL, parent: { url: APP_URL } },
      null,
    ]) {
      expect(await invoke(frame, 'system.ping', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
  });

  test('core events are pushed to the window on the event channel', async () => {
    win.webContents.sent = [];
    await core.setAgentsPaused(true);
    expect(win.webContents.sent).toContainEqual([IPC_EVENT_CHANNEL, 'system.statusChanged', expect.objectContaining({ agentsPaused: true })]);
    expect(win.webContents.sent).toContainEqual([IPC_EVENT_CHANNEL, 'kernel.changed', { paused: true, riskThreshold: 'high' }]);
  });
});

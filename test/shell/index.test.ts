import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, test, vi } from 'vitest';
import type { ApiResult } from '../../shared/api/errors';
import type { EventName } from '../../shared/api/contract';
import { DEFAULT_PREFERENCES, type InboxItem } from '../../shared/domain/inbox';
import { contentSecurityPolicy } from '../../shared/security/csp';
import { ROOT } from '../support/server-process';
import { tempDir } from '../support/temp';

/**
 * main/shell/index.ts as Electron would run it, with the electron double, a stand-in core and
 * the real build in out/renderer (made by the global setup): the wiring between the pieces
 * the other shell tests cover one by one.
 */
const core = vi.hoisted(() => {
  const listeners: ((event: string, payload: unknown) => void)[] = [];
  let settle!: () => void;
  return {
    items: [] as unknown[],
    ready: new Promise<void>((resolve) => (settle = resolve)),
    open: () => settle(),
    emit: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)),
    subscribe: (l: (event: string, payload: unknown) => void) => (listeners.push(l), () => undefined),
    call: vi.fn(),
    setAgentsPaused: vi.fn(async () => ({ ok: true, output: {} })),
    close: vi.fn(async () => undefined),
    dataDir: '',
  };
});
const stored = vi.hoisted(() => new Map<string, unknown>());
vi.mock('electron', () => import('../support/electron-double'));
vi.mock('electron-store', () => ({
  default: class {
    constructor() {
      if (!stored.size) stored.set('windowBounds', { width: 1000, height: 700 }).set('maximized', false);
    }
    get = (key: string) => stored.get(key);
    set = (key: string, value: unknown) => void stored.set(key, value);
    has = () => false;
    delete = () => undefined;
  },
}));
vi.mock('../../main/shell/keychain', () => ({ keychainDataKey: () => null }));
vi.mock('../../main/core/host/core', () => ({ Core: { start: () => core } }));

const electron = await import('../support/electron-double');
const { BrowserWindow, Menu, Notification, protocol, ipcMain, dialog, app } = electron;

let n = 0;
function inboxItem(): InboxItem {
  n += 1;
  return { id: `appr_${n}`, kind: 'approval', subkind: 'draft', title: `Send draft ${n}?`, summary: `Draft ${n}`, agent: 'desk-writer', app: null, workflow: 'wf', risk: 'medium', runId: `run_${n}`, stepNo: 1, failure: null, createdAt: new Date().toISOString() };
}
core.call.mockImplementation(async (method: unknown): Promise<ApiResult> => {
  if (method === 'preferences.get') return { ok: true, output: DEFAULT_PREFERENCES };
  const total = core.items.length;
  return { ok: true, output: { items: core.items, counts: { approvals: total, escalations: 0, deadLetters: 0, total } } };
});
core.items.push(inboxItem(), inboxItem());

// The data folder the stand-in core runs on: a real folder the move copies.
core.dataDir = tempDir({ lifetime: 'file' });
mkdirSync(join(core.dataDir, 'db'));
writeFileSync(join(core.dataDir, 'db', 'PG_VERSION'), '17\n');

vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
electron.app.getAppPath.mockReturnValue(ROOT);
await import('../../main/shell/index');
afterAll(() => vi.useRealTimers());

const win = () => BrowserWindow.created.at(-1)!;

describe('the Electron entry', () => {
  test('grants keel:// its privileges before ready and serves out/renderer through it', async () => {
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'keel', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]).toBeLessThan(electron.app.whenReady.mock.invocationCallOrder[0]!);
    const handler = protocol.handlers.get('keel')!;
    const page = await handler({ url: 'keel://app/index.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(await page.text()).toContain('<div id="root">');
    expect((await handler({ url: 'keel://app/..%2f..%2fpackage.json', method: 'GET' })).status).toBe(403);
  });

  test('opens the window on keel://app/index.html', () => {
    expect(BrowserWindow.created).toHaveLength(1);
    expect(win().loadURL).toHaveBeenCalledWith('keel://app/index.html');
  });

  test('once the core is ready the tray shows the waiting count; start-up items do not pop up', async () => {
    core.open();
    await vi.advanceTimersByTimeAsync(0);
    const labels = (Menu.buildFromTemplate.mock.calls.at(-1)![0] as { label?: string }[]).map((i) => i.label);
    expect(labels).toContain('Open Inbox (2)');
    expect(Notification).not.toHaveBeenCalled();
  });

  test('a new approval pops up; clicking it moves the open window to #/inbox/<id>', async () => {
    const fresh = inboxItem();
    core.items.push(fresh);
    core.emit('approvals.changed' satisfies EventName, { id: fresh.id });
    await vi.advanceTimersByTimeAsync(600);
    expect(Notification).toHaveBeenLastCalledWith(expect.objectContaining({ title: fresh.title }));
    (Notification.mock.instances.at(-1) as unknown as { emit: (e: string) => void }).emit('click');
    expect(win().webContents.executeJavaScript).toHaveBeenLastCalledWith(`location.hash = "#/inbox/${fresh.id}"`);
    expect(BrowserWindow.created).toHaveLength(1);
  });

  test('the tray menu’s Open Inbox moves the window to the inbox', () => {
    const template = Menu.buildFromTemplate.mock.calls.at(-1)![0] as { label?: string; click?: () => void }[];
    template.find((i) => i.label === 'Open Inbox (3)')!.click!();
    expect(win().webContents.executeJavaScript).toHaveBeenLastCalledWith('location.hash = "#/inbox"');
  });

  test('Settings → Keel for other assistants: the switch serves MCP on 127.0.0.1 behind the token, keeps its port, and turns off', async () => {
    const desktop = ipcMain.handlers.get('keel:desktop')!;
    const fromApp = { senderFrame: { parent: null, url: 'keel://app/index.html' } };
    expect(await desktop(fromApp, 'mcpServer')).toEqual({ ok: true, value: { enabled: false, url: null, token: null } });
    expect(await desktop(fromApp, 'setMcpServer', 'yes')).toEqual({ ok: false, error: 'On or off (true or false) is needed.' });
    const on = (await desktop(fromApp, 'setMcpServer', true)) as { ok: true; value: { enabled: boolean; url: string; token: string } };
    expect(on.value).toMatchObject({ enabled: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/), token: expect.any(String) });
    expect(on.value.token).toBe(readFileSync(join(core.dataDir, 'server-token'), 'utf8').trim());
    const client = new Client({ name: 'desktop-probe', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(on.value.url), { requestInit: { headers: { authorization: `Bearer ${on.value.token}` } } }));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('search_memory');
    await client.close();
    const unauthorised = await fetch(on.value.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthorised.status).toBe(401);
    expect(stored.get('mcpServer')).toEqual({ enabled: true, port: Number(new URL(on.value.url).port) });

    expect(await desktop(fromApp, 'setMcpServer', false)).toEqual({ ok: true, value: { enabled: false, url: null, token: null } });
    await expect(fetch(on.value.url, { method: 'POST' })).rejects.toThrow();
    expect(stored.get('mcpServer')).toEqual({ enabled: false, port: Number(new URL(on.value.url).port) });
  });

  test('Settings → data folder: the picker, the plan, and a move that closes the core, copies, keeps the choice and relaunches', async () => {
    const desktop = ipcMain.handlers.get('keel:desktop')!;
    const fromApp = { senderFrame: { parent: null, url: 'keel://app/index.html' } };
    const target = join(tempDir({ lifetime: 'file' }), 'moved');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [target] });
    expect(await desktop(fromApp, 'chooseFolder')).toBe(target);
    expect(await desktop(fromApp, 'chooseFolder')).toBeNull(); // cancelled
    expect(await desktop(fromApp, 'planDataFolder', join(core.dataDir, 'db'))).toEqual({ ok: false, error: `The new folder cannot be inside the current data folder ${core.dataDir}.` });
    expect(await desktop(fromApp, 'planDataFolder', target)).toEqual({ ok: true, value: { kind: 'move', from: core.dataDir, to: target } });
    expect(await desktop(fromApp, 'planDataFolder', 42)).toEqual({ ok: false, error: 'A folder path is needed.' });
    expect(await desktop({ senderFrame: { parent: null, url: 'https://example.com/' } }, 'changeDataFolder', target)).toEqual({ ok: false, error: 'This page may not call Keel.' });
    expect(core.close).not.toHaveBeenCalled();

    expect(await desktop(fromApp, 'changeDataFolder', target)).toEqual({ ok: true, value: null });
    expect(core.close).toHaveBeenCalledTimes(1);
    expect(readFileSync(join(target, 'db', 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(stored.get('dataFolder')).toBe(target);
    expect(app.relaunch).toHaveBeenCalledTimes(1);
    expect(app.exit).toHaveBeenLastCalledWith(0);
    expect(app.relaunch.mock.invocationCallOrder[0]).toBeGreaterThan(core.close.mock.invocationCallOrder[0]!);
  });
});

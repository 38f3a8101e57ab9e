import { describe, expect, test, vi } from 'vitest';
import { callNames } from '../../shared/api/contract';
import type { KeelBridge } from '../../shared/api/bridge';
import { IPC_CALL_CHANNEL, IPC_DESKTOP_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/protocol';

vi.mock('electron', () => import('../support/electron-double'));

const { exposed, ipcRenderer, webUtils } = await import('../support/electron-double');
await import('../../preload/index');
const keel = exposed.keel as KeelBridge;

describe('the preload bridge (window.keel)', () => {
  test('exposes one named function per contract call and never ipcRenderer itself', () => {
    for (const name of callNames) {
      const [ns, fn] = name.split('.') as [string, string];
      expect(typeof (keel.api as unknown as Record<string, Record<string, unknown>>)[ns]?.[fn]).toBe('function');
    }
    expect(Object.keys(exposed)).toEqual(['keel']);
    const flat = JSON.stringify(Object.keys(keel));
    expect(flat).not.toContain('ipcRenderer');
    expect(Object.values(keel).includes(ipcRenderer as never)).toBe(false);
  });

  test('named functions invoke the one fenced channel with their call name', async () => {
    ipcRenderer.invoke.mockClear();
    await keel.api.system.ping({ echo: 'hi' });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CALL_CHANNEL, 'system.ping', { echo: 'hi' });
  });

  test('the desktop calls go over their own channel, a path as their only argument', async () => {
    ipcRenderer.invoke.mockClear();
    await keel.desktop!.chooseFolder();
    await keel.desktop!.planDataFolder('/media/op/keel');
    await keel.desktop!.changeDataFolder('/media/op/keel');
    expect(ipcRenderer.invoke.mock.calls).toEqual([
      [IPC_DESKTOP_CHANNEL, 'chooseFolder'],
      [IPC_DESKTOP_CHANNEL, 'planDataFolder', '/media/op/keel'],
      [IPC_DESKTOP_CHANNEL, 'changeDataFolder', '/media/op/keel'],
    ]);
  });

  test('unknown names are answered locally without touching IPC', async () => {
    ipcRenderer.invoke.mockClear();
    expect(await keel.call('system.rm-rf' as never)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(ipcRenderer.invoke).not.toHaveBeenCalled();
    expect(() => keel.on('no.such' as never, () => undefined)).toThrow(/no event named/);
  });

  test('events are delivered by name and can be unsubscribed', () => {
    const got: unknown[] = [];
    const off = keel.on('system.statusChanged', (p) => got.push(p));
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, 'system.statusChanged', { n: 1 });
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, 'other.event', { n: 2 });
    off();
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, 'system.statusChanged', { n: 3 });
    expect(got).toEqual([{ n: 1 }]);
  });

  test('dropped files are handed over as paths through webUtils.getPathForFile', () => {
    expect(keel.files.pathFor({ name: 'invoice.pdf', size: 10 })).toBe('/home/op/invoice.pdf');
    expect(webUtils.getPathForFile).toHaveBeenCalled();
  });
});

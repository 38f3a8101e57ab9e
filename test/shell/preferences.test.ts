import { describe, expect, test, vi } from 'vitest';

/** electron-store needs a running Electron; this stands in with a Map and its defaults. */
const disk = new Map<string, unknown>();
vi.mock('electron-store', () => ({
  default: class {
    constructor(options: { defaults: Record<string, unknown> }) {
      for (const [k, v] of Object.entries(options.defaults)) if (!disk.has(k)) disk.set(k, v);
    }
    get(key: string) {
      return disk.get(key);
    }
    set(key: string, value: unknown) {
      disk.set(key, value);
    }
    has(key: string) {
      return disk.has(key);
    }
    delete(key: string) {
      disk.delete(key);
    }
  },
}));

const { openShellStore } = await import('../../main/shell/preferences');

describe('what electron-store keeps', () => {
  test('bounds, maximized, the data folder and the MCP server switch only; the retired notifications switch is dropped', () => {
    disk.set('windowBounds', { x: 1, y: 2, width: 1000, height: 700 });
    disk.set('notifications', false); // written by earlier versions; the core's preferences own it now
    const store = openShellStore();
    expect(disk.has('notifications')).toBe(false);
    expect(store.windowState()).toEqual({ bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: false });
    store.saveWindowState({ bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true });
    expect(openShellStore().windowState()).toEqual({ bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true });
    expect(store.dataFolder()).toBeNull();
    store.setDataFolder('/media/op/keel');
    expect(openShellStore().dataFolder()).toBe('/media/op/keel');
    expect(store.mcpServer()).toEqual({ enabled: false, port: 0 });
    store.setMcpServer({ enabled: true, port: 43210 });
    expect(openShellStore().mcpServer()).toEqual({ enabled: true, port: 43210 });
    expect([...disk.keys()].sort()).toEqual(['dataFolder', 'maximized', 'mcpServer', 'windowBounds']);
  });
});

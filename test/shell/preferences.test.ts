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
    set(values: Record<string, unknown>) {
      for (const [k, v] of Object.entries(values)) disk.set(k, v);
    }
    has(key: string) {
      return disk.has(key);
    }
    delete(key: string) {
      disk.delete(key);
    }
  },
}));

const { openWindowStateStore } = await import('../../main/shell/preferences');

describe('window state in electron-store', () => {
  test('keeps bounds and maximized only; the retired notifications switch is dropped', () => {
    disk.set('windowBounds', { x: 1, y: 2, width: 1000, height: 700 });
    disk.set('notifications', false); // written by earlier versions; the core's preferences own it now
    const store = openWindowStateStore();
    expect(disk.has('notifications')).toBe(false);
    expect(store.windowState()).toEqual({ bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: false });
    store.saveWindowState({ bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true });
    expect(openWindowStateStore().windowState()).toEqual({ bounds: { x: 5, y: 6, width: 900, height: 600 }, maximized: true });
    expect([...disk.keys()].sort()).toEqual(['maximized', 'windowBounds']);
  });
});

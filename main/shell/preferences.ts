import Store from 'electron-store';
import type { Bounds, WindowState } from './window';

/**
 * What electron-store keeps: the window's place only. Everything the operator chooses
 * (theme, notifications, undo window) lives in the core's preferences API, the same in the
 * desktop app and the browser.
 */
interface StoredWindow {
  windowBounds: Bounds;
  maximized: boolean;
}

const DEFAULT_BOUNDS: Bounds = { width: 1200, height: 800 };

/** Keys earlier versions kept here; removed on open so the file holds one truth. */
const RETIRED_KEYS = ['notifications'];

export interface WindowStateStore {
  windowState(): WindowState;
  saveWindowState(state: WindowState): void;
}

export function openWindowStateStore(): WindowStateStore {
  const store = new Store<StoredWindow>({
    name: 'preferences',
    defaults: { windowBounds: DEFAULT_BOUNDS, maximized: false },
    schema: {
      windowBounds: {
        type: 'object',
        properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number', minimum: 200 }, height: { type: 'number', minimum: 200 } },
        required: ['width', 'height'],
      },
      maximized: { type: 'boolean' },
    },
    clearInvalidConfig: true,
  });
  const untyped = store as unknown as { has(key: string): boolean; delete(key: string): void };
  for (const key of RETIRED_KEYS) if (untyped.has(key)) untyped.delete(key);
  return {
    windowState: () => ({ bounds: store.get('windowBounds'), maximized: store.get('maximized') }),
    saveWindowState: (state) => store.set({ windowBounds: state.bounds, maximized: state.maximized }),
  };
}

import Store from 'electron-store';
import type { Bounds, WindowState } from './window';

/**
 * What electron-store keeps: the window's place, and where the data folder is (it cannot be
 * kept inside the folder it points to). Everything else the operator chooses (theme,
 * notifications, undo window) lives in the core's preferences API, the same in the desktop
 * app and the browser.
 */
interface Stored {
  windowBounds: Bounds;
  maximized: boolean;
  /** The data folder the operator chose; null: Electron's userData. */
  dataFolder: string | null;
  /** Keel's MCP server for other assistants: on or off, and the port it keeps (0: not yet chosen). */
  mcpServer: { enabled: boolean; port: number };
}

const DEFAULT_BOUNDS: Bounds = { width: 1200, height: 800 };

/** Keys earlier versions kept here; removed on open so the file holds one truth. */
const RETIRED_KEYS = ['notifications'];

export interface ShellStore {
  windowState(): WindowState;
  saveWindowState(state: WindowState): void;
  dataFolder(): string | null;
  setDataFolder(path: string | null): void;
  mcpServer(): { enabled: boolean; port: number };
  setMcpServer(value: { enabled: boolean; port: number }): void;
}

export function openShellStore(): ShellStore {
  const store = new Store<Stored>({
    name: 'preferences',
    defaults: { windowBounds: DEFAULT_BOUNDS, maximized: false, dataFolder: null, mcpServer: { enabled: false, port: 0 } },
    schema: {
      windowBounds: {
        type: 'object',
        properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number', minimum: 200 }, height: { type: 'number', minimum: 200 } },
        required: ['width', 'height'],
      },
      maximized: { type: 'boolean' },
      dataFolder: { type: ['string', 'null'] },
      mcpServer: {
        type: 'object',
        properties: { enabled: { type: 'boolean' }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
        required: ['enabled', 'port'],
      },
    },
    clearInvalidConfig: true,
  });
  const untyped = store as unknown as { has(key: string): boolean; delete(key: string): void };
  for (const key of RETIRED_KEYS) if (untyped.has(key)) untyped.delete(key);
  return {
    windowState: () => ({ bounds: store.get('windowBounds'), maximized: store.get('maximized') }),
    saveWindowState: (state) => {
      store.set('windowBounds', state.bounds);
      store.set('maximized', state.maximized);
    },
    dataFolder: () => store.get('dataFolder') ?? null,
    setDataFolder: (path) => store.set('dataFolder', path),
    mcpServer: () => store.get('mcpServer') ?? { enabled: false, port: 0 },
    setMcpServer: (value) => store.set('mcpServer', value),
  };
}

import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/**
 * A test double for the `electron` module: just enough of its surface for the shell and the
 * preload, recording what they ask for so tests can assert window security and IPC wiring.
 */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  sent: unknown[][] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  executeJavaScript = vi.fn(async (_code: string) => undefined);
  /** Emits an Electron-style event and says whether the listener prevented it. */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  static getAllWindows = () => BrowserWindow.created;
  webContents = new FakeWebContents();
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  isDestroyed = () => false;
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn();
  maximize = vi.fn();
  minimized = false;
  isMinimized = () => this.minimized;
  isMaximized = vi.fn(() => false);
  getNormalBounds = vi.fn(() => ({ x: 10, y: 20, width: 900, height: 650 }));
  loadFile = vi.fn(async (_path: string) => undefined);
  loadURL = vi.fn(async (_url: string) => undefined);
}

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
type PermissionHandler = (wc: unknown, permission: string, cb: (granted: boolean) => void) => void;
interface FakeSession {
  headersListener: HeadersListener | null;
  permissionHandler: PermissionHandler | null;
  permissionCheck: (() => boolean) | null;
  webRequest: { onHeadersReceived(listener: HeadersListener): void };
  setPermissionRequestHandler(handler: PermissionHandler): void;
  setPermissionCheckHandler(handler: () => boolean): void;
}
export const fakeSession: FakeSession = {
  headersListener: null,
  permissionHandler: null,
  permissionCheck: null,
  webRequest: {
    onHeadersReceived(listener) {
      fakeSession.headersListener = listener;
    },
  },
  setPermissionRequestHandler(handler) {
    fakeSession.permissionHandler = handler;
  },
  setPermissionCheckHandler(handler) {
    fakeSession.permissionCheck = handler;
  },
};
export const session = { defaultSession: fakeSession };

export const ipcMain = {
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  handle(channel: string, fn: (...args: unknown[]) => unknown) {
    ipcMain.handlers.set(channel, fn);
  },
  removeHandler(channel: string) {
    ipcMain.handlers.delete(channel);
  },
};

export const exposed: Record<string, unknown> = {};
export const contextBridge = {
  exposeInMainWorld: (key: string, api: unknown) => {
    exposed[key] = api;
  },
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, output: { pong: true } })),
});

export const webUtils = { getPathForFile: vi.fn((file: { name: string }) => `/home/op/${file.name}`) };

export const Notification = Object.assign(
  vi.fn(function (this: EventEmitter & { show: () => void }, _opts: unknown) {
    EventEmitter.call(this);
    this.show = vi.fn();
  }),
  { isSupported: vi.fn(() => true) },
);
Object.setPrototypeOf(Notification.prototype, EventEmitter.prototype);

export const Menu = { buildFromTemplate: vi.fn((template: unknown) => ({ template })) };
export const nativeImage = { createFromPath: vi.fn((p: string) => ({ path: p })) };
export class Tray extends EventEmitter {
  menu: unknown = null;
  setToolTip = vi.fn();
  setTitle = vi.fn();
  setContextMenu(menu: unknown) {
    this.menu = menu;
  }
}

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
  handle: vi.fn((scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>) => {
    protocol.handlers.set(scheme, handler);
  }),
};

export const app = {
  getAppPath: vi.fn(() => '/app'),
  getPath: vi.fn(() => '/tmp/keel-user-data'),
  requestSingleInstanceLock: vi.fn(() => true),
  on: vi.fn(),
  whenReady: vi.fn(async () => undefined),
  quit: vi.fn(),
  exit: vi.fn(),
  relaunch: vi.fn(),
};
export const dialog = {
  showErrorBox: vi.fn(),
  showMessageBoxSync: vi.fn((_options: unknown) => 0),
  showOpenDialog: vi.fn(async (_options: unknown): Promise<{ canceled: boolean; filePaths: string[] }> => ({ canceled: true, filePaths: [] })),
};
export default { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, nativeImage, Notification, protocol, session, shell, Tray, webUtils };

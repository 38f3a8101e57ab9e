import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { join } from 'node:path';
import { DataFolderLockedError } from '../core/data-folder/lock';
import { Core } from '../core/host/core';
import { APP_SCHEME, appProtocolHandler, appScheme } from './app-protocol';
import { InboxWatch, inboxRoute } from './inbox-watch';
import { registerApiIpc } from './ipc';
import { keychainDataKey } from './keychain';
import { notifyEscalation, showInboxNotice } from './notifications';
import { openWindowStateStore, type WindowStateStore } from './preferences';
import { createTray } from './tray';
import { createMainWindow, installSessionPolicy, revealWindow, windowStateOf } from './window';

/**
 * The Electron entry: wiring only. Everything Keel does lives in main/core and runs the
 * same in the headless server; what the shell adds is tested in Node (test/shell/).
 */
const root = app.getAppPath();
const rendererDir = join(root, 'out', 'renderer');
const preload = join(root, 'out', 'preload', 'index.cjs');
const trayIcon = join(root, 'resources', 'tray.png');

// Privileges can only be granted before `ready`.
protocol.registerSchemesAsPrivileged([appScheme]);

let win: BrowserWindow | null = null;
let core: Core | null = null;
let windowStore: WindowStateStore | null = null;
let quitting = false;

/** Shows the window, at a renderer route (`#/inbox/<id>`) when given; opens it if it was closed. */
function showWindow(route?: string): void {
  if (win && !win.isDestroyed()) return revealWindow(win, route);
  windowStore ??= openWindowStateStore();
  const store = windowStore;
  const created = createMainWindow(preload, store.windowState(), route);
  created.on('close', () => store.saveWindowState(windowStateOf(created)));
  win = created;
}

function startCore(): Core | null {
  try {
    // KEEL_DATA lets tests and power users point the app at another data folder.
    const dataDir = process.env.KEEL_DATA ?? app.getPath('userData');
    return Core.start({ dataDir, mode: 'desktop', secretKey: keychainDataKey(dataDir) ?? undefined });
  } catch (err) {
    const message = err instanceof DataFolderLockedError ? err.message : `Keel could not start: ${(err as Error).message}`;
    dialog.showErrorBox('Keel', message);
    app.exit(1);
    return null;
  }
}

function start(): void {
  core = startCore();
  if (!core) return;
  const started = core;
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
  installSessionPolicy(session.defaultSession);
  registerApiIpc(ipcMain, started, () => BrowserWindow.getAllWindows());
  const tray = createTray(trayIcon, {
    open: () => showWindow(),
    openInbox: () => showWindow(inboxRoute()),
    setPaused: (paused) => void started.setAgentsPaused(paused),
    quit: () => app.quit(),
  });
  started.subscribe((event, payload) => {
    if (event === 'system.statusChanged') tray.setPaused((payload as { agentsPaused: boolean }).agentsPaused);
  });
  const watch = new InboxWatch(started, {
    setWaiting: (count) => tray.setWaiting(count),
    notify: (notice) => showInboxNotice(notice, showWindow),
  });
  started.ready.then(
    () => watch.start(),
    (err: Error) => notifyEscalation({ title: 'Keel cannot open its database', body: err.message }, () => showWindow()),
  );
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  // Keel keeps running in the tray when its window closes; Quit is in the tray menu.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.close().finally(() => app.quit());
  });
  void app.whenReady().then(start);
}

import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataFolderLockedError } from '../core/data-folder/lock';
import { Core } from '../core/host/core';
import { registerApiIpc } from './ipc';
import { keychainDataKey } from './keychain';
import { noticeFor, notifyEscalation } from './notifications';
import { openPreferences } from './preferences';
import { createTray } from './tray';
import { createMainWindow, installSessionPolicy } from './window';

/**
 * The Electron entry: wiring only. Everything Keel does lives in main/core and runs the
 * same in the headless server.
 */
const root = app.getAppPath();
const rendererFile = join(root, 'out', 'renderer', 'index.html');
const appUrl = pathToFileURL(rendererFile).href;
const preload = join(root, 'out', 'preload', 'index.cjs');
const trayIcon = join(root, 'resources', 'tray.png');

let win: BrowserWindow | null = null;
let core: Core | null = null;
let prefs: ReturnType<typeof openPreferences> | null = null;
let quitting = false;

function showWindow(): void {
  prefs ??= openPreferences();
  const store = prefs;
  if (!win || win.isDestroyed()) {
    win = createMainWindow(preload, store.bounds(), appUrl);
    win.on('close', () => win && store.saveBounds(win.getBounds()));
    void win.loadFile(rendererFile);
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function start(): Promise<void> {
  try {
    // KEEL_DATA lets tests and power users point the app at another data folder.
    const dataDir = process.env.KEEL_DATA ?? app.getPath('userData');
    core = Core.start({ dataDir, mode: 'desktop', secretKey: keychainDataKey(dataDir) ?? undefined });
  } catch (err) {
    const message = err instanceof DataFolderLockedError ? err.message : `Keel could not start: ${(err as Error).message}`;
    dialog.showErrorBox('Keel', message);
    app.exit(1);
    return;
  }
  const started = core;
  installSessionPolicy(session.defaultSession);
  registerApiIpc(ipcMain, started, appUrl, () => BrowserWindow.getAllWindows());
  const tray = createTray(trayIcon, {
    open: showWindow,
    setPaused: (paused) => started.setAgentsPaused(paused),
    quit: () => app.quit(),
  });
  prefs ??= openPreferences();
  const store = prefs;
  started.subscribe((event, payload) => {
    if (event === 'system.statusChanged') tray.refresh((payload as { agentsPaused: boolean }).agentsPaused);
    const notice = store.notificationsEnabled() ? noticeFor(event, payload) : null;
    if (notice) notifyEscalation(notice, showWindow);
  });
  started.ready.catch((err: Error) => notifyEscalation({ title: 'Keel cannot open its database', body: err.message }, showWindow));
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
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

import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { join } from 'node:path';
import type { DesktopBridge, DesktopResult } from '../../shared/api/bridge';
import { DataFolderLockedError } from '../core/data-folder/lock';
import { Core } from '../core/host/core';
import { APP_SCHEME, appProtocolHandler, appScheme } from './app-protocol';
import { InboxWatch, inboxRoute } from './inbox-watch';
import { copyDataFolder, dataFolderAtStart, planDataFolderChange } from './data-folder';
import { registerApiIpc, registerDesktopIpc } from './ipc';
import { keychainDataKey } from './keychain';
import { notifyEscalation, showInboxNotice } from './notifications';
import { openShellStore, type ShellStore } from './preferences';
import { DesktopMcpEndpoint } from './mcp-endpoint';
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
let shellStore: ShellStore | null = null;
let quitting = false;

/** electron-store needs the app ready: opened on first use. */
const store = (): ShellStore => (shellStore ??= openShellStore());
const mcpEndpoint = new DesktopMcpEndpoint({ core: () => core, store });

/** Shows the window, at a renderer route (`#/inbox/<id>`) when given; opens it if it was closed. */
function showWindow(route?: string): void {
  if (win && !win.isDestroyed()) return revealWindow(win, route);
  const created = createMainWindow(preload, store().windowState(), route);
  created.on('close', () => store().saveWindowState(windowStateOf(created)));
  win = created;
}

/** The data folder to open; null when the operator would rather quit than use the default. */
function chooseDataDirAtStart(): string | null {
  // KEEL_DATA lets tests and power users point the app at another data folder.
  const { dataDir, missing } = dataFolderAtStart({ env: process.env.KEEL_DATA, chosen: store().dataFolder(), userData: app.getPath('userData') });
  if (!missing) return dataDir;
  const answer = dialog.showMessageBoxSync({
    type: 'warning',
    message: `Keel's data folder ${missing} is not there.`,
    detail: 'If it is on a drive that is not plugged in, quit, plug it in and start Keel again. Or use the default folder (your data in the missing folder is not touched).',
    buttons: ['Quit', 'Use the default folder'],
    defaultId: 0,
    cancelId: 0,
  });
  if (answer !== 1) return null;
  store().setDataFolder(null);
  return dataDir;
}

const refusal = (err: unknown): { ok: false; error: string } => ({ ok: false, error: (err as Error).message });

/** Closes the core, copies the data when moving, records the choice and restarts Keel on it. */
async function changeDataFolder(path: string): Promise<DesktopResult<null>> {
  if (!core) return { ok: false, error: 'Keel is not running.' };
  if (process.env.KEEL_DATA) return { ok: false, error: `Keel was started with KEEL_DATA=${process.env.KEEL_DATA}, which decides the folder; start it without to choose here.` };
  let plan;
  try {
    plan = planDataFolderChange(core.dataDir, path);
  } catch (err) {
    return refusal(err);
  }
  quitting = true;
  try {
    // Copied only once closed: a database still being written would be copied half-way.
    await mcpEndpoint.close();
    await core.close();
    if (plan.kind === 'move') await copyDataFolder(plan.from, plan.to);
    store().setDataFolder(plan.to);
  } catch (err) {
    dialog.showErrorBox('Keel', (err as Error).message);
  }
  app.relaunch();
  app.exit(0);
  return { ok: true, value: null };
}

const desktop: DesktopBridge = {
  async chooseFolder() {
    const picked = await dialog.showOpenDialog({ properties: ['openDirectory', 'createDirectory'] });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  },
  async planDataFolder(path) {
    if (!core) return { ok: false, error: 'Keel is not running.' };
    try {
      return { ok: true, value: planDataFolderChange(core.dataDir, path) };
    } catch (err) {
      return refusal(err);
    }
  },
  changeDataFolder,
  mcpServer: () => mcpEndpoint.state(),
  setMcpServer: (enabled) => mcpEndpoint.set(enabled),
};

function startCore(): Core | null {
  try {
    const dataDir = chooseDataDirAtStart();
    if (!dataDir) {
      app.exit(0);
      return null;
    }
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
  registerDesktopIpc(ipcMain, desktop);
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
    () => {
      watch.start();
      void mcpEndpoint.restore();
    },
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
    void mcpEndpoint
      .close()
      .then(() => core!.close())
      .finally(() => app.quit());
  });
  void app.whenReady().then(start);
}

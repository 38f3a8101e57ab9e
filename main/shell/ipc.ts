import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import type { DesktopAction, DesktopBridge } from '../../shared/api/bridge';
import type { ApiResult } from '../../shared/api/errors';
import { IPC_CALL_CHANNEL, IPC_DESKTOP_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/api/protocol';
import type { Core } from '../core/host/core';
import { isAppUrl } from './window';

/**
 * Only the app's own top-level document, keel://app/index.html, may call the API: not an
 * iframe, not a page the window was somehow navigated to, not another keel:// path.
 */
export function isTrustedSender(frame: WebFrameMain | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/**
 * The API over Electron IPC, derived from the contract through `core.call`: one channel,
 * every sender checked, every input validated by the core, every answer an envelope.
 */
export function registerApiIpc(ipcMain: IpcMain, core: Core, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<ApiResult> => {
    if (!isTrustedSender(event.senderFrame)) {
      return { ok: false, error: { code: 'unauthorized', message: 'This page may not call Keel.' } };
    }
    return core.call(method, input);
  });
  const unsubscribe = core.subscribe((event, payload) => {
    for (const win of windows()) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
    unsubscribe();
  };
}

const DESKTOP_ACTIONS: DesktopAction[] = ['chooseFolder', 'planDataFolder', 'changeDataFolder', 'mcpServer', 'setMcpServer'];

/**
 * The desktop-only calls (the folder picker, moving the data folder) on their own channel,
 * with the same sender check. A path must be a string; the handlers check the rest.
 */
export function registerDesktopIpc(ipcMain: IpcMain, desktop: DesktopBridge): () => void {
  ipcMain.handle(IPC_DESKTOP_CHANNEL, async (event: IpcMainInvokeEvent, action: unknown, path: unknown) => {
    if (!isTrustedSender(event.senderFrame)) return { ok: false, error: 'This page may not call Keel.' };
    if (!DESKTOP_ACTIONS.includes(action as DesktopAction)) return { ok: false, error: `There is no desktop call named ${String(action)}.` };
    if (action === 'chooseFolder') return desktop.chooseFolder();
    if (action === 'mcpServer') return desktop.mcpServer();
    if (action === 'setMcpServer') return typeof path === 'boolean' ? desktop.setMcpServer(path) : { ok: false, error: 'On or off (true or false) is needed.' };
    if (typeof path !== 'string' || path === '') return { ok: false, error: 'A folder path is needed.' };
    return action === 'planDataFolder' ? desktop.planDataFolder(path) : desktop.changeDataFolder(path);
  });
  return () => ipcMain.removeHandler(IPC_DESKTOP_CHANNEL);
}

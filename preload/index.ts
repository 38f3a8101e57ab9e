import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { callNames, isCallName, isEventName, splitCallName, type CallName, type EventName } from '../shared/api/contract';
import type { ApiResult } from '../shared/api/errors';
import type { BridgeApi, DesktopBridge, DroppedFile, KeelBridge } from '../shared/api/bridge';
import { IPC_CALL_CHANNEL, IPC_DESKTOP_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/api/protocol';

/**
 * The preload exposes one small object, `window.keel`, derived from the contract: named
 * functions only, never ipcRenderer itself. Main validates every input again; these checks
 * only catch a wrong name early.
 */
function invoke(method: CallName, input?: unknown): Promise<ApiResult> {
  if (!isCallName(method)) {
    return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: `There is no API call named ${String(method)}.` } });
  }
  return ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input) as Promise<ApiResult>;
}

const api: Record<string, Record<string, (input?: unknown) => Promise<ApiResult>>> = {};
for (const name of callNames) {
  const [ns, fn] = splitCallName(name);
  (api[ns] ??= {})[fn] = (input?: unknown) => invoke(name, input);
}

const desktop: DesktopBridge = {
  chooseFolder: () => ipcRenderer.invoke(IPC_DESKTOP_CHANNEL, 'chooseFolder'),
  planDataFolder: (path) => ipcRenderer.invoke(IPC_DESKTOP_CHANNEL, 'planDataFolder', path),
  changeDataFolder: (path) => ipcRenderer.invoke(IPC_DESKTOP_CHANNEL, 'changeDataFolder', path),
  mcpServer: () => ipcRenderer.invoke(IPC_DESKTOP_CHANNEL, 'mcpServer'),
  setMcpServer: (enabled) => ipcRenderer.invoke(IPC_DESKTOP_CHANNEL, 'setMcpServer', enabled),
};

const bridge: KeelBridge = {
  api: api as unknown as BridgeApi,
  call: invoke,
  on(event: EventName, listener: (payload: never) => void) {
    if (!isEventName(event)) throw new TypeError(`There is no event named ${String(event)}.`);
    const wrapped = (_e: unknown, name: unknown, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => void ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
  },
  files: {
    pathFor: (file: DroppedFile) => webUtils.getPathForFile(file as File),
  },
  desktop,
};

contextBridge.exposeInMainWorld('keel', bridge);

import { eventNames, type EventName } from '../../../shared/api/contract';
import type { KeelBridge } from '../../../shared/api/bridge';
import type { ConnectionState, Transport } from './transport';

/** Electron: the preload's bridge. Always connected while the window lives. */
export function ipcTransport(bridge: KeelBridge): Transport {
  return {
    kind: 'ipc',
    call: (method, input) => bridge.call(method, input),
    onEvent(listener) {
      const offs = eventNames.map((event: EventName) => bridge.on(event, (payload) => listener(event, payload)));
      return () => offs.forEach((off) => off());
    },
    onConnection(listener: (state: ConnectionState) => void) {
      listener('connected');
      return () => undefined;
    },
    close: () => undefined,
  };
}

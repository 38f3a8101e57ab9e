import type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/api/contract';
import { ApiError } from '../../../shared/api/errors';
import type { DesktopBridge, KeelBridge } from '../../../shared/api/bridge';
import { ipcTransport } from './ipc-transport';
import type { ConnectionState, Transport } from './transport';
import { wsTransport } from './ws-transport';

export type { ConnectionState };

declare global {
  interface Window {
    keel?: KeelBridge;
  }
}

/**
 * The renderer's one way to the core. Typed from the contract; failed calls throw `ApiError`
 * with the typed code. Picks Electron IPC when the preload's bridge exists, the headless
 * server's WebSocket otherwise.
 */
export interface KeelClient {
  readonly transport: Transport['kind'];
  call<N extends CallName>(method: N, input?: CallInput<N>): Promise<CallOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Absolute path of a dropped file (desktop only; null in a browser, which hides paths). */
  pathForDroppedFile(file: File): string | null;
  /** The desktop app's own calls (folder picker, moving the data folder); null in a browser. */
  readonly desktop: DesktopBridge | null;
}

export function createKeelClient(transport: Transport, bridge?: KeelBridge): KeelClient {
  return {
    transport: transport.kind,
    async call(method, input) {
      const result = await transport.call(method, input ?? {});
      if (!result.ok) throw new ApiError(result.error);
      return result.output as never;
    },
    on(event, listener) {
      return transport.onEvent((name, payload) => {
        if (name === event) listener(payload as never);
      });
    },
    onConnection: (listener) => transport.onConnection(listener),
    pathForDroppedFile: (file) => (bridge ? bridge.files.pathFor(file) : null),
    desktop: bridge?.desktop ?? null,
  };
}

function defaultTransport(): { transport: Transport; bridge?: KeelBridge } {
  if (window.keel) return { transport: ipcTransport(window.keel), bridge: window.keel };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return { transport: wsTransport(`${scheme}://${location.host}/api`) };
}

let client: KeelClient | null = null;

export function keelClient(): KeelClient {
  if (!client) {
    const { transport, bridge } = defaultTransport();
    client = createKeelClient(transport, bridge);
  }
  return client;
}

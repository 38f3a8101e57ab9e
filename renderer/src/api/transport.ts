import type { CallName, EventName } from '../../../shared/api/contract';
import type { ApiResult } from '../../../shared/api/errors';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** How the client reaches the core: Electron IPC (`window.keel`) or the headless server's WebSocket. */
export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  call(method: CallName, input: unknown): Promise<ApiResult>;
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

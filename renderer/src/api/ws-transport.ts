import { isEventName, type EventName } from '../../../shared/api/contract';
import type { ApiResult } from '../../../shared/api/errors';
import { ServerMessage } from '../../../shared/api/protocol';
import type { ConnectionState, Transport } from './transport';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * The headless server's WebSocket, reconnecting by itself with capped exponential backoff.
 * Calls made while the socket is down fail at once with `unavailable` (the UI shows the
 * reconnecting state); calls in flight when it drops fail the same way.
 */
export function wsTransport(url: string): Transport {
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let closed = false;
  let nextId = 1;
  const pending = new Map<number, (result: ApiResult) => void>();
  const eventListeners = new Set<(event: EventName, payload: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState) => {
    state = next;
    stateListeners.forEach((listener) => listener(next));
  };

  const failPending = (message: string) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'unavailable', message } });
    pending.clear();
  };

  const onMessage = (raw: string) => {
    let parsed;
    try {
      parsed = ServerMessage.safeParse(JSON.parse(raw));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      console.error('Keel: ignored a malformed message from the server', raw.slice(0, 200));
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'event') {
      if (isEventName(msg.event)) eventListeners.forEach((listener) => listener(msg.event as EventName, msg.payload));
      return;
    }
    if (typeof msg.id !== 'number') return;
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve?.(msg.ok ? { ok: true, output: msg.output } : { ok: false, error: msg.error });
  };

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('connected');
    };
    ws.onmessage = (e) => typeof e.data === 'string' && onMessage(e.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending('The connection to Keel dropped; reconnecting.');
      if (closed) return;
      setState('reconnecting');
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt++) * (0.75 + Math.random() * 0.5);
      setTimeout(connect, delay);
    };
  };
  connect();

  return {
    kind: 'websocket',
    call(method, input) {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'Not connected to Keel; reconnecting.' } });
      }
      const id = nextId++;
      const sent = socket;
      return new Promise<ApiResult>((resolve) => {
        pending.set(id, resolve);
        sent.send(JSON.stringify({ type: 'call', id, method, input }));
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}

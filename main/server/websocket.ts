import { WebSocketServer, type WebSocket } from 'ws';
import { ClientMessage, MAX_MESSAGE_BYTES, type ServerMessage } from '../../shared/api/protocol';
import type { ApiResult } from '../../shared/api/errors';
import type { Core } from '../core/host/core';

/** Sockets that stop answering pings are dropped after this long. */
const HEARTBEAT_MS = 30_000;

function send(socket: WebSocket, msg: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
}

function badMessage(id: string | number | null, message: string): ServerMessage {
  return { type: 'result', id, ok: false, error: { code: 'bad_message', message } };
}

/** Parses one frame into a call, or says precisely why it is not one. */
function parseFrame(data: Buffer, isBinary: boolean): { ok: true; call: ClientMessage } | { ok: false; reply: ServerMessage } {
  if (isBinary) return { ok: false, reply: badMessage(null, 'Binary frames are not calls; send JSON text.') };
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch (err) {
    const why = err instanceof RangeError ? 'it nests too deeply' : 'it is not valid JSON';
    return { ok: false, reply: badMessage(null, `The message was ignored: ${why}.`) };
  }
  const parsed = ClientMessage.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? (raw as { id: unknown }).id : null;
    const safeId = typeof id === 'number' || (typeof id === 'string' && id.length <= 64) ? id : null;
    return { ok: false, reply: badMessage(safeId, 'A call is {"type":"call","id":<number|string>,"method":"ns.name","input":{...}}.') };
  }
  return { ok: true, call: parsed.data };
}

/**
 * The API over WebSocket: one JSON call per frame, answered with the same id; core events are
 * pushed to every socket. Malformed frames get a `bad_message` answer and the socket stays open.
 */
export function createApiSocketServer(core: Core): { wss: WebSocketServer; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const alive = new WeakSet<WebSocket>();

  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('message', (data: Buffer, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame.ok) return send(socket, frame.reply);
      const { id, method, input } = frame.call;
      void core.call(method, input).then((result: ApiResult) => send(socket, { type: 'result', id, ...result }));
    });
    socket.on('error', () => socket.terminate());
  });

  const unsubscribe = core.subscribe((event, payload) => {
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies ServerMessage);
    for (const socket of wss.clients) if (socket.readyState === socket.OPEN) socket.send(frame);
  });

  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) socket.terminate();
      else {
        alive.delete(socket);
        socket.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    wss,
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const socket of wss.clients) socket.close(1001, 'Keel is shutting down');
      wss.close();
    },
  };
}

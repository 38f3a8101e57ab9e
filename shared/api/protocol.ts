import { z } from 'zod';
import { ApiErrorBody } from './errors';

/**
 * The wire envelope for message transports (the WebSocket, and the core's worker thread).
 * Electron IPC carries the same `ApiResult` through `ipcRenderer.invoke`.
 */
export const CallId = z.union([z.number().int(), z.string().max(64)]);

export const ClientMessage = z.object({
  type: z.literal('call'),
  id: CallId,
  method: z.unknown(), // validated against the contract separately, for a precise error
  input: z.unknown().optional(),
});
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.union([
  z.object({ type: z.literal('result'), id: CallId.nullable(), ok: z.literal(true), output: z.unknown() }),
  z.object({ type: z.literal('result'), id: CallId.nullable(), ok: z.literal(false), error: ApiErrorBody }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Largest WebSocket frame the server reads; larger frames close the socket with 1009. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Names used on the Electron IPC channels (prefixed, as VS Code does, to fence raw IPC). */
export const IPC_CALL_CHANNEL = 'keel:call';
export const IPC_EVENT_CHANNEL = 'keel:event';
/** The desktop-only calls (DesktopBridge), outside the core's API. */
export const IPC_DESKTOP_CHANNEL = 'keel:desktop';

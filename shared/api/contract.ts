import { z } from 'zod';
import { SystemStatus } from '../domain/system';
import { agentsCalls, agentsEvents } from './agents-calls';
import { appsCalls, appsEvents } from './apps-calls';
import { mcpCalls, mcpEvents } from './mcp-calls';
import { calendarCalls, calendarEvents } from './calendar-calls';
import { imapCalls, imapEvents } from './imap-calls';
import { inboxCalls, inboxEvents } from './inbox-calls';
import { insightsCalls } from './insights-calls';
import { kernelCalls, kernelEvents } from './kernel-calls';
import { memoryCalls, memoryEvents } from './memory-calls';
import { timelineCalls } from './timeline-calls';

/**
 * The one API contract. Every call and every pushed event is declared here with its
 * schemas; the IPC handlers, the preload bridge, the WebSocket server and the renderer
 * client are all derived from these two objects. Add a call here and nowhere else.
 */

const defineCall = <I extends z.ZodType, O extends z.ZodType>(def: {
  summary: string;
  input: I;
  output: O;
}) => def;

const defineEvent = <P extends z.ZodType>(def: { summary: string; payload: P }) => def;

/** Calls take an object; an omitted input means `{}` (so `keel.system.status()` works). */
const NoInput = z.strictObject({});

export const calls = {
  'system.ping': defineCall({
    summary: 'Liveness check; echoes an optional string back.',
    input: z.strictObject({ echo: z.string().max(1024).optional() }),
    output: z.object({ pong: z.literal(true), echo: z.string().optional(), serverTime: z.string() }),
  }),
  'system.status': defineCall({
    summary: 'App and schema versions, data folder, database and embedding model state.',
    input: NoInput,
    output: SystemStatus,
  }),
  ...kernelCalls,
  ...memoryCalls,
  ...agentsCalls,
  ...timelineCalls,
  ...inboxCalls,
  ...insightsCalls,
  ...calendarCalls,
  ...appsCalls,
  ...mcpCalls,
  ...imapCalls,
} as const;

export const events = {
  'system.statusChanged': defineEvent({
    summary: 'The system status changed (database opened or failed, agents paused, ...).',
    payload: SystemStatus,
  }),
  ...kernelEvents,
  ...memoryEvents,
  ...agentsEvents,
  ...inboxEvents,
  ...calendarEvents,
  ...appsEvents,
  ...mcpEvents,
  ...imapEvents,
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]['payload']>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** `'system.ping'` → `['system', 'ping']`: the preload and the client group calls by namespace. */
export function splitCallName(name: CallName): [namespace: string, fn: string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol, standing in
 * for Ollama, LM Studio, llama.cpp's server or OpenAI itself. It serves
 *
 *   POST /v1/chat/completions   JSON, or SSE when `stream: true` (role chunk, content chunks,
 *                               a finish chunk, a usage chunk when
 *                               `stream_options.include_usage`, then `data: [DONE]`)
 *   GET  /v1/models             the model list
 *
 * What each completion answers is decided by `reply(body, index)` (a `Reply`, or undefined
 * for the default). The default is deterministic: the echo `echo: <last user message>`, or,
 * when the request carries a JSON Schema (in `response_format.json_schema`, or embedded in a
 * system message as the provider does in `json_object`/`none` modes), the smallest JSON
 * value that satisfies it; `{}` when only `json_object` was asked. Nothing sleeps except an
 * explicit `delayMs`; stalled responses and pending delays are ended by `close()`.
 */

export interface ReplyUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

export interface ReplyToolCall {
  id?: string;
  name: string;
  /** A string is sent as is; anything else is JSON-encoded. */
  arguments: unknown;
}

interface WithDelay {
  /** Wait this long before answering (the only sleep the server ever does). */
  delayMs?: number;
}

export type Reply =
  /** `usage: null` leaves usage out (as some local servers do); absent, it is derived from lengths. */
  | (WithDelay & { content: string; usage?: ReplyUsage | null; finishReason?: 'stop' | 'length' })
  | (WithDelay & { toolCalls: ReplyToolCall[] })
  /** An HTTP error, e.g. `{ status: 429, headers: { 'retry-after': '1' } }`; body defaults to an OpenAI error object. */
  | (WithDelay & { status: number; headers?: Record<string, string>; body?: string })
  /** Sends the headers and (when streaming) one content chunk, then nothing until the client gives up or close(). */
  | (WithDelay & { stall: true })
  /** Ends the response mid-way without finish_reason or [DONE]; 'reset' destroys the socket instead of ending cleanly. */
  | (WithDelay & { truncate: true | 'reset' })
  /** A body (or an SSE event's data) that is not JSON. */
  | (WithDelay & { malformed: true })
  /** The default reply, after a delay. */
  | { delayMs: number };

/**
 * Decides a completion's answer. `requestIndex` counts, from 0, the completions this function
 * was asked about (requests refused for their key or response_format never reach it).
 */
export type ReplyFn = (body: ChatRequestBody, requestIndex: number) => Reply | undefined | Promise<Reply | undefined>;

/**
 * `no-json-schema` refuses `response_format: json_schema` with a 400 (like some llama.cpp and
 * LM Studio builds); `no-response-format` refuses any `response_format`.
 */
export type Flavour = 'full' | 'no-json-schema' | 'no-response-format';

export interface OpenAiServerOptions {
  flavour?: Flavour;
  /** When set, requests must carry `Authorization: Bearer <requireKey>`, else 401. */
  requireKey?: string;
  reply?: ReplyFn;
  /** What GET /v1/models lists. */
  models?: string[];
}

/** The parts of a chat-completions request body the server looks at (the rest is kept too). */
export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } };
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON when the body was JSON, else the raw text (or null when empty). */
  body: ChatRequestBody | string | null;
  /** `performance.now()` when the request arrived: compare with the client's own clock. */
  receivedAt: number;
}

export interface OpenAiServer {
  /** Base URL ending in /v1, as given to an OpenAI client. */
  url: string;
  requests: RecordedRequest[];
  /** Only the POST /v1/chat/completions bodies, in order. */
  completionBodies(): ChatRequestBody[];
  /** Replaces the reply function; `requestIndex` counts completions from 0 again. */
  setReply(fn: ReplyFn | undefined): void;
  close(): Promise<void>;
}

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const state = { reply: options.reply, index: 0 };
  const requests: RecordedRequest[] = [];
  const delays = new Set<PendingDelay>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A handler bug must show up in the test, not hang it.
      if (!res.headersSent) sendJson(res, 500, { error: { message: `test server: ${String(err)}` } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const raw = await readBody(req);
    const body = parseBody(raw);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt });
    if (options.requireKey !== undefined && req.headers.authorization !== `Bearer ${options.requireKey}`) {
      return sendJson(res, 401, errorBody('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'));
    }
    if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList(options.models));
    if (req.method === 'POST' && path === '/v1/chat/completions') return completion(body, res);
    sendJson(res, 404, errorBody(`no route ${req.method} ${path}`, 'invalid_request_error', 'not_found'));
  }

  async function completion(body: ChatRequestBody | string | null, res: ServerResponse): Promise<void> {
    if (typeof body !== 'object' || body === null) {
      return sendJson(res, 400, errorBody('request body is not JSON', 'invalid_request_error'));
    }
    const refusal = refuseFormat(options.flavour ?? 'full', body);
    if (refusal) return sendJson(res, 400, errorBody(refusal, 'invalid_request_error'));
    const reply = (await state.reply?.(body, state.index++)) ?? { delayMs: 0 };
    if (reply.delayMs) await delay(reply.delayMs, delays);
    if (res.destroyed) return;
    answer(reply, body, res);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    completionBodies: () =>
      requests.filter((r) => r.path === '/v1/chat/completions' && typeof r.body === 'object' && r.body !== null).map((r) => r.body as ChatRequestBody),
    setReply(fn) {
      state.reply = fn;
      state.index = 0;
    },
    async close() {
      // Stalled responses and keep-alive sockets would otherwise keep close() waiting forever.
      server.closeAllConnections();
      // Pending delays end now; their handlers find the response destroyed and stop.
      for (const d of delays) d.finish();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A reply function that answers the given replies in order, then the default. */
export function replySequence(...replies: Reply[]): ReplyFn {
  return (_body, index) => replies[index];
}

// ---------------------------------------------------------------------------------------------
// Answering

function answer(reply: Reply, body: ChatRequestBody, res: ServerResponse): void {
  if ('status' in reply) return sendRaw(res, reply.status, reply.headers, reply.body ?? JSON.stringify(errorBody(`error ${reply.status}`, 'server_error')));
  if ('malformed' in reply) return body.stream ? malformedStream(res) : sendRaw(res, 200, { 'content-type': 'application/json' }, '{"id": "chatcmpl-x", "choices": [ {');
  if ('stall' in reply) return stall(body, res);
  if ('truncate' in reply) return truncate(body, res, reply.truncate);
  const message = 'toolCalls' in reply ? toolMessage(reply.toolCalls) : contentMessage(reply, body);
  if (body.stream) streamMessage(message, body, res);
  else sendJson(res, 200, completionObject(message, body));
}

interface Message {
  content: string | null;
  toolCalls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  finishReason: string;
  usage: ReplyUsage | null;
}

function contentMessage(reply: Reply, body: ChatRequestBody): Message {
  const content = 'content' in reply ? reply.content : defaultContent(body);
  const usage = 'usage' in reply && reply.usage !== undefined ? reply.usage : derivedUsage(body, content);
  const finishReason = 'finishReason' in reply && reply.finishReason ? reply.finishReason : 'stop';
  return { content, finishReason, usage };
}

function toolMessage(calls: ReplyToolCall[]): Message {
  const toolCalls = calls.map((c, i) => ({
    id: c.id ?? `call_${i}`,
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  return { content: null, toolCalls, finishReason: 'tool_calls', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
}

function completionObject(message: Message, body: ChatRequestBody) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: body.model ?? 'test-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: message.content, ...(message.toolCalls ? { tool_calls: message.toolCalls } : {}) },
        finish_reason: message.finishReason,
      },
    ],
    ...(message.usage ? { usage: withTotal(message.usage) } : {}),
  };
}

function streamMessage(message: Message, body: ChatRequestBody, res: ServerResponse): void {
  startStream(res);
  const chunk = (delta: object, finish: string | null = null) => sseChunk(body, [{ index: 0, delta, finish_reason: finish }]);
  const parts = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitTokens(message.content ?? '')) parts.push(chunk({ content: piece }));
  message.toolCalls?.forEach((call, index) => parts.push(chunk({ tool_calls: [{ index, ...call }] })));
  parts.push(chunk({}, message.finishReason));
  if (body.stream_options?.include_usage && message.usage) parts.push(sseChunk(body, [], withTotal(message.usage)));
  parts.push('data: [DONE]\n\n');
  res.end(parts.join(''));
}

function stall(body: ChatRequestBody, res: ServerResponse): void {
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    return;
  }
  startStream(res);
  res.write(sseChunk(body, [{ index: 0, delta: { role: 'assistant', content: 'stalled ' }, finish_reason: null }]));
}

function truncate(body: ChatRequestBody, res: ServerResponse, how: true | 'reset'): void {
  let partial: string;
  if (body.stream) {
    startStream(res);
    partial =
      sseChunk(body, [{ index: 0, delta: { role: 'assistant', content: 'cut ' }, finish_reason: null }]) +
      sseChunk(body, [{ index: 0, delta: { content: 'short' }, finish_reason: null }]);
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    partial = '{"id":"chatcmpl-test","choices":[{"index":0,"message":{"role":"assistant","content":"cut';
  }
  // A clean end of a stream leaves the client to notice the missing finish; a reset is a
  // dropped connection. A JSON body cut short can only be a dropped connection (a clean end
  // would just be malformed JSON), so it is always reset — once what was sent is on the wire.
  if (how === 'reset' || !body.stream) res.write(partial, () => res.socket?.destroy());
  else res.end(partial);
}

function malformedStream(res: ServerResponse): void {
  startStream(res);
  res.end('data: {"choices": [{"delta": {"content": "x"}\n\ndata: [DONE]\n\n');
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

function sseChunk(body: ChatRequestBody, choices: object[], usage?: ReplyUsage): string {
  const chunk = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: body.model ?? 'test-model', choices, ...(usage ? { usage } : {}) };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Word-sized pieces (each word with its following spaces), as a tokenizer would roughly give. */
function splitTokens(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

// ---------------------------------------------------------------------------------------------
// Default content

function defaultContent(body: ChatRequestBody): string {
  const schema = requestSchema(body);
  if (schema !== undefined) return JSON.stringify(minimalInstance(schema));
  if (body.response_format?.type === 'json_object') return '{}';
  return `echo: ${lastUserText(body)}`;
}

function lastUserText(body: ChatRequestBody): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

/** The schema asked for: response_format's, or one embedded as the last `{...}` of a system message. */
function requestSchema(body: ChatRequestBody): unknown {
  const format = body.response_format;
  if (format?.type === 'json_schema' && format.json_schema?.schema) return format.json_schema.schema;
  for (const m of body.messages ?? []) {
    if (m.role !== 'system' || typeof m.content !== 'string') continue;
    const start = m.content.indexOf('{');
    const end = m.content.lastIndexOf('}');
    if (start < 0 || end < start) continue;
    const parsed = tryJson(m.content.slice(start, end + 1));
    if (isObject(parsed) && ('type' in parsed || 'properties' in parsed)) return parsed;
  }
  return undefined;
}

/** The smallest value that satisfies a (simple) JSON Schema: required properties only, minimum sizes. */
export function minimalInstance(schema: unknown): unknown {
  if (!isObject(schema)) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return minimalInstance(alternatives[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'x'.repeat(typeof schema.minLength === 'number' ? schema.minLength : 0);
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array':
      return Array.from({ length: typeof schema.minItems === 'number' ? schema.minItems : 0 }, () => minimalInstance(schema.items));
    default:
      return minimalObject(schema);
  }
}

function minimalObject(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.fromEntries(required.map((key) => [key, minimalInstance(properties[key])]));
}

// ---------------------------------------------------------------------------------------------
// Helpers

function refuseFormat(flavour: Flavour, body: ChatRequestBody): string | undefined {
  const type = body.response_format?.type;
  if (flavour === 'no-json-schema' && type === 'json_schema') return 'response_format json_schema is not supported';
  if (flavour === 'no-response-format' && type !== undefined) return `response_format ${type} is not supported`;
  return undefined;
}

function derivedUsage(body: ChatRequestBody, content: string): ReplyUsage {
  const promptChars = (body.messages ?? []).reduce((n, m) => n + String(m.content ?? '').length, 0);
  return { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(content.length / 4) };
}

function withTotal(usage: ReplyUsage): ReplyUsage {
  return { ...usage, total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens };
}

function modelList(models = ['test-model']) {
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'keel-test' })) };
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendRaw(res, status, { 'content-type': 'application/json' }, JSON.stringify(value));
}

function sendRaw(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw;
}

function parseBody(raw: string): ChatRequestBody | string | null {
  if (!raw) return null;
  const parsed = tryJson(raw);
  return isObject(parsed) ? (parsed as ChatRequestBody) : raw;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface PendingDelay {
  finish(): void;
}

function delay(ms: number, delays: Set<PendingDelay>): Promise<void> {
  return new Promise((resolve) => {
    const entry: PendingDelay = {
      finish() {
        clearTimeout(timer);
        delays.delete(entry);
        resolve();
      },
    };
    const timer = setTimeout(() => entry.finish(), ms);
    delays.add(entry);
  });
}

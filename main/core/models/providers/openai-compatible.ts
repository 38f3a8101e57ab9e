import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { StructuredMode } from '../../../../shared/domain/models';
import {
  ProviderError,
  type ChatMessage,
  type GenerateRequest,
  type GenerateResult,
  type ModelProvider,
  type OutputSchema,
} from '../provider';

/**
 * Any endpoint speaking OpenAI's chat-completions protocol: Ollama, LM Studio, llama.cpp's
 * server, vLLM, OpenAI and the like. The official `openai` client does the HTTP and SSE work;
 * this layer adds what Keel's kernel needs of a provider: structured output that adapts to
 * what the endpoint supports, errors classified as transient/permanent/cancelled with
 * messages that name the endpoint, and timeouts that also cover a stream going silent.
 */

export interface OpenAiCompatibleOptions {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** Absent for local servers: then no Authorization header is sent at all. */
  apiKey?: string;
  structuredOutput: StructuredMode;
  /** The longest wait for the answer (non-streamed) or for each piece of a stream. */
  timeoutMs: number;
  /** Retries of 408, 429 and 5xx answers, honouring Retry-After. Default 2. */
  maxRetries?: number;
}

type ConcreteMode = Exclude<StructuredMode, 'auto'>;
type Completion = Omit<GenerateResult, 'latencyMs' | 'structuredMode'>;
interface RawAnswer {
  text: string;
  finish: string | null | undefined;
  usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
}

const AUTO_ORDER: readonly ConcreteMode[] = ['json_schema', 'json_object', 'none'];
/**
 * A Retry-After longer than this is not waited out inside the call: the error goes back to
 * the kernel (transient, with retryAfterMs), which can reschedule the step durably instead
 * of holding a worker.
 */
const MAX_RETRY_WAIT_MS = 30_000;
/** What an endpoint says when it does not support a response_format (llama.cpp, LM Studio, OpenAI, vLLM). */
const FORMAT_REFUSAL = /response.?format|json.?schema|json.?object|structured.?output|guided/i;

export class OpenAiCompatibleProvider implements ModelProvider {
  readonly kind = 'openai-compatible' as const;
  private readonly client: OpenAI;
  private readonly endpoint: string;
  private readonly maxRetries: number;
  /** Modes this endpoint refused under `auto`: later calls go straight to the next one. */
  private readonly refused = new Set<ConcreteMode>();
  private readonly inFlight = new Set<CallGuard>();

  constructor(private readonly options: OpenAiCompatibleOptions) {
    const baseURL = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = `${baseURL}/chat/completions`;
    this.maxRetries = options.maxRetries ?? 2;
    this.client = new OpenAI({
      baseURL,
      // The client insists on a key; with none configured the header is removed below.
      apiKey: options.apiKey || 'unused',
      defaultHeaders: options.apiKey ? undefined : { Authorization: null },
      // Explicit nulls: never pick up OPENAI_* variables from the environment and send them
      // to whatever endpoint is configured.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout: options.timeoutMs,
      // Retries are ours (see withRetries): cancellable waits, bounded Retry-After.
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const modes = this.modesFor(request);
    for (let i = 0; ; i++) {
      const mode = modes[i];
      try {
        const result = await this.withRetries(() => this.attempt(request, mode), request.signal);
        return { ...result, latencyMs: performance.now() - started, ...(mode ? { structuredMode: mode } : {}) };
      } catch (err) {
        if (!mode || i + 1 >= modes.length || !this.isAutoRefusal(err)) throw err;
        this.refused.add(mode);
      }
    }
  }

  /** Ends the calls in flight (as cancelled); the client holds no other resources. */
  async close(): Promise<void> {
    for (const guard of this.inFlight) guard.stop('cancelled');
  }

  /** Structured modes to try in order; `[undefined]` when no schema is asked for. */
  private modesFor(request: GenerateRequest): (ConcreteMode | undefined)[] {
    if (!request.schema) return [undefined];
    const mode = this.options.structuredOutput;
    if (mode !== 'auto') return [mode];
    return AUTO_ORDER.filter((m) => !this.refused.has(m));
  }

  private isAutoRefusal(err: unknown): boolean {
    if (this.options.structuredOutput !== 'auto' || !(err instanceof ProviderError)) return false;
    const { status, body } = err.details;
    return (status === 400 || status === 422) && FORMAT_REFUSAL.test(body ?? err.message);
  }

  private async withRetries<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await run();
      } catch (err) {
        const wait = this.retryDelay(err, retry);
        if (wait === undefined) throw err;
        await sleep(wait, signal, this.endpoint);
      }
    }
  }

  /** How long to wait before retrying `err`, or undefined when it is not retried here. */
  private retryDelay(err: unknown, retry: number): number | undefined {
    if (!(err instanceof ProviderError) || retry >= this.maxRetries || !isRetryableStatus(err.details.status)) return undefined;
    const wait = err.details.retryAfterMs ?? backoffMs(retry);
    return wait <= MAX_RETRY_WAIT_MS ? wait : undefined;
  }

  /** One HTTP exchange. Failures after the first token are not retried here (tokens were delivered). */
  private async attempt(request: GenerateRequest, mode: ConcreteMode | undefined): Promise<Completion> {
    const params = buildParams(request, mode);
    const guard = new CallGuard(request.signal, this.options.timeoutMs);
    this.inFlight.add(guard);
    try {
      const raw = request.onToken ? await this.streamed(params, request.onToken, guard) : await this.plain(params, guard);
      return toCompletion(raw, params, request.schema !== undefined);
    } catch (err) {
      throw this.classify(err, guard, request.onToken !== undefined);
    } finally {
      guard.dispose();
      this.inFlight.delete(guard);
    }
  }

  private async plain(params: ChatCompletionCreateParamsNonStreaming, guard: CallGuard): Promise<RawAnswer> {
    const completion: unknown = await this.client.chat.completions.create(params, { signal: guard.signal });
    // A body that is not a chat completion (e.g. text/plain, or JSON without choices).
    if (!isCompletion(completion)) throw this.malformed('the body is not a chat completion');
    const choice = completion.choices[0];
    if (!choice) throw this.malformed('the completion has no choices');
    return { text: choice.message?.content ?? '', finish: choice.finish_reason, usage: completion.usage };
  }

  private async streamed(params: ChatCompletionCreateParamsNonStreaming, onToken: (t: string) => void, guard: CallGuard): Promise<RawAnswer> {
    const stream = await this.client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal: guard.signal },
    );
    guard.progress();
    const answer: RawAnswer = { text: '', finish: undefined, usage: undefined };
    // The client ends the loop quietly when the signal aborts: `guard.reason` says why.
    for await (const chunk of stream as AsyncIterable<unknown>) {
      if (guard.reason) break;
      guard.progress();
      const piece = readChunk(chunk, answer);
      if (piece === undefined) throw this.malformed('an SSE event is not a chat completion chunk');
      if (piece) onToken(piece);
    }
    if (guard.reason) throw guard.reasonError(this.endpoint);
    // Servers send finish_reason before [DONE]; without it the stream was cut short.
    if (!answer.finish) throw new ProviderError('transient', `truncated: the stream from ${this.endpoint} ended without a finish_reason`);
    return answer;
  }

  private malformed(what: string): ProviderError {
    return new ProviderError('permanent', `malformed response from ${this.endpoint}: ${what}`);
  }

  /** Turns what the client threw into a ProviderError; programming errors pass through unchanged. */
  private classify(err: unknown, guard: CallGuard, streaming: boolean): unknown {
    if (guard.reason) return guard.reasonError(this.endpoint);
    if (err instanceof ProviderError) return err;
    if (err instanceof APIConnectionTimeoutError) return timeoutError(this.endpoint, this.options.timeoutMs);
    if (err instanceof APIConnectionError) return connectionError(err, this.options.baseUrl);
    if (err instanceof APIError) return statusError(err, this.endpoint, Boolean(this.options.apiKey));
    if (err instanceof SyntaxError) return this.malformed(`${streaming ? 'an SSE event' : 'the body'} is not JSON (${err.message})`);
    if (isDroppedConnection(err)) return new ProviderError('transient', `truncated: the connection to ${this.endpoint} dropped mid-response`);
    return err;
  }
}

/**
 * The per-attempt abort: the caller's signal, the timeout before the answer starts, and the
 * stall timer of a stream (restarted by each piece of data). `reason` records which fired, as
 * the client reports all three as a plain abort.
 */
class CallGuard {
  private readonly controller = new AbortController();
  reason: 'cancelled' | 'timeout' | 'stalled' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly onCancel = () => this.stop('cancelled');

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    if (callerSignal?.aborted) this.stop('cancelled');
    callerSignal?.addEventListener('abort', this.onCancel, { once: true });
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Data arrived: the stall clock starts again. */
  progress(): void {
    this.started = true;
    this.arm();
  }

  stop(reason: NonNullable<CallGuard['reason']>): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort();
  }

  reasonError(endpoint: string): ProviderError {
    if (this.reason === 'cancelled') return new ProviderError('cancelled', `the call to ${endpoint} was cancelled`);
    if (this.reason === 'stalled') return new ProviderError('transient', `stream stalled: no data from ${endpoint} for ${this.timeoutMs} ms`);
    return timeoutError(endpoint, this.timeoutMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCancel);
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.reason) return;
    this.timer = setTimeout(() => this.stop(this.started ? 'stalled' : 'timeout'), this.timeoutMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

function buildParams(request: GenerateRequest, mode: ConcreteMode | undefined): ChatCompletionCreateParamsNonStreaming {
  const schema = request.schema;
  // json_schema carries the schema itself; the other modes can only say it in words.
  const messages = schema && mode && mode !== 'json_schema' ? withSchemaInstruction(request.messages, schema) : request.messages;
  return {
    model: request.model,
    messages: messages as ChatCompletionMessageParam[],
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(schema && mode ? responseFormat(mode, schema) : {}),
  };
}

function responseFormat(mode: ConcreteMode, schema: OutputSchema): Pick<ChatCompletionCreateParamsNonStreaming, 'response_format'> {
  if (mode === 'json_schema') {
    // strict: false — strict mode demands every property required and no extra keywords,
    // which the caller's zod-made schemas do not promise; the caller validates anyway.
    return { response_format: { type: 'json_schema', json_schema: { name: schema.name, schema: schema.jsonSchema, strict: false } } };
  }
  if (mode === 'json_object') return { response_format: { type: 'json_object' } };
  return {};
}

/**
 * Adds the JSON instruction to the first system message, or puts one first: several local
 * chat templates reject a second system message or one that is not at the start.
 */
function withSchemaInstruction(messages: ChatMessage[], schema: OutputSchema): ChatMessage[] {
  const instruction =
    'Answer with one JSON value only: no prose, no Markdown code fences. ' +
    `It must match this JSON Schema (named "${schema.name}"):\n${JSON.stringify(schema.jsonSchema)}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

// ---------------------------------------------------------------------------------------------
// Answers

/** Folds one stream chunk into `answer`; returns the text it adds, or undefined if it is not a chunk. */
function readChunk(chunk: unknown, answer: RawAnswer): string | undefined {
  if (!isObject(chunk) || !Array.isArray(chunk.choices)) return undefined;
  const { choices, usage } = chunk as unknown as ChatCompletionChunk;
  if (usage) answer.usage = usage;
  const choice = choices[0];
  if (choice?.finish_reason) answer.finish = choice.finish_reason;
  const piece = choice?.delta?.content ?? '';
  answer.text += piece;
  return piece;
}

function toCompletion(raw: RawAnswer, params: ChatCompletionCreateParamsNonStreaming, structured: boolean): Completion {
  const promptChars = params.messages.reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0);
  return {
    text: structured ? stripFences(raw.text) : raw.text,
    // Some local servers report no usage (or only part of it); then it is estimated at about
    // four characters per token — close enough for budgets and cost figures of local models.
    usage: {
      inputTokens: raw.usage?.prompt_tokens ?? estimateTokens(promptChars),
      outputTokens: raw.usage?.completion_tokens ?? estimateTokens(raw.text.length),
    },
    finishReason: raw.finish === 'length' ? 'length' : 'stop',
  };
}

function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** Models asked for JSON often wrap it in ```json fences anyway. */
export function stripFences(text: string): string {
  const fenced = /^\s*```[\w-]*[ \t]*\n?([\s\S]*?)\n?[ \t]*```\s*$/.exec(text);
  return fenced ? (fenced[1] ?? '') : text;
}

function isCompletion(value: unknown): value is ChatCompletion {
  return isObject(value) && Array.isArray(value.choices);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

// ---------------------------------------------------------------------------------------------
// Errors

function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 429 || (status !== undefined && status >= 500);
}

/** 0.5 s, 1 s, 2 s, … up to 8 s, less up to a quarter at random so that clients spread out. */
function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** retry, 8_000) * (1 - Math.random() * 0.25);
}

function timeoutError(endpoint: string, timeoutMs: number): ProviderError {
  return new ProviderError('transient', `timeout: ${endpoint} did not answer within ${timeoutMs} ms`);
}

function connectionError(err: APIConnectionError, baseUrl: string): ProviderError {
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') return new ProviderError('transient', `cannot reach ${baseUrl}: is the server running? (connection refused)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ProviderError('transient', `cannot reach ${baseUrl}: host not found (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return new ProviderError('transient', `the connection to ${baseUrl} dropped before an answer (${code})`);
  }
  return new ProviderError('transient', `cannot reach ${baseUrl}: ${code ?? describeCause(err)}`);
}

function statusError(err: APIError, endpoint: string, hasKey: boolean): ProviderError {
  const status = err.status;
  const said = serverMessage(err);
  const details = { status, body: err.error === undefined ? err.message : JSON.stringify(err.error), retryAfterMs: retryAfterMs(err.headers) };
  if (status === undefined) return new ProviderError('permanent', `${endpoint} reported an error mid-stream: ${said}`, details);
  if (status === 401) {
    const hint = hasKey ? 'the endpoint rejected the API key' : 'the endpoint wants an API key and none is set';
    return new ProviderError('permanent', `${hint} (401 from ${endpoint}): ${said}`, details);
  }
  if (status === 403) return new ProviderError('permanent', `the endpoint refused access with this API key (403 from ${endpoint}): ${said}`, details);
  if (status === 404) return new ProviderError('permanent', `not found (404 from ${endpoint}): check the base URL and the model name: ${said}`, details);
  if (status === 429) return new ProviderError('transient', `rate limited (429 from ${endpoint}): ${said}`, details);
  if (isRetryableStatus(status)) return new ProviderError('transient', `the endpoint failed (${status} from ${endpoint}): ${said}`, details);
  return new ProviderError('permanent', `the endpoint rejected the request (${status} from ${endpoint}): ${said}`, details);
}

/** The server's own words: the error object's message, else the raw body. */
function serverMessage(err: APIError): string {
  const error = err.error as { message?: unknown } | undefined;
  if (typeof error?.message === 'string') return error.message;
  return err.message.replace(/^\d{3}\s*/, '') || '(no body)';
}

/** Retry-After-Ms (milliseconds), else Retry-After (seconds or an HTTP date). */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The first `code` in the cause chain (fetch wraps the socket error; AggregateError holds several). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (!isObject(err) || depth > 5) return undefined;
  if (typeof err.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(err.code)) return err.code;
  if (Array.isArray(err.errors)) {
    for (const inner of err.errors) {
      const code = errorCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return errorCode(err.cause, depth + 1);
}

function describeCause(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

/** undici reports a connection closed mid-body as `TypeError: terminated` (cause: a socket error). */
function isDroppedConnection(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.message === 'terminated' || /^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/.test(errorCode(err) ?? '');
}

/** Waits before a retry; the caller's cancel ends the wait at once. */
function sleep(ms: number, signal: AbortSignal | undefined, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new ProviderError('cancelled', `the call to ${endpoint} was cancelled`);
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

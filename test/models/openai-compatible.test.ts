import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ProviderError, type GenerateRequest, type OutputSchema } from '../../main/core/models/provider';
import { OpenAiCompatibleProvider, stripFences, type OpenAiCompatibleOptions } from '../../main/core/models/providers/openai-compatible';
import { replySequence, startOpenAiServer, type OpenAiServer, type OpenAiServerOptions } from '../support/openai-server';

/**
 * The openai-compatible provider, through the real `openai` client, against a real HTTP
 * server speaking the protocol (test/support/openai-server.ts). Timings are measured, never
 * slept for: the server records when each request arrived.
 */

const schema: OutputSchema = {
  name: 'triage',
  jsonSchema: {
    type: 'object',
    properties: { label: { type: 'string', enum: ['urgent', 'later'] }, score: { type: 'integer', minimum: 1 } },
    required: ['label', 'score'],
  },
};

const ask = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  model: 'test-model',
  messages: [
    { role: 'system', content: 'You sort mail.' },
    { role: 'user', content: 'Invoice overdue' },
  ],
  maxTokens: 64,
  temperature: 0.2,
  ...extra,
});

async function setup(serverOptions: OpenAiServerOptions = {}, providerOptions: Partial<OpenAiCompatibleOptions> = {}) {
  const server = await startOpenAiServer(serverOptions);
  onTestFinished(() => server.close());
  const provider = new OpenAiCompatibleProvider({ baseUrl: server.url, structuredOutput: 'auto', timeoutMs: 10_000, ...providerOptions });
  return { server, provider };
}

async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const err = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const formats = (server: OpenAiServer) => server.completionBodies().map((b) => b.response_format?.type ?? 'none');

describe('openai-compatible provider: answers', () => {
  it('sends the request and returns text, usage and finish reason', async () => {
    const { server, provider } = await setup({ reply: () => ({ content: 'Hello there', usage: { prompt_tokens: 11, completion_tokens: 7 } }) });
    const result = await provider.generate(ask());
    expect(result).toMatchObject({ text: 'Hello there', usage: { inputTokens: 11, outputTokens: 7 }, finishReason: 'stop' });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.structuredMode).toBeUndefined();
    const [body] = server.completionBodies();
    expect(body).toMatchObject({ model: 'test-model', max_tokens: 64, temperature: 0.2, messages: ask().messages });
    expect(body?.stream).toBeFalsy();
    expect(body?.response_format).toBeUndefined();
    // No key configured: no Authorization header at all (not even OPENAI_API_KEY from the environment).
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('estimates usage at about four characters per token when the server reports none', async () => {
    const { provider } = await setup({ reply: () => ({ content: 'abcdefghi', usage: null }) });
    const result = await provider.generate(ask());
    const promptChars = 'You sort mail.'.length + 'Invoice overdue'.length;
    expect(result.usage).toEqual({ inputTokens: Math.ceil(promptChars / 4), outputTokens: 3 });
  });

  it('reports a reply cut at max_tokens as finishReason length', async () => {
    const { provider } = await setup({ reply: () => ({ content: 'partial', finishReason: 'length' }) });
    expect((await provider.generate(ask())).finishReason).toBe('length');
  });

  it('streams tokens in order when onToken is given; the text is their concatenation', async () => {
    const { server, provider } = await setup({
      reply: () => ({ content: 'one two three four', usage: { prompt_tokens: 5, completion_tokens: 4 } }),
    });
    const tokens: string[] = [];
    const result = await provider.generate(ask({ onToken: (t) => tokens.push(t) }));
    expect(tokens).toEqual(['one ', 'two ', 'three ', 'four']);
    expect(result.text).toBe(tokens.join(''));
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 4 });
    expect(server.completionBodies()[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends the API key as a bearer token', async () => {
    const { server, provider } = await setup({ requireKey: 'sk-right' }, { apiKey: 'sk-right' });
    expect((await provider.generate(ask())).text).toBe('echo: Invoice overdue');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-right');
  });
});

describe('openai-compatible provider: structured output', () => {
  it('asks for json_schema and gets JSON back', async () => {
    const { server, provider } = await setup();
    const result = await provider.generate(ask({ schema }));
    expect(result.structuredMode).toBe('json_schema');
    expect(JSON.parse(result.text)).toEqual({ label: 'urgent', score: 1 });
    const [body] = server.completionBodies();
    expect(body?.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'triage', schema: schema.jsonSchema, strict: false } });
    // json_schema carries the schema itself: the messages go as given.
    expect(body?.messages).toEqual(ask().messages);
  });

  it('strips Markdown fences around the JSON', async () => {
    const { provider } = await setup({ reply: () => ({ content: '```json\n{"label":"later","score":2}\n```' }) });
    expect((await provider.generate(ask({ schema }))).text).toBe('{"label":"later","score":2}');
    expect(stripFences('```\n[1]\n```')).toBe('[1]');
    expect(stripFences('{"a":"```"}')).toBe('{"a":"```"}');
  });

  it('auto falls back to json_object when json_schema is refused, and remembers it', async () => {
    const { server, provider } = await setup({ flavour: 'no-json-schema' });
    const first = await provider.generate(ask({ schema }));
    expect(first.structuredMode).toBe('json_object');
    expect(JSON.parse(first.text)).toEqual({ label: 'urgent', score: 1 });
    const second = await provider.generate(ask({ schema }));
    expect(second.structuredMode).toBe('json_object');
    expect(formats(server)).toEqual(['json_schema', 'json_object', 'json_object']);
    // json_object cannot carry the schema: it is written into the (single, first) system message.
    const messages = server.completionBodies()[1]?.messages ?? [];
    expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
    expect(messages[0]?.content).toContain('You sort mail.');
    expect(messages[0]?.content).toContain(JSON.stringify(schema.jsonSchema));
    // What worked is remembered per provider instance: a new one starts from json_schema again.
    const fresh = new OpenAiCompatibleProvider({ baseUrl: server.url, structuredOutput: 'auto', timeoutMs: 10_000 });
    await fresh.generate(ask({ schema }));
    expect(formats(server).slice(3)).toEqual(['json_schema', 'json_object']);
  });

  it('auto falls back to plain instructions when no response_format is accepted', async () => {
    const { server, provider } = await setup({ flavour: 'no-response-format' });
    const first = await provider.generate(ask({ schema, messages: [{ role: 'user', content: 'Invoice overdue' }] }));
    expect(first.structuredMode).toBe('none');
    expect(JSON.parse(first.text)).toEqual({ label: 'urgent', score: 1 });
    await provider.generate(ask({ schema }));
    expect(formats(server)).toEqual(['json_schema', 'json_object', 'none', 'none']);
    // With no system message of its own, the instruction comes first.
    expect(server.completionBodies()[2]?.messages?.[0]).toMatchObject({ role: 'system' });
  });

  it('a fixed mode does not fall back', async () => {
    const { server, provider } = await setup({ flavour: 'no-json-schema' }, { structuredOutput: 'json_schema' });
    const err = await failure(provider.generate(ask({ schema })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/400 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions.*json_schema is not supported/);
    expect(formats(server)).toEqual(['json_schema']);
  });
});

describe('openai-compatible provider: retries', () => {
  it('retries a 429 after the Retry-After it names', async () => {
    const { server, provider } = await setup({ reply: replySequence({ status: 429, headers: { 'retry-after': '1' } }, { content: 'ok' }) });
    expect((await provider.generate(ask())).text).toBe('ok');
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('honours retry-after-ms over its own backoff', async () => {
    // The default first backoff is at most 500 ms, so a 700 ms gap shows the header was used.
    const { server, provider } = await setup({ reply: replySequence({ status: 503, headers: { 'retry-after-ms': '700' } }, { content: 'ok' }) });
    expect((await provider.generate(ask({ onToken: () => {} }))).text).toBe('ok');
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(690);
  });

  it('gives up on a persistent 429 as transient, with retryAfterMs', async () => {
    const { server, provider } = await setup({ reply: () => ({ status: 429, headers: { 'retry-after-ms': '20' } }) });
    const err = await failure(provider.generate(ask()));
    expect(server.requests).toHaveLength(3);
    expect(err.kind).toBe('transient');
    expect(err.details).toMatchObject({ status: 429, retryAfterMs: 20 });
    expect(err.message).toContain(`429 from ${server.url}/chat/completions`);
  });

  it('does not wait out a long Retry-After: it hands it to the caller at once', async () => {
    const { server, provider } = await setup({ reply: () => ({ status: 429, headers: { 'retry-after': '120' } }) });
    const err = await failure(provider.generate(ask()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'transient', details: { retryAfterMs: 120_000 } });
  });

  it('retries 500s, then fails as transient', async () => {
    const { server, provider } = await setup({ reply: () => ({ status: 500 }) });
    const err = await failure(provider.generate(ask()));
    expect(server.requests).toHaveLength(3);
    expect(err.kind).toBe('transient');
    expect(err.details.status).toBe(500);
    expect(err.message).toContain(`500 from ${server.url}/chat/completions`);
  });

  it.each([400, 403, 404, 422])('does not retry a %i: permanent', async (status) => {
    const { server, provider } = await setup({ reply: () => ({ status }) });
    const err = await failure(provider.generate(ask()));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ kind: 'permanent', details: { status } });
    expect(err.message).toContain(`${status} from ${server.url}/chat/completions`);
  });

  it('a wrong API key is permanent and says so', async () => {
    const { server, provider } = await setup({ requireKey: 'sk-right' }, { apiKey: 'sk-wrong' });
    const err = await failure(provider.generate(ask()));
    expect(err).toMatchObject({ kind: 'permanent', details: { status: 401 } });
    expect(err.message).toMatch(/the endpoint rejected the API key \(401 from .*\): Incorrect API key provided/);
    expect(server.requests).toHaveLength(1);
  });

  it('a missing API key is permanent and says so', async () => {
    const { provider } = await setup({ requireKey: 'sk-right' });
    const err = await failure(provider.generate(ask()));
    expect(err.message).toMatch(/wants an API key and none is set/);
  });
});

describe('openai-compatible provider: broken answers', () => {
  it('a stalled stream fails as transient once no data came for timeoutMs', async () => {
    const { provider } = await setup({ reply: () => ({ stall: true }) }, { timeoutMs: 1500 });
    const tokens: string[] = [];
    const started = performance.now();
    const err = await failure(provider.generate(ask({ onToken: (t) => tokens.push(t) })));
    const elapsed = performance.now() - started;
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/stream stalled: no data from .* for 1500 ms/);
    expect(tokens).toEqual(['stalled ']);
    expect(elapsed).toBeGreaterThanOrEqual(1450);
    expect(elapsed).toBeLessThan(4000);
  });

  it('a non-streamed answer whose body never comes times out as transient', async () => {
    const { provider } = await setup({ reply: () => ({ stall: true }) }, { timeoutMs: 1000 });
    const started = performance.now();
    const err = await failure(provider.generate(ask()));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/timeout: .* did not answer within 1000 ms/);
    expect(performance.now() - started).toBeLessThan(3500);
  });

  it('a server that does not answer at all times out as transient (not retried)', async () => {
    const { server, provider } = await setup({ reply: () => ({ delayMs: 30_000 }) }, { timeoutMs: 1000 });
    const err = await failure(provider.generate(ask({ onToken: () => {} })));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/timeout/);
    expect(server.requests).toHaveLength(1);
  });

  it.each([true, 'reset'] as const)('a stream cut short (%s) is transient "truncated"', async (truncate) => {
    const { provider } = await setup({ reply: () => ({ truncate }) });
    const tokens: string[] = [];
    const err = await failure(provider.generate(ask({ onToken: (t) => tokens.push(t) })));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/truncated/);
    expect(tokens).toEqual(['cut ', 'short']);
  });

  it('a JSON body cut short is transient "truncated"', async () => {
    const { provider } = await setup({ reply: () => ({ truncate: true }) });
    const err = await failure(provider.generate(ask()));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/truncated/);
  });

  it('a body that is not JSON is permanent "malformed response"', async () => {
    const { server, provider } = await setup({ reply: () => ({ malformed: true }) });
    const err = await failure(provider.generate(ask()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(new RegExp(`malformed response from ${server.url}/chat/completions: the body is not JSON`));
  });

  it('an SSE event that is not JSON is permanent "malformed response"', async () => {
    const { provider } = await setup({ reply: () => ({ malformed: true }) });
    const err = await failure(provider.generate(ask({ onToken: () => {} })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/malformed response from .*: an SSE event is not JSON/);
  });

  it('a 200 that is not a chat completion is permanent "malformed response"', async () => {
    const { provider } = await setup({ reply: () => ({ status: 200, body: '{"hello":"world"}' }) });
    const err = await failure(provider.generate(ask()));
    expect(err).toMatchObject({ kind: 'permanent', message: expect.stringMatching(/malformed response.*not a chat completion/) });
  });

  it('a closed port is transient, and says to check the server', async () => {
    const server = await startOpenAiServer();
    await server.close();
    const provider = new OpenAiCompatibleProvider({ baseUrl: server.url, structuredOutput: 'auto', timeoutMs: 5000 });
    const err = await failure(provider.generate(ask()));
    expect(err.kind).toBe('transient');
    expect(err.message).toBe(`cannot reach ${server.url}: is the server running? (connection refused)`);
  });
});

describe('openai-compatible provider: cancellation', () => {
  it('cancelling mid-stream fails as cancelled and delivers no further tokens', async () => {
    const { provider } = await setup({ reply: () => ({ content: 'a b c d e f g h i j' }) });
    const controller = new AbortController();
    const tokens: string[] = [];
    const onToken = (t: string) => {
      tokens.push(t);
      if (tokens.length === 2) controller.abort();
    };
    const err = await failure(provider.generate(ask({ onToken, signal: controller.signal })));
    expect(err.kind).toBe('cancelled');
    // All ten pieces were already on the wire: none after the abort reaches the caller.
    expect(tokens).toEqual(['a ', 'b ']);
  });

  it('cancelling a stalled stream ends it at once, not at the stall timeout', async () => {
    const { provider } = await setup({ reply: () => ({ stall: true }) }, { timeoutMs: 30_000 });
    const controller = new AbortController();
    const started = performance.now();
    const err = await failure(provider.generate(ask({ onToken: () => controller.abort(), signal: controller.signal })));
    expect(err.kind).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('cancelling during a Retry-After wait ends the wait', async () => {
    const { server, provider } = await setup({ reply: () => ({ status: 429, headers: { 'retry-after': '20' } }) });
    const controller = new AbortController();
    const started = performance.now();
    const call = failure(provider.generate(ask({ signal: controller.signal })));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort();
    const err = await call;
    expect(err.kind).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(server.requests).toHaveLength(1);
  });

  it('an already cancelled signal sends nothing', async () => {
    const { server, provider } = await setup();
    const err = await failure(provider.generate(ask({ signal: AbortSignal.abort() })));
    expect(err.kind).toBe('cancelled');
    expect(server.requests).toHaveLength(0);
  });

  it('close() cancels the calls in flight', async () => {
    const { server, provider } = await setup({ reply: () => ({ stall: true }) }, { timeoutMs: 30_000 });
    const call = failure(provider.generate(ask()));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await provider.close();
    expect((await call).kind).toBe('cancelled');
  });
});

describe('the test server itself', () => {
  it('lists models and answers tool calls, streamed and not', async () => {
    const server = await startOpenAiServer({ models: ['a', 'b'], reply: () => ({ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] }) });
    onTestFinished(() => server.close());
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['a', 'b']);
    const post = (stream: boolean) =>
      fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'a', messages: [], stream }) });
    const plain = (await (await post(false)).json()) as { choices: { message: { tool_calls: unknown[] }; finish_reason: string }[] };
    expect(plain.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] } });
    const sse = await (await post(true)).text();
    expect(sse).toContain('"tool_calls":[{"index":0');
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('close() ends stalled responses and pending delays', async () => {
    const server = await startOpenAiServer({ reply: (_b, i) => (i === 0 ? { stall: true } : { delayMs: 60_000 }) });
    const post = () => fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{"messages":[]}' }).then((r) => r.text()).catch((e: unknown) => e);
    const pending = [post(), post()];
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    const started = performance.now();
    await server.close();
    await Promise.all(pending);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

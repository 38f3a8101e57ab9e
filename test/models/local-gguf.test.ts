import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type GenerateRequest } from '../../main/core/models/provider';
import { LocalGgufProvider } from '../../main/core/models/providers/local-gguf';

/** The real tiny model, read in place from the shared fixtures (never copied into the repo). */
const MODEL = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'models', 'stories260K.gguf');
const MOOD = { type: 'object', properties: { mood: { enum: ['happy', 'sad'] } }, required: ['mood'] };

const CHATML = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

const availability = await LocalGgufProvider.available();
// node-llama-cpp is an optional dependency with prebuilt binaries per platform: where none loads, Keel runs without
// local models, and these tests say why they did not run.
if (!availability.ok) console.warn(`local-gguf tests skipped: node-llama-cpp's prebuilt binary cannot load on this machine (${availability.reason})`);

const story = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  model: 'stories260K',
  messages: [{ role: 'user', content: 'Once upon a time' }],
  maxTokens: 24,
  ...extra,
});

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** Byte sizes of GGUF's fixed-size value types (string 8 and array 9 are read apart). */
const GGUF_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/**
 * Copies a GGUF model with one more metadata key, `tokenizer.chat_template`: stories260K has
 * no template, and this is the way to drive the chat-template path with a real model. The
 * tensor data is unchanged; only the header grows (and is padded to the alignment again).
 */
async function withChatTemplate(src: string, dst: string, template: string): Promise<void> {
  const buf = await readFile(src);
  let at = 24; // magic, version, tensor count, key count
  const str = () => {
    const n = Number(buf.readBigUInt64LE(at));
    at += 8 + n;
    return buf.toString('utf8', at - n, at);
  };
  const skip = (type: number): void => {
    if (type === 8) return void str();
    if (type !== 9) return void (at += GGUF_SIZES[type]!);
    const [inner, count] = [buf.readUInt32LE(at), Number(buf.readBigUInt64LE(at + 4))];
    at += 12;
    for (let i = 0; i < count; i++) skip(inner);
  };
  const [tensors, keys] = [Number(buf.readBigUInt64LE(8)), Number(buf.readBigUInt64LE(16))];
  let alignment = 32;
  for (let i = 0; i < keys; i++) {
    const key = str();
    const type = buf.readUInt32LE(at);
    at += 4;
    if (key === 'general.alignment') alignment = buf.readUInt32LE(at);
    skip(type);
  }
  const keysEnd = at;
  for (let i = 0; i < tensors; i++) {
    str();
    at += 4 + buf.readUInt32LE(at) * 8 + 4 + 8; // dims count, dims, type, offset
  }
  const data = buf.subarray(Math.ceil(at / alignment) * alignment);
  const ggufString = (s: string) => {
    const bytes = Buffer.from(s);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.length));
    return Buffer.concat([length, bytes]);
  };
  const head = Buffer.from(buf.subarray(0, 24));
  head.writeBigUInt64LE(BigInt(keys + 1), 16);
  const stringType = Buffer.from([8, 0, 0, 0]);
  const header = Buffer.concat([head, buf.subarray(24, keysEnd), ggufString('tokenizer.chat_template'), stringType, ggufString(template), buf.subarray(keysEnd, at)]);
  const padding = Buffer.alloc(Math.ceil(header.length / alignment) * alignment - header.length);
  await writeFile(dst, Buffer.concat([header, padding, data]));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keel-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalGgufProvider: bad model files (no binary needed)', () => {
  it('names a missing file', async () => {
    const provider = new LocalGgufProvider({ modelPath: join(dir, 'absent.gguf') });
    const err = await providerError(provider.generate(story()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^model file not found: .*absent\.gguf$/);
    await provider.close();
  });

  it('names a file that is not GGUF', async () => {
    const junk = join(dir, 'junk.gguf');
    await writeFile(junk, 'this is not a language model, just some text');
    const provider = new LocalGgufProvider({ modelPath: junk });
    const err = await providerError(provider.generate(story()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^not a GGUF model: .*junk\.gguf$/);
    await provider.close();
  });
});

describe('LocalGgufProvider without node-llama-cpp', () => {
  it('fails with a clear, permanent error', async () => {
    // The worker inherits NODE_OPTIONS: a resolve hook there makes the package "missing".
    const hook = join(dir, 'no-llama.mjs');
    const refuse = `export async function resolve(s, c, next) { if (s === 'node-llama-cpp') throw new Error('not installed (test)'); return next(s, c); }`;
    await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(refuse)}`)});\n`);
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --import ${JSON.stringify(hook)}`.trim();
    const provider = new LocalGgufProvider({ modelPath: MODEL, threads: 1 });
    try {
      const err = await providerError(provider.generate(story()));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/^local models are unavailable: node-llama-cpp could not load: .*not installed \(test\)/);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
      await provider.close();
    }
  });
});

describe.skipIf(!availability.ok)('LocalGgufProvider with stories260K', () => {
  let provider: LocalGgufProvider;
  beforeAll(() => {
    // One thread: two llama.cpp threads on a 2-core machine spin against each other.
    provider = new LocalGgufProvider({ modelPath: MODEL, contextSize: 256, threads: 1 });
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('streams tokens whose concatenation is the text, with real token counts', async () => {
    const pieces: string[] = [];
    const result = await provider.generate(story({ onToken: (t) => pieces.push(t) }));
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    expect(pieces.join('')).toBe(result.text);
    expect(result.text.length).toBeGreaterThan(10);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    // One text piece per token for plain English; a multi-byte character may join two.
    expect(result.usage.outputTokens).toBeGreaterThanOrEqual(pieces.length);
    expect(result.usage.outputTokens).toBeLessThanOrEqual(pieces.length + 2);
    expect(result.usage.outputTokens).toBeLessThanOrEqual(24);
    if (result.finishReason === 'length') expect(result.usage.outputTokens).toBe(24);
  });

  it('keeps the model loaded between calls', async () => {
    const first = await provider.generate(story({ maxTokens: 4 }));
    const second = await provider.generate(story({ maxTokens: 4 }));
    // Loading took place in the first test; neither call pays for it again.
    expect(first.latencyMs).toBeLessThan(2_000);
    expect(second.latencyMs).toBeLessThan(2_000);
    expect(second.text).toBe(first.text); // temperature 0: greedy, the same every time
  });

  it('counts a longer prompt as more input tokens', async () => {
    const short = await provider.generate(story({ maxTokens: 2 }));
    const long = await provider.generate(story({ maxTokens: 2, messages: [{ role: 'user', content: 'Once upon a time, in a small town by the sea, there lived a girl' }] }));
    expect(long.usage.inputTokens).toBeGreaterThan(short.usage.inputTokens);
  });

  it('counts the prompt once even when a long generation shifts the context', async () => {
    const short = await provider.generate(story({ maxTokens: 2 }));
    // 400 tokens overflow the 256-token context, so llama.cpp shifts it and evaluates again.
    const long = await provider.generate(story({ maxTokens: 400 }));
    expect(long.usage.outputTokens).toBe(400);
    expect(long.usage.inputTokens).toBe(short.usage.inputTokens);
  });

  it('stops promptly when cancelled, and nothing arrives after the abort', async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const onToken = (t: string) => {
      pieces.push(t);
      if (pieces.length === 3) controller.abort();
    };
    // 5000 tokens take this machine about 8 s: a worker that ignored the abort would hold up
    // the next call (the worker serves one at a time) for that long.
    const err = await providerError(provider.generate(story({ maxTokens: 5000, onToken, signal: controller.signal })));
    expect(err.kind).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 300));
    expect(pieces).toHaveLength(3);
    const next = await provider.generate(story({ maxTokens: 8 }));
    expect(next.usage.outputTokens).toBe(8);
    expect(next.latencyMs).toBeLessThan(1_500);
  });

  it('refuses an already aborted signal without starting', async () => {
    const err = await providerError(provider.generate(story({ signal: AbortSignal.abort() })));
    expect(err.kind).toBe('cancelled');
  });

  it('produces JSON of the schema through a grammar', async () => {
    const result = await provider.generate(story({ maxTokens: 40, schema: { name: 'mood', jsonSchema: MOOD } }));
    expect(result.finishReason).toBe('stop');
    const value = JSON.parse(result.text) as { mood: string };
    expect(['happy', 'sad']).toContain(value.mood);
  });

  it('refuses a prompt longer than the context instead of cutting it', async () => {
    const content = 'Once upon a time there was a cat. '.repeat(60);
    const err = await providerError(provider.generate(story({ messages: [{ role: 'user', content }] })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/does not fit the model's context/);
  });

  it('names a truncated GGUF file as unloadable', async () => {
    const truncated = join(dir, 'truncated.gguf');
    const source = await open(MODEL, 'r');
    const { buffer, bytesRead } = await source.read(Buffer.alloc(600_000), 0, 600_000, 0);
    await source.close();
    await writeFile(truncated, buffer.subarray(0, bytesRead));
    const broken = new LocalGgufProvider({ modelPath: truncated, contextSize: 256, threads: 1 });
    const err = await providerError(broken.generate(story()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^could not load model .*truncated\.gguf: .*(corrupted|incomplete)/);
    await broken.close();
  });

  it('closes, and refuses calls afterwards', async () => {
    const own = new LocalGgufProvider({ modelPath: MODEL, contextSize: 256, threads: 1 });
    await own.generate(story({ maxTokens: 2 }));
    await own.close();
    const err = await providerError(own.generate(story()));
    expect(err.kind).toBe('permanent');
  });
});

describe.skipIf(!availability.ok)('LocalGgufProvider with a chat template', () => {
  const messages: GenerateRequest['messages'] = [
    { role: 'system', content: 'You tell short stories.' },
    { role: 'user', content: 'Once upon a time' },
  ];
  let chat: LocalGgufProvider;
  let plain: LocalGgufProvider;
  beforeAll(async () => {
    const path = join(dir, 'stories260K-chatml.gguf');
    await withChatTemplate(MODEL, path, CHATML);
    chat = new LocalGgufProvider({ modelPath: path, contextSize: 256, threads: 1 });
    plain = new LocalGgufProvider({ modelPath: MODEL, contextSize: 256, threads: 1 });
  });
  afterAll(async () => {
    await Promise.all([chat?.close(), plain?.close()]);
  });

  it('renders the messages through the template, and streams the reply', async () => {
    const pieces: string[] = [];
    const templated = await chat.generate(story({ messages, maxTokens: 12, onToken: (t) => pieces.push(t) }));
    const untemplated = await plain.generate(story({ messages, maxTokens: 12 }));
    expect(pieces.join('')).toBe(templated.text);
    expect(templated.usage.outputTokens).toBeGreaterThan(0);
    // <|im_start|>system … <|im_end|> … <|im_start|>assistant: the template's markup is counted too.
    expect(templated.usage.inputTokens).toBeGreaterThan(untemplated.usage.inputTokens + 10);
  });

  it('produces JSON of the schema through a grammar', async () => {
    const result = await chat.generate(story({ messages, maxTokens: 40, schema: { name: 'mood', jsonSchema: MOOD } }));
    const value = JSON.parse(result.text) as { mood: string };
    expect(['happy', 'sad']).toContain(value.mood);
  });
});

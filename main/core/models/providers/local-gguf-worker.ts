import { parentPort } from 'node:worker_threads';
import type { ChatHistoryItem, Llama, LlamaChat, LlamaCompletion, LlamaContextSequence, LlamaGrammar, LlamaModel } from 'node-llama-cpp';

/**
 * The local-gguf worker: runs node-llama-cpp (llama.cpp) off the core worker, so inference
 * never blocks its event loop and a missing package or binary, or a native crash, stays in
 * here. LocalGgufProvider forks it as a child process (see local-gguf.ts for why not a
 * thread); it also speaks over a worker thread's port. Requests run one at a time, in order:
 * there is one context sequence per model.
 */

export interface GenerateJob {
  type: 'generate';
  id: number;
  modelPath: string;
  contextSize?: number;
  threads: number;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  jsonSchema?: Record<string, unknown>;
  maxTokens: number;
  temperature?: number;
}

export type ToLocalGgufWorker = GenerateJob | { type: 'abort'; id: number } | { type: 'probe'; threads: number } | { type: 'close' };

/** Why a job failed: the provider turns each into a ProviderError. */
export type WorkerErrorCode = 'unavailable' | 'load' | 'schema' | 'too-long' | 'cancelled' | 'failed';

export type FromLocalGgufWorker =
  | { type: 'token'; id: number; text: string }
  | { type: 'done'; id: number; text: string; inputTokens: number; outputTokens: number; stopReason: string }
  | { type: 'error'; id: number; code: WorkerErrorCode; message: string }
  | { type: 'probe'; ok: boolean; reason?: string };

type Lib = typeof import('node-llama-cpp');

interface Loaded {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  /** Set when the model has a chat template; otherwise prompts are plain completions. */
  chat: LlamaChat | null;
  completion: LlamaCompletion;
}

class JobError extends Error {
  constructor(readonly code: WorkerErrorCode, message: string) {
    super(message);
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function connect(): { post(msg: FromLocalGgufWorker): void; onMessage(h: (msg: ToLocalGgufWorker) => void): void } {
  const port = parentPort;
  if (port) return { post: (msg) => port.postMessage(msg), onMessage: (h) => port.on('message', h) };
  const send = process.send?.bind(process);
  if (!send) throw new Error('local-gguf-worker must run as a forked process or a worker thread');
  // The provider died or let go: nobody will ask for tokens again, so do not linger.
  process.on('disconnect', () => process.exit(0));
  return { post: (msg) => send(msg), onMessage: (h) => process.on('message', h) };
}

const channel = connect();
let lib: Promise<Lib> | null = null;
let llama: Promise<Llama> | null = null;
/** llama.cpp's latest error lines: its exceptions only say "Failed to load model". */
const llamaErrors: string[] = [];
const models = new Map<string, Promise<Loaded>>();
const grammars = new Map<string, Promise<LlamaGrammar>>();
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

/** A computed specifier, so that a bundler leaves the optional native package external. */
function importLib(): Promise<Lib> {
  const name = 'node-llama-cpp';
  lib ??= import(/* @vite-ignore */ name) as Promise<Lib>;
  return lib;
}

/**
 * CPU only and never a build or a download: Keel runs on machines without compilers or
 * network, so it is the prebuilt binary or nothing.
 */
function getLlama(threads: number): Promise<Llama> {
  llama ??= importLib().then((m) =>
    m.getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      maxThreads: threads,
      logLevel: m.LlamaLogLevel.error,
      logger: (_level, message) => {
        llamaErrors.push(message.trim());
        if (llamaErrors.length > 5) llamaErrors.shift();
      },
    }),
  );
  return llama.catch((err) => {
    throw new JobError('unavailable', messageOf(err));
  });
}

async function loadModel(job: GenerateJob): Promise<Loaded> {
  const instance = await getLlama(job.threads);
  const { LlamaChat, LlamaCompletion } = await importLib();
  llamaErrors.length = 0;
  const model = await instance.loadModel({ modelPath: job.modelPath }).catch(async (err) => {
    throw new JobError('load', `${messageOf(err)}${await llamaDetail()}`);
  });
  // "auto" sizing would take the model's full training context (huge for real models).
  const context = await model.createContext({ contextSize: job.contextSize ?? { max: 4096 }, threads: job.threads, sequences: 1 });
  const sequence = context.getSequence();
  const hasTemplate = Boolean(model.fileInfo.metadata.tokenizer?.chat_template);
  const chat = hasTemplate ? new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false }) : null;
  return { model, sequence, chat, completion: new LlamaCompletion({ contextSequence: sequence }) };
}

/** The log lines come through a native callback that lands after the rejection: wait for it. */
async function llamaDetail(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const line = llamaErrors.find((l) => l.includes('error loading model')) ?? llamaErrors.at(-1);
  return line ? ` (${line.replace(/^.*error loading model: /, '')})` : '';
}

function loaded(job: GenerateJob): Promise<Loaded> {
  let entry = models.get(job.modelPath);
  if (!entry) {
    entry = loadModel(job);
    models.set(job.modelPath, entry);
    // A failed load is not cached: the file may be fixed and asked for again.
    entry.catch(() => models.delete(job.modelPath));
  }
  return entry;
}

async function grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const key = JSON.stringify(schema);
  let grammar = grammars.get(key);
  if (!grammar) {
    const instance = await getLlama(1);
    grammar = instance.createGrammarForJsonSchema(schema as never);
    grammars.set(key, grammar);
    grammar.catch(() => grammars.delete(key));
  }
  return grammar.catch((err) => {
    throw new JobError('schema', messageOf(err));
  });
}

function toHistory(messages: GenerateJob['messages']): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
  );
  // An empty model turn asks for the reply; a trailing assistant message is continued instead.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

/** Without a chat template (stories260K has none) the messages are one plain text to continue. */
function promptTokens(m: Loaded, job: GenerateJob): number {
  if (m.chat) return m.chat.chatWrapper.generateContextState({ chatHistory: toHistory(job.messages) }).contextText.tokenize(m.model.tokenizer).length;
  return m.model.tokenize(plainPrompt(job)).length + 1;
}

const plainPrompt = (job: GenerateJob) => job.messages.map((m) => m.content).join('\n\n');

async function run(job: GenerateJob, signal: AbortSignal): Promise<void> {
  const m = await loaded(job);
  const grammar = job.jsonSchema ? await grammarFor(job.jsonSchema) : undefined;
  const size = m.sequence.context.contextSize;
  const needed = promptTokens(m, job);
  // llama.cpp would silently drop the start of the prompt (the instructions) to make it fit.
  if (needed >= size) throw new JobError('too-long', `the prompt is ${needed} tokens; the context holds ${size}`);
  if (signal.aborted) throw new JobError('cancelled', 'cancelled');
  // A clean sequence makes the token meter count the whole prompt, not what a cache missed.
  await m.sequence.clearHistory();
  const meter = m.sequence.tokenMeter;
  const before = meter.getState();
  // Read at the first token: later context shifts evaluate the kept text again, as input.
  let promptEvaluated: number | null = null;
  const options = {
    maxTokens: job.maxTokens,
    temperature: job.temperature,
    grammar,
    signal,
    stopOnAbortSignal: true,
    onToken: () => (promptEvaluated ??= meter.usedInputTokens - before.usedInputTokens),
    onTextChunk: (text: string) => channel.post({ type: 'token', id: job.id, text }),
  };
  const result = m.chat
    ? await m.chat.generateResponse(toHistory(job.messages), options)
    : await m.completion.generateCompletionWithMeta(plainPrompt(job), options);
  if (signal.aborted) throw new JobError('cancelled', 'cancelled');
  channel.post({
    type: 'done',
    id: job.id,
    text: result.response,
    inputTokens: promptEvaluated ?? meter.usedInputTokens - before.usedInputTokens,
    outputTokens: meter.usedOutputTokens - before.usedOutputTokens,
    stopReason: result.metadata.stopReason,
  });
}

function enqueue(job: GenerateJob): void {
  const controller = new AbortController();
  controllers.set(job.id, controller);
  queue = queue.then(async () => {
    try {
      if (controller.signal.aborted) throw new JobError('cancelled', 'cancelled');
      await run(job, controller.signal);
    } catch (err) {
      const code = err instanceof JobError ? err.code : controller.signal.aborted ? 'cancelled' : 'failed';
      channel.post({ type: 'error', id: job.id, code, message: messageOf(err) });
    } finally {
      controllers.delete(job.id);
    }
  });
}

async function probe(threads: number): Promise<void> {
  try {
    await getLlama(threads);
    channel.post({ type: 'probe', ok: true });
  } catch (err) {
    channel.post({ type: 'probe', ok: false, reason: messageOf(err) });
  }
}

/** Stops generation and frees llama.cpp before leaving, so nothing native runs at exit. */
async function close(): Promise<void> {
  for (const controller of controllers.values()) controller.abort();
  await queue;
  const instance = await llama?.catch(() => null);
  await instance?.dispose().catch(() => undefined);
  process.exit(0);
}

channel.onMessage((msg) => {
  if (msg.type === 'generate') enqueue(msg);
  else if (msg.type === 'abort') controllers.get(msg.id)?.abort();
  else if (msg.type === 'probe') void probe(msg.threads);
  else if (msg.type === 'close') void close();
});

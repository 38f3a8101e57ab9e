import { parentPort } from 'node:worker_threads';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import type { FromEmbedWorker, ToEmbedWorker } from './protocol';

/**
 * The embed worker: runs transformers.js + onnxruntime off the database thread, because a
 * batch of embeddings keeps a core busy for tens of milliseconds and would stall queries.
 * Handles one message at a time, in arrival order; the Embedder decides the order.
 *
 * It speaks the same messages as a worker thread (spawnWorker('embed-worker')) or as a forked
 * child process. The Embedder forks it: see worker-client.ts for why a thread will not do.
 */
interface Channel {
  post(msg: FromEmbedWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (msg: ToEmbedWorker) => void): void;
}

function connect(): Channel {
  const port = parentPort;
  if (port) {
    return { post: (msg, transfer) => port.postMessage(msg, transfer), onMessage: (h) => port.on('message', h) };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('embed-worker must run as a worker thread or a forked process');
  // The parent died or let go: nobody will ever ask for an embedding again, so do not linger.
  process.on('disconnect', () => process.exit(0));
  return { post: (msg) => send(msg), onMessage: (h) => process.on('message', h) };
}

const channel = connect();
const post = (msg: FromEmbedWorker, transfer: ArrayBuffer[] = []) => channel.post(msg, transfer);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let extractor: FeatureExtractionPipeline | null = null;

/** Local files only: Keel downloads models itself (with progress), and never caches copies. */
function configureEnv(modelsDir: string): void {
  env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.useBrowserCache = false;
}

async function embedRows(texts: string[]): Promise<{ vectors: Float32Array; dims: number }> {
  if (!extractor) throw new Error('no embedding model is loaded');
  const tensor = await extractor(texts, { pooling: 'mean', normalize: true });
  const dims = tensor.dims[1] ?? 0;
  // Copy out of the tensor so the buffer we transfer is ours alone, of exactly n * dims floats.
  const vectors = Float32Array.from(tensor.data as Float32Array);
  tensor.dispose();
  return { vectors, dims };
}

async function load(msg: Extract<ToEmbedWorker, { type: 'load' }>): Promise<void> {
  try {
    configureEnv(msg.modelsDir);
    await extractor?.dispose();
    extractor = await pipeline('feature-extraction', msg.modelId, { dtype: msg.dtype });
    // The model config does not reliably state the output width (tiny-embedder's says 384),
    // so ask the model itself.
    const probe = await embedRows(['probe']);
    post({ type: 'loaded', dims: probe.dims });
  } catch (err) {
    extractor = null;
    post({ type: 'error', message: messageOf(err) });
  }
}

async function embed(msg: Extract<ToEmbedWorker, { type: 'embed' }>): Promise<void> {
  try {
    const { vectors, dims } = await embedRows(msg.texts);
    post({ type: 'embedded', id: msg.id, vectors, dims }, [vectors.buffer as ArrayBuffer]);
  } catch (err) {
    post({ type: 'error', id: msg.id, message: messageOf(err) });
  }
}

// Serialise the work: onnxruntime would run concurrent calls anyway, but then a queued
// interactive batch could not overtake anything, so the Embedder sends one at a time and
// this chain keeps that promise even if it did not.
let chain: Promise<void> = Promise.resolve();
channel.onMessage((msg) => {
  chain = chain.then(() => (msg.type === 'load' ? load(msg) : embed(msg)));
});

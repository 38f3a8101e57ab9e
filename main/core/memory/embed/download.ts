import { statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EmbedDtype } from './protocol';

export const DEFAULT_MODEL_BASE_URL = 'https://huggingface.co';

/** The ONNX weights transformers.js loads for each dtype (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
const WEIGHTS: Record<EmbedDtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
};
/** Needed by a text feature-extraction pipeline; the weights come last (see modelFiles). */
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
/** Older repositories have it, newer ones fold it into tokenizer_config.json. */
const OPTIONAL = ['special_tokens_map.json'];

export interface DownloadProgress {
  /** The file being received (relative to the model folder). */
  file: string;
  /** Bytes received so far, over all files. */
  loadedBytes: number;
  /** Sum of the files' content-length, or null while any size is unknown. */
  totalBytes: number | null;
  /** True once, on the last report, when every file is in place. */
  done: boolean;
}

export interface DownloadOptions {
  /** Hugging Face hub layout: files at `${baseUrl}/${modelId}/resolve/main/${file}`. */
  baseUrl?: string;
  modelId: string;
  dtype: EmbedDtype;
  /** Files land in `${modelsDir}/${modelId}/`, where transformers.js' localModelPath looks. */
  modelsDir: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

interface ModelFile {
  file: string;
  optional: boolean;
}

/** The files of a model folder, weights last so the folder looks installed only at the end. */
export function modelFiles(dtype: EmbedDtype): ModelFile[] {
  return [
    ...REQUIRED.map((file) => ({ file, optional: false })),
    ...OPTIONAL.map((file) => ({ file, optional: true })),
    { file: WEIGHTS[dtype], optional: false },
  ];
}

/** Hub ids are `name` or `owner/name`; anything else (`..`, absolute paths) could escape modelsDir. */
export function assertModelId(modelId: string): void {
  const ok = /^[\w.-]+(\/[\w.-]+)?$/.test(modelId) && !modelId.split('/').some((part) => /^\.+$/.test(part));
  if (!ok) throw new Error(`"${modelId}" is not a model id (expected "name" or "owner/name").`);
}

/**
 * Whether the folder holds every file a load needs. Synchronous on purpose: four stats, and
 * the Embedder can then announce its first state in the same tick as start().
 */
export function isModelInstalled(modelsDir: string, modelId: string, dtype: EmbedDtype): boolean {
  assertModelId(modelId);
  return modelFiles(dtype)
    .filter((f) => !f.optional)
    .every((f) => isFile(join(modelsDir, modelId, f.file)));
}

/** False for anything unreadable too (modelsDir being a file, no permission): not installed. */
function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/**
 * Fetches a model folder. Every file is streamed to `<file>.part`; only when all of them have
 * arrived are they renamed into place (weights last), so an interrupted download never leaves
 * a folder, or a file, that looks complete. On failure the `.part` files are removed.
 */
export async function downloadModel(options: DownloadOptions): Promise<void> {
  assertModelId(options.modelId);
  const folder = join(options.modelsDir, options.modelId);
  // One controller for all requests: a failure in one file stops the others' bodies too.
  const inner = new AbortController();
  const stopInner = () => inner.abort();
  options.signal?.addEventListener('abort', stopInner, { once: true });
  const fetched: Fetched[] = [];
  try {
    options.signal?.throwIfAborted();
    fetched.push(...(await openAll(options, inner.signal)));
    await receiveAll(fetched, folder, options);
    for (const f of fetched) await rename(partPath(folder, f.file), join(folder, f.file));
    const loadedBytes = fetched.reduce((sum, f) => sum + f.received, 0);
    options.onProgress?.({ file: WEIGHTS[options.dtype], loadedBytes, totalBytes: loadedBytes, done: true });
  } catch (err) {
    inner.abort();
    await Promise.all(fetched.map((f) => rm(partPath(folder, f.file), { force: true })));
    throw options.signal?.aborted ? new Error(`the download of ${options.modelId} was cancelled`) : err;
  } finally {
    options.signal?.removeEventListener('abort', stopInner);
  }
}

interface Fetched extends ModelFile {
  url: string;
  response: Response;
  size: number | null;
  received: number;
}

const partPath = (folder: string, file: string) => join(folder, `${file}.part`);

/**
 * Sends every request at once and waits for their headers, so the total size is known before
 * the first byte is counted and the progress bar never jumps backwards.
 */
async function openAll(options: DownloadOptions, signal: AbortSignal): Promise<Fetched[]> {
  const base = (options.baseUrl ?? DEFAULT_MODEL_BASE_URL).replace(/\/+$/, '');
  const opened = await Promise.all(
    modelFiles(options.dtype).map(async (f): Promise<Fetched | null> => {
      const url = `${base}/${options.modelId}/resolve/main/${f.file}`;
      const response = await request(url, options.modelId, f.file, signal);
      if (response.status === 404 && f.optional) {
        await response.body?.cancel(); // release the connection of an answer we will not read
        return null;
      }
      if (!response.ok) throw downloadError(options.modelId, f.file, url, `HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length'));
      return { ...f, url, response, size: Number.isFinite(length) && length > 0 ? length : null, received: 0 };
    }),
  );
  return opened.filter((f): f is Fetched => f !== null);
}

async function request(url: string, modelId: string, file: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw downloadError(modelId, file, url, reasonOf(err));
  }
}

async function receiveAll(fetched: Fetched[], folder: string, options: DownloadOptions): Promise<void> {
  const sizes = fetched.map((f) => f.size);
  const totalBytes = sizes.every((s) => s !== null) ? sizes.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
  let loadedBytes = 0;
  for (const f of fetched) {
    await receive(f, folder, options.modelId, (bytes) => {
      loadedBytes += bytes;
      options.onProgress?.({ file: f.file, loadedBytes, totalBytes, done: false });
    });
  }
}

/** Streams one body to its .part file, checking it against content-length. */
async function receive(f: Fetched, folder: string, modelId: string, onBytes: (n: number) => void): Promise<void> {
  const part = partPath(folder, f.file);
  await mkdir(dirname(part), { recursive: true });
  const handle = await open(part, 'w');
  try {
    if (!f.response.body) throw new Error('the answer had no body');
    for await (const chunk of f.response.body) {
      await handle.write(chunk);
      f.received += chunk.byteLength;
      onBytes(chunk.byteLength);
    }
    if (f.size !== null && f.received !== f.size) throw new Error(`received ${f.received} of ${f.size} bytes`);
  } catch (err) {
    throw downloadError(modelId, f.file, f.url, reasonOf(err));
  } finally {
    await handle.close();
  }
}

function downloadError(modelId: string, file: string, url: string, reason: string): Error {
  return new Error(`could not download ${modelId}/${file} from ${url}: ${reason}`);
}

/** undici says "fetch failed" or "terminated" and hides the useful part in `cause`. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : null;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}

/**
 * Messages between the Embedder (on the database thread) and its embed worker. Internal to
 * main/core/memory/embed.
 */

/** The ONNX weight variants Keel knows how to fetch; each maps to one file in `onnx/`. */
export type EmbedDtype = 'fp32' | 'fp16' | 'q8' | 'q4';

export type ToEmbedWorker =
  | { type: 'load'; modelsDir: string; modelId: string; dtype: EmbedDtype }
  | { type: 'embed'; id: number; texts: string[] };

export type FromEmbedWorker =
  | { type: 'loaded'; dims: number }
  /** `vectors` holds n * dims floats, row after row, in the order of the texts. */
  | { type: 'embedded'; id: number; vectors: Float32Array; dims: number }
  /** Without `id`: loading failed. */
  | { type: 'error'; id?: number; message: string };

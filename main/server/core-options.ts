import { resolve } from 'node:path';
import { defaultDataDir } from '../core/data-folder/paths';

/** A wrong command line: the message says what, and the usage follows it. */
export class UsageError extends Error {}

/** The options every entry that opens a core takes: the data folder and the embedding model. */
export const CORE_OPTIONS = {
  data: { type: 'string' },
  models: { type: 'string', default: process.env.KEEL_MODELS_DIR },
  model: { type: 'string', default: process.env.KEEL_MODEL },
  'model-dtype': { type: 'string', default: process.env.KEEL_MODEL_DTYPE },
  'model-base-url': { type: 'string', default: process.env.KEEL_MODEL_BASE_URL },
  'no-model-download': { type: 'boolean', default: process.env.KEEL_NO_MODEL_DOWNLOAD === '1' },
} as const;

export const CORE_USAGE = `  --data DIR   data folder (default ~/.keel, or KEEL_DATA)
  --models DIR      where embedding models live (default DATA/models)
  --model ID        embedding model id (default Xenova/all-MiniLM-L6-v2), with --model-dtype fp32|fp16|q8|q4
  --model-base-url URL  where a missing model is downloaded from (default https://huggingface.co)
  --no-model-download   never download the model (semantic search stays off until it is installed)`;

interface CoreValues {
  data?: string;
  models?: string;
  model?: string;
  'model-dtype'?: string;
  'model-base-url'?: string;
  'no-model-download'?: boolean;
}

export const dataDirOf = (values: CoreValues): string => resolve(values.data ?? process.env.KEEL_DATA ?? defaultDataDir());

/** The embedding model flags as memory setting overrides (only those given). */
export function memoryOptions(values: CoreValues) {
  const dtype = values['model-dtype'];
  if (dtype !== undefined && !['fp32', 'fp16', 'q8', 'q4'].includes(dtype)) throw new UsageError(`--model-dtype must be fp32, fp16, q8 or q4, not "${dtype}".`);
  const embedding = {
    ...(values.model ? { modelId: values.model } : {}),
    ...(dtype ? { dtype: dtype as 'fp32' } : {}),
    ...(values['model-base-url'] ? { baseUrl: values['model-base-url'] } : {}),
    ...(values['no-model-download'] ? { autoDownload: false } : {}),
  };
  return { modelsDir: values.models ? resolve(values.models) : undefined, overrides: Object.keys(embedding).length ? { embedding } : undefined };
}

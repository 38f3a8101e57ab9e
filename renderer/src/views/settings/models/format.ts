import type { ModelRef, ProviderConfig } from '../../../../../shared/domain/models';

export const KIND_LABEL: Record<ProviderConfig['kind'], string> = { builtin: 'Built-in', 'openai-compatible': 'OpenAI-compatible', 'local-gguf': 'Local GGUF file' };

export function refText(ref: ModelRef, providers: ProviderConfig[]): string {
  const p = providers.find((x) => x.id === ref.provider);
  if (ref.provider === 'builtin') return 'Built-in rules (no model)';
  return `${ref.model} on ${p?.label ?? ref.provider}`;
}

/** A provider id from its label: lower-case letters, digits, dot, dash or underscore. */
export const slug = (label: string): string =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 63);

export const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

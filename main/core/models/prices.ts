import type { Price, Usage } from '../../../shared/domain/models';

/**
 * Starting prices (USD per million tokens) for well-known hosted models; the operator edits
 * the table in Settings. Models not listed cost 0 (local models, the builtin provider).
 */
export const DEFAULT_PRICES: readonly Omit<Price, 'provider'>[] = [
  { model: 'gpt-4o-mini', inputPerMTok: 0.15, outputPerMTok: 0.6 },
  { model: 'gpt-4o', inputPerMTok: 2.5, outputPerMTok: 10 },
  { model: 'gpt-4.1-mini', inputPerMTok: 0.4, outputPerMTok: 1.6 },
  { model: 'gpt-4.1', inputPerMTok: 2, outputPerMTok: 8 },
];

export function costOf(price: Pick<Price, 'inputPerMTok' | 'outputPerMTok'> | undefined, usage: Usage): number {
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

import { ProviderError, type GenerateRequest, type GenerateResult, type ModelProvider } from '../provider';

/**
 * The deterministic provider: no model, a rule per task (keyword intent, extraction by rules,
 * templated drafting, extractive summaries). Everything in Keel works with it, so the app is
 * useful before any model is set, and tests are reproducible. Tokens are counted as 0: no
 * model ran, nothing was spent.
 */
export class BuiltinProvider implements ModelProvider {
  readonly kind = 'builtin' as const;
  private readonly rules = new Map<string, (input: unknown) => unknown>([['check', () => 'ready']]);

  register(task: string, rule: (input: unknown) => unknown): void {
    this.rules.set(task, rule);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now();
    const rule = request.task ? this.rules.get(request.task) : undefined;
    if (!rule) throw new ProviderError('permanent', `The builtin provider has no rule for task "${request.task ?? '(none)'}"; assign this tier a language model.`);
    if (request.signal?.aborted) throw new ProviderError('cancelled', 'cancelled before it started');
    const text = JSON.stringify(rule(request.input));
    request.onToken?.(text);
    return { text, usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop', latencyMs: performance.now() - started };
  }
}

import type { OnExhausted } from '../../../shared/domain/kernel';
import { KernelError, StepFailed, toErrorBody } from './errors';

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export interface StepPolicy {
  retry?: Partial<RetryPolicy>;
  /** Each attempt is abandoned (and counts as a transient failure) after this long. */
  timeoutMs?: number;
  /** What happens when retries are exhausted or the failure is permanent. */
  onExhausted?: OnExhausted;
  /** Expected spend, checked against budgets before the step runs. */
  estimate?: { usd?: number; tokens?: number };
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 30_000, factor: 2 };
export const DEFAULT_ON_EXHAUSTED: OnExhausted = 'dead_letter';

/** Exponential backoff with full jitter, never shorter than the server's Retry-After. */
export function backoffMs(attempt: number, retry: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.min(retry.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

async function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (!timeoutMs) return fn(new AbortController().signal);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new KernelError('transient', `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one step body under its policy: retries transient failures with backoff, gives up at
 * once on any other kind, and turns the final failure into a StepFailed signal.
 */
export async function runWithPolicy<T>(
  fn: (signal: AbortSignal, attempt: number) => Promise<T>,
  policy: StepPolicy | undefined,
  step: { no: number; name: string },
): Promise<{ value: T; attempts: number }> {
  const retry = { ...DEFAULT_RETRY, ...policy?.retry };
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await withTimeout((signal) => fn(signal, attempt), policy?.timeoutMs), attempts: attempt };
    } catch (err) {
      const body = toErrorBody(err, step, attempt);
      if (body.kind !== 'transient' || attempt >= retry.maxAttempts) {
        throw new StepFailed(body, policy?.onExhausted ?? DEFAULT_ON_EXHAUSTED);
      }
      const retryAfter = err instanceof KernelError ? err.details?.retryAfterMs : undefined;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, retry, retryAfter)));
    }
  }
}

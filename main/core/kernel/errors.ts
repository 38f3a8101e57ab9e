import type { ErrorKind, KernelErrorBody, OnExhausted } from '../../../shared/domain/kernel';

/** An error with a kind; throw it from steps and adapters to say how the kernel should treat it. */
export class KernelError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown> & { retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'KernelError';
  }
}

export const transient = (message: string, details?: KernelError['details']) => new KernelError('transient', message, details);
export const permanent = (message: string, details?: KernelError['details']) => new KernelError('permanent', message, details);

/** Anything thrown becomes a structured body; unknown errors count as transient (retried, then the policy decides). */
export function toErrorBody(err: unknown, step?: { no: number; name: string }, attempts?: number): KernelErrorBody {
  const kind: ErrorKind = err instanceof KernelError ? err.kind : 'transient';
  const message = err instanceof Error ? err.message : String(err);
  const details = err instanceof KernelError && err.details ? stripUndefined(err.details) : undefined;
  return { kind, message, ...(step ? { step } : {}), ...(attempts ? { attempts } : {}), ...(details ? { details } : {}) };
}

function stripUndefined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/**
 * Control-flow signals thrown out of a workflow function. They unwind the workflow to the
 * runner, which records the outcome; workflow code must not swallow them (if it does, the
 * runner still sees them, see RunContext.signal).
 */
export class Suspend {
  /** `shutdown`: the kernel is stopping; every other reason was recorded with its step. */
  constructor(readonly reason: 'sleep' | 'approval' | 'child' | 'shutdown') {}
}

export class StepFailed {
  constructor(
    readonly error: KernelErrorBody,
    readonly onExhausted: OnExhausted,
    /** The step's kind, for its failure record; absent when the failure is outside any step. */
    readonly stepKind?: string,
  ) {}
}

export class BudgetExceeded {
  constructor(readonly error: KernelErrorBody) {}
}

export class Cancelled {}

export class DeterminismViolation {
  constructor(readonly error: KernelErrorBody) {}
}

export type Signal = Suspend | StepFailed | BudgetExceeded | Cancelled | DeterminismViolation;

export function isSignal(value: unknown): value is Signal {
  return (
    value instanceof Suspend ||
    value instanceof StepFailed ||
    value instanceof BudgetExceeded ||
    value instanceof Cancelled ||
    value instanceof DeterminismViolation
  );
}

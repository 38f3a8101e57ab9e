import { ApiError, type ApiErrorCode } from '../../../shared/api/errors';
import { errorMessage } from './timing';

/**
 * What an action the operator took came to, for the view to show next to its control: done
 * (with what the call returned), or refused with the API's own message, code and problems.
 */
export type Outcome<T = undefined> = { ok: true; value: T } | { ok: false; error: string; code: ApiErrorCode | null; issues: string[] };

export function failed(err: unknown): Extract<Outcome<never>, { ok: false }> {
  if (err instanceof ApiError) return { ok: false, error: err.message, code: err.code, issues: (err.issues ?? []).map((i) => i.message) };
  return { ok: false, error: errorMessage(err), code: null, issues: [] };
}

/** Runs a call and turns a refusal into an Outcome instead of a throw. */
export async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return failed(err);
  }
}

import { z } from 'zod';

/**
 * Every failed call answers with one of these codes; clients switch on `code`,
 * people read `message`. Declared once here, used by every transport.
 */
export const ApiErrorCode = z.enum([
  'bad_message', // the envelope itself is not a call (not JSON, wrong shape)
  'unknown_method', // no call of that name in the contract
  'invalid_input', // the input fails the call's schema
  'unauthorized', // transport-level: missing or wrong token, foreign sender
  'unavailable', // the core is not ready (database opening or failed)
  'not_found',
  'conflict',
  'internal', // a bug: the message is safe to show, details are in the log
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiIssue = z.object({ path: z.string(), message: z.string() });
export type ApiIssue = z.infer<typeof ApiIssue>;

export const ApiErrorBody = z.object({
  code: ApiErrorCode,
  message: z.string(),
  issues: z.array(ApiIssue).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** The error a client throws for a failed call; it keeps the typed body. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues?: ApiIssue[];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.issues = body.issues;
  }
  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

/** A call's answer as it crosses a boundary: never a thrown error, always this envelope. */
export type ApiResult<T = unknown> = { ok: true; output: T } | { ok: false; error: ApiErrorBody };

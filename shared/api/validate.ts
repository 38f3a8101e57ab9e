import type { z } from 'zod';
import { calls, events, isCallName, type CallName, type CallOutput, type EventName } from './contract';
import type { ApiErrorBody, ApiIssue } from './errors';

/** Longest message we echo in an issue: never reflect a 10 MB input back to the caller. */
const MAX_ISSUE_TEXT = 200;

function toIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.').slice(0, MAX_ISSUE_TEXT) || '(input)',
    message: issue.message.slice(0, MAX_ISSUE_TEXT),
  }));
}

export type Validated<N extends CallName = CallName> =
  | { ok: true; method: N; input: z.output<(typeof calls)[N]['input']> }
  | { ok: false; error: ApiErrorBody };

/** Checks a call's name and input against the contract; the one gate every transport uses. */
export function validateCall(method: unknown, rawInput: unknown): Validated {
  if (!isCallName(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : typeof method;
    return { ok: false, error: { code: 'unknown_method', message: `There is no API call named ${shown}.` } };
  }
  const parsed = calls[method].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    const first = issues[0];
    return {
      ok: false,
      error: {
        code: 'invalid_input',
        message: `Invalid input for ${method}: ${first ? `${first.path}: ${first.message}` : 'rejected by its schema'}.`,
        issues,
      },
    };
  }
  return { ok: true, method, input: parsed.data };
}

/** Output is checked too, so a core bug surfaces as `internal` instead of a malformed answer. */
export function validateOutput<N extends CallName>(method: N, output: unknown):
  | { ok: true; output: CallOutput<N> }
  | { ok: false; error: ApiErrorBody } {
  const parsed = calls[method].output.safeParse(output);
  if (parsed.success) return { ok: true, output: parsed.data as CallOutput<N> };
  return {
    ok: false,
    error: { code: 'internal', message: `The core answered ${method} with data that breaks the contract.`, issues: toIssues(parsed.error) },
  };
}

export function validateEventPayload(event: EventName, payload: unknown): boolean {
  return events[event].payload.safeParse(payload).success;
}

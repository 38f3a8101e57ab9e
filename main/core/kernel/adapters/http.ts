import { z } from 'zod';
import { KernelError } from '../errors';
import { defineAction, type Adapter } from './adapter';

const MAX_BODY_CHARS = 1_000_000;

const Request = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  body: z.unknown().optional(),
  headers: z.record(z.string().max(200), z.string().max(8_000)).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
});
type Request = z.infer<typeof Request>;

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function send(method: 'POST' | 'PUT', args: Request, key: string, signal: AbortSignal) {
  const timeout = AbortSignal.timeout(args.timeoutMs ?? 30_000);
  let res: Response;
  try {
    res = await fetch(args.url, {
      method,
      headers: { 'content-type': 'application/json', ...args.headers, 'idempotency-key': key },
      body: args.body === undefined ? undefined : JSON.stringify(args.body),
      signal: AbortSignal.any([signal, timeout]),
    });
  } catch (err) {
    // Network failures (refused, reset, timeout) may succeed later.
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new KernelError('transient', `${method} ${args.url} did not complete (${cause}).`);
  }
  const text = (await res.text()).slice(0, MAX_BODY_CHARS);
  let body: unknown = text;
  if (res.headers.get('content-type')?.includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
  }
  if (res.ok) return { status: res.status, body };
  const transient = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new KernelError(transient ? 'transient' : 'permanent', `${method} ${args.url} answered ${res.status} ${res.statusText}.`, {
    status: res.status,
    body: typeof body === 'string' ? body.slice(0, 2_000) : body,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  });
}

/**
 * POST and PUT with an `Idempotency-Key` header (the effect's key, the same on every replay).
 * 2xx is success; 408, 429 and 5xx are transient (Retry-After honoured); other 4xx are permanent.
 */
export function httpAdapter(): Adapter {
  return {
    name: 'http',
    version: '1',
    actions: {
      post: defineAction({ risk: 'medium', summary: 'POST JSON to a URL.', args: Request, run: (a, c) => send('POST', a, c.idempotencyKey, c.signal) }),
      put: defineAction({ risk: 'medium', summary: 'PUT JSON to a URL.', args: Request, run: (a, c) => send('PUT', a, c.idempotencyKey, c.signal) }),
    },
  };
}

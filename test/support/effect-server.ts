import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  seq: number;
  method: string;
  path: string;
  key: string | null;
  body: unknown;
  status: number;
}

export type Decide = (req: { method: string; path: string; key: string | null; body: unknown; attempt: number }) => { status: number; retryAfter?: string } | null;

/**
 * A real HTTP server on 127.0.0.1 standing in for the outside world. It honours
 * Idempotency-Key the way a payment or mail API does: the first successful request with a
 * key is applied, later ones with the same key get the same answer without applying again.
 * `decide` can fail requests (503, 400, ...) before they are applied.
 */
export class EffectServer {
  readonly log: Delivery[] = [];
  readonly applied = new Map<string, { path: string; body: unknown }>();
  readonly received = new Map<string, number>();
  private server: Server;
  private listeners: ((d: Delivery) => void)[] = [];
  url = '';

  constructor(private decide: Decide = () => null) {
    this.server = createServer((req, res) => void this.handle(req).then(({ status, headers, body }) => res.writeHead(status, headers).end(JSON.stringify(body))));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  setDecide(decide: Decide): void {
    this.decide = decide;
  }

  onDelivery(fn: (d: Delivery) => void): void {
    this.listeners.push(fn);
  }

  private async handle(req: IncomingMessage) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : null;
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const path = req.url ?? '/';
    const attempt = key ? (this.received.get(key) ?? 0) + 1 : 1;
    if (key) this.received.set(key, attempt);
    let status = 200;
    let headers: Record<string, string> = { 'content-type': 'application/json' };
    let answer: unknown;
    if (key && this.applied.has(key)) {
      answer = { ok: true, replayed: true };
    } else {
      const forced = this.decide({ method: req.method ?? 'GET', path, key, body, attempt });
      if (forced) {
        status = forced.status;
        if (forced.retryAfter) headers = { ...headers, 'retry-after': forced.retryAfter };
        answer = { error: `forced ${forced.status}` };
      } else {
        if (key) this.applied.set(key, { path, body });
        answer = { ok: true, applied: this.applied.size };
      }
    }
    const delivery = { seq: this.log.length + 1, method: req.method ?? 'GET', path, key, body, status };
    this.log.push(delivery);
    for (const fn of this.listeners) fn(delivery);
    return { status, headers, body: answer };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

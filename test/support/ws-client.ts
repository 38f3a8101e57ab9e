import WebSocket from 'ws';
import type { ServerMessage } from '../../shared/api/protocol';

type EventMessage = Extract<ServerMessage, { type: 'event' }>;

/** A raw API client over a real WebSocket, for tests that send exactly what they mean. */
export class TestSocket {
  private nextId = 1;
  private readonly waiting = new Map<string | number | null, ((msg: ServerMessage) => void)[]>();
  readonly events: ServerMessage[] = [];
  private readonly eventWaiters: { pred: (e: EventMessage) => boolean; resolve: () => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (msg.type === 'event') {
        this.events.push(msg);
        for (const w of [...this.eventWaiters]) if (w.pred(msg)) this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1) && w.resolve();
        return;
      }
      const queue = this.waiting.get(msg.id);
      queue?.shift()?.(msg);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends a raw frame and waits for the answer carrying `id` (null for envelope errors). */
  sendRaw(frame: string | Buffer, id: string | number | null, binary = false): Promise<ServerMessage> {
    const answer = new Promise<ServerMessage>((resolve) => {
      const queue = this.waiting.get(id) ?? [];
      queue.push(resolve);
      this.waiting.set(id, queue);
    });
    this.ws.send(frame, { binary });
    return answer;
  }

  call(method: unknown, input?: unknown): Promise<ServerMessage> {
    const id = this.nextId++;
    return this.sendRaw(JSON.stringify({ type: 'call', id, method, input }), id);
  }

  /** A call's output; a refused call fails with the whole answer in the message. */
  async output<T = any>(method: string, input: unknown = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const answer = await this.call(method, input);
    if (answer.type !== 'result' || !answer.ok) throw new Error(`${method} failed: ${JSON.stringify(answer)}`);
    return answer.output as T;
  }

  /** Resolves once a pushed event matching `pred` has arrived (already or later). */
  waitForEvent(pred: (e: EventMessage) => boolean): Promise<void> {
    if (this.events.some((e) => e.type === 'event' && pred(e))) return Promise.resolve();
    return new Promise((resolve) => this.eventWaiters.push({ pred, resolve }));
  }

  close(): void {
    this.ws.close();
  }
}

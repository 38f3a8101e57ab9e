import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT } from './server-process';

/** Workflows that fill the ledger with real events (run by the built server: `--workflows`). */
export const TIMELINE_WORKFLOWS = join(ROOT, 'test', 'fixtures', 'timeline-workflows.mjs');

/**
 * The API over one WebSocket that looks only at answers and run changes: a hundred thousand
 * pushed ledger events stream past while seeding, and parsing them would take the CPU the
 * server needs.
 */
export class ApiSocket {
  private nextId = 1;
  private readonly answers = new Map<number, (msg: { ok: boolean; output?: unknown; error?: unknown }) => void>();
  private readonly runWatchers = new Set<(run: { id: string; status: string }) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"event"')) {
        if (!text.includes('"event":"runs.changed"')) return;
        const { payload } = JSON.parse(text) as { payload: { id: string; status: string } };
        for (const w of this.runWatchers) w(payload);
        return;
      }
      const msg = JSON.parse(text) as { id: number; ok: boolean; output?: unknown; error?: unknown };
      this.answers.get(msg.id)?.(msg);
      this.answers.delete(msg.id);
    });
  }

  static open(url: string): Promise<ApiSocket> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ApiSocket(ws)));
      ws.once('error', reject);
    });
  }

  async call<T>(method: string, input: unknown): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<{ ok: boolean; output?: unknown; error?: unknown }>((resolve) => this.answers.set(id, resolve));
    this.ws.send(JSON.stringify({ type: 'call', id, method, input }));
    const msg = await answer;
    if (!msg.ok) throw new Error(`${method} failed: ${JSON.stringify(msg.error).slice(0, 500)}`);
    return msg.output as T;
  }

  /** Resolves once `expected` of the runs in `ids` have ended (ids may be added until then: call `recheck`). */
  runsEnded(ids: Set<string>, expected: number): Promise<void> {
    // A run can end before runs.start has answered with its id: every ended run is kept.
    const ended = new Set<string>();
    return new Promise((resolve) => {
      const check = () => {
        let n = 0;
        for (const id of ids) if (ended.has(id)) n++;
        if (n < expected) return;
        this.runWatchers.delete(watch);
        resolve();
      };
      const watch = ({ id, status }: { id: string; status: string }) => {
        if (!['succeeded', 'failed', 'dead_lettered', 'paused'].includes(status)) return;
        ended.add(id);
        check();
      };
      this.runWatchers.add(watch);
      this.recheck = check;
    });
  }

  /** Checks again after ids were added to the set given to runsEnded. */
  recheck = () => {};

  close(): void {
    this.ws.close();
  }
}

/** The shape of the seeded ledger, so tests can say what each filter must find. */
export const SEED = {
  /** 400 runs of 248 steps: each run writes run.started, its steps and run.finished (250 events). */
  runs: 400,
  steps: 248,
  agents: ['drafter', 'triage', 'extractor', 'reconciler'],
  /** Runs whose index is 3 mod 10 fail at their last step; reconciler's are those 3 mod 20. */
  fails: (i: number) => i % 10 === 3,
  /** Planner runs, each handing work to a child run that fails. */
  parents: 3,
};

/**
 * Fills the ledger with more than 100,000 events by running real workflows through the API
 * (four at a time in the kernel, its default): bulk runs with model calls and failures, odd ones
 * in the app `books`, and parents with failing children. Returns the ledger's event count.
 */
export async function seedLedger(socket: ApiSocket): Promise<number> {
  const ids = new Set<string>();
  const finished = socket.runsEnded(ids, SEED.runs + SEED.parents);
  for (let i = 0; i < SEED.runs; i++) {
    const input = { steps: SEED.steps, batch: i, fail: SEED.fails(i) };
    const { id } = await socket.call<{ id: string }>('runs.start', { workflow: 'timeline.bulk', agent: SEED.agents[i % 4], app: i % 2 ? 'books' : undefined, input });
    ids.add(id);
  }
  // Each parent hands work to a child run, which ends before its parent does.
  for (let i = 0; i < SEED.parents; i++) ids.add((await socket.call<{ id: string }>('runs.start', { workflow: 'timeline.parent', input: { topic: `Q${i + 1} report` } })).id);
  socket.recheck();
  await finished;
  return (await socket.call<{ total: number }>('timeline.count', {})).total;
}

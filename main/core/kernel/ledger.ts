import { createHash } from 'node:crypto';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Actor, LedgerEvent, LedgerVerification } from '../../../shared/domain/kernel';
import { jsonLit, lit } from './sql-literal';

export type Queryable = Pick<PGlite | Transaction, 'query'>;

/** What a caller says about an event; the ledger adds seq, time and the hash chain. */
export interface NewLedgerEvent {
  type: string;
  actor: Actor;
  runId?: string | null;
  stepNo?: number | null;
  traceId?: string | null;
  spanId?: string | null;
  parentSpan?: string | null;
  agent?: string | null;
  app?: string | null;
  costUsd?: number;
  tokens?: number;
  data?: unknown;
}

export interface LedgerRow {
  seq: number;
  at: string;
  type: string;
  actor_kind: string;
  actor: string;
  run_id: string | null;
  step_no: number | null;
  trace_id: string | null;
  span_id: string | null;
  parent_span: string | null;
  agent: string | null;
  app: string | null;
  cost_usd: number;
  tokens: number;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);
export const LEDGER_COLUMNS = ['seq', 'at', 'type', 'actor_kind', 'actor', 'run_id', 'step_no', 'trace_id', 'span_id', 'parent_span', 'agent', 'app', 'cost_usd', 'tokens', 'data', 'prev_hash', 'hash'] as const;

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields that are hashed, in a fixed order; only `data` needs canonical key order. */
export function hashRow(row: Omit<LedgerRow, 'hash'>): string {
  const fields = [row.seq, row.at, row.type, row.actor_kind, row.actor, row.run_id, row.step_no, row.trace_id, row.span_id, row.parent_span, row.agent, row.app, row.cost_usd, row.tokens];
  return createHash('sha256').update(row.prev_hash).update(JSON.stringify(fields)).update(canonicalJson(row.data)).digest('hex');
}

/** A row's values as SQL literals, in LEDGER_COLUMNS order (for the simple-protocol hot path). */
export function ledgerValues(row: LedgerRow): string[] {
  return LEDGER_COLUMNS.map((col) => (col === 'data' ? jsonLit(row.data ?? {}) : lit(row[col])));
}

export function ledgerInsertLiteral(rows: LedgerRow[]): string {
  return `INSERT INTO kernel_ledger (${LEDGER_COLUMNS.join(', ')}) VALUES ${rows.map((row) => `(${ledgerValues(row).join(', ')})`).join(', ')}`;
}

/** `($1, $2, ...), (...)` and the flat parameter list for inserting ledger rows. */
export function ledgerInsert(rows: LedgerRow[], offset = 0): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = LEDGER_COLUMNS.map((col) => {
      params.push(col === 'data' ? JSON.stringify(row.data ?? null) : row[col]);
      return `$${offset + params.length}`;
    });
    return `(${marks.join(', ')})`;
  });
  return { sql: `INSERT INTO kernel_ledger (${LEDGER_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params };
}

/**
 * The append-only, hash-chained event log. Writes are serialised (one chain, one writer);
 * each event is inserted by the caller in the same statement or transaction as the state
 * change it records, and the chain head only advances once that commits.
 */
export class Ledger {
  private head: { seq: number; hash: string } = { seq: 0, hash: GENESIS };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly now: () => number) {}

  async load(db: Queryable): Promise<void> {
    const { rows } = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM kernel_ledger ORDER BY seq DESC LIMIT 1');
    this.head = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: GENESIS };
  }

  /**
   * Runs `fn` with a `stage` function that turns events into chained rows. `fn` must write
   * those rows (with `ledgerInsert`) together with its state change; if it throws, nothing
   * advances.
   */
  write<T>(fn: (stage: (event: NewLedgerEvent) => LedgerRow) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      let cursor = this.head;
      const stage = (event: NewLedgerEvent): LedgerRow => {
        const base = {
          seq: cursor.seq + 1,
          at: new Date(this.now()).toISOString(),
          type: event.type,
          actor_kind: event.actor.kind,
          actor: event.actor.name,
          run_id: event.runId ?? null,
          step_no: event.stepNo ?? null,
          trace_id: event.traceId ?? null,
          span_id: event.spanId ?? null,
          parent_span: event.parentSpan ?? null,
          agent: event.agent ?? null,
          app: event.app ?? null,
          cost_usd: event.costUsd ?? 0,
          tokens: event.tokens ?? 0,
          data: normalise(event.data ?? {}),
          prev_hash: cursor.hash,
        };
        const row = { ...base, hash: hashRow(base) };
        cursor = { seq: row.seq, hash: row.hash };
        return row;
      };
      const result = await fn(stage);
      this.head = cursor;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Walks the whole chain and reports the first event whose link or content does not hold. */
  async verify(db: Queryable): Promise<LedgerVerification> {
    let prev = { seq: 0, hash: GENESIS };
    let checked = 0;
    for (;;) {
      const { rows } = await db.query<Omit<LedgerRow, 'at'> & { at: Date }>(
        `SELECT ${LEDGER_COLUMNS.join(', ')} FROM kernel_ledger WHERE seq > $1 ORDER BY seq LIMIT 2000`,
        [prev.seq],
      );
      if (rows.length === 0) return { ok: true, checked, brokenAt: null, reason: null };
      for (const raw of rows) {
        const row = fromDb(raw);
        const broken = (reason: string) => ({ ok: false, checked, brokenAt: row.seq, reason });
        if (row.seq !== prev.seq + 1) return { ok: false, checked, brokenAt: prev.seq + 1, reason: `event ${prev.seq + 1} is missing (next is ${row.seq})` };
        if (row.prev_hash !== prev.hash) return broken(`event ${row.seq} does not link to event ${prev.seq}`);
        const { hash, ...rest } = row;
        if (hashRow(rest) !== hash) return broken(`event ${row.seq} was altered after it was written`);
        prev = { seq: row.seq, hash };
        checked++;
      }
    }
  }
}

/** JSON round trip, as jsonb will store it, so the hash is over what is read back. */
function normalise(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data));
}

export function fromDb(raw: Omit<LedgerRow, 'at'> & { at: Date | string }): LedgerRow {
  return {
    ...raw,
    seq: Number(raw.seq),
    at: typeof raw.at === 'string' ? raw.at : raw.at.toISOString(),
    step_no: raw.step_no === null ? null : Number(raw.step_no),
    cost_usd: Number(raw.cost_usd),
    tokens: Number(raw.tokens),
  };
}

export function toLedgerEvent(row: LedgerRow): LedgerEvent {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actor: { kind: row.actor_kind as LedgerEvent['actor']['kind'], name: row.actor },
    runId: row.run_id,
    stepNo: row.step_no,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpan: row.parent_span,
    agent: row.agent,
    app: row.app,
    costUsd: row.cost_usd,
    tokens: row.tokens,
    data: row.data,
    hash: row.hash,
  };
}

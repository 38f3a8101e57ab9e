import type { Transaction } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';
import type { Memory, MemoryAction, MemoryChange, MemoryKind, MemoryStatus, Provenance } from '../../../../shared/domain/memory';
import { decodeCursor, encodeCursor } from '../../db/cursor';
import { newId } from '../../kernel/ids';
import type { MemoryContext } from '../context';
import { MEMORY_COLUMNS, normHash, toChange, toMemory, type HistoryRow, type MemoryRow } from './rows';

export interface RememberInput {
  kind: MemoryKind;
  text: string;
  entityId?: string | null;
  attribute?: string | null;
  value?: string | null;
  provenance?: Provenance;
  confidence?: number;
  validFrom?: string;
  validTo?: string | null;
  pinned?: boolean;
  status?: MemoryStatus;
  /** Older memories this one replaces: they are superseded, their validity closed. */
  replaces?: string[];
}

export type MemoryPatch = Partial<Pick<Memory, 'kind' | 'text' | 'entityId' | 'attribute' | 'value' | 'confidence' | 'validFrom' | 'validTo'>>;
export type StatusAction = 'pin' | 'unpin' | 'archive' | 'mark_stale' | 'confirm' | 'forget' | 'activate';

/** Inside a change: read a memory for update, and save (or delete) its next state. */
interface ChangeOps {
  tx: Transaction;
  now: string;
  changeId: string;
  load(id: string): Promise<Memory>;
  save(before: Memory | null, after: Memory | null, action?: MemoryAction): Promise<void>;
}

const sameText = (a: Memory | null, b: Memory | null) => a?.text === b?.text && a?.attribute === b?.attribute;

/** Two states of a memory say the same, whatever their version, timestamps of writing or vector. */
function sameContent(a: Memory | null, b: Memory | null): boolean {
  if (a === null || b === null) return a === b;
  const strip = ({ version: _v, updatedAt: _u, embedded: _e, ...rest }: Memory) => JSON.stringify(rest, Object.keys(rest).sort());
  return strip(a) === strip(b);
}

/**
 * Long-term memories. Every change is one transaction holding the new rows, a history row
 * per memory touched (the whole record before and after) and the ledger event, so any change
 * can be shown and undone. A fact replaced by a newer one is superseded with its validity
 * closed, never deleted, so "what was true on that date" has an answer.
 */
export class Memories {
  /** Bumped after every committed change: search caches memory metadata against it. */
  generation = 0;

  constructor(private readonly m: MemoryContext) {}

  async remember(input: RememberInput, actor: string): Promise<{ memory: Memory; changeId: string }> {
    if (input.entityId) await this.assertEntity(input.entityId);
    let created!: Memory;
    const changeId = await this.change('remember', actor, async (ops) => {
      const at = input.validFrom ?? ops.now;
      created = {
        id: newId(),
        kind: input.kind,
        text: input.text.trim(),
        entityId: input.entityId ?? null,
        attribute: input.attribute ?? null,
        value: input.value ?? null,
        provenance: input.provenance ?? {},
        confidence: input.confidence ?? 1,
        status: input.status ?? 'active',
        pinned: input.pinned ?? false,
        supersededBy: null,
        version: 1,
        embedded: false,
        createdAt: ops.now,
        updatedAt: ops.now,
        lastConfirmedAt: ops.now,
        validFrom: at,
        validTo: input.validTo ?? null,
      };
      await ops.save(null, created);
      for (const old of input.replaces ?? []) {
        const before = await ops.load(old);
        await ops.save(before, { ...before, status: 'superseded', supersededBy: created.id, validTo: at, updatedAt: ops.now, version: before.version + 1 }, 'supersede');
      }
    });
    return { memory: (await this.get(created.id)) ?? created, changeId };
  }

  /** Edits a memory; `accept` also makes a memory pending review active (the operator wrote it). */
  async update(id: string, patch: MemoryPatch, actor: string, accept = false): Promise<{ memory: Memory; changeId: string }> {
    if (patch.entityId) await this.assertEntity(patch.entityId);
    const changeId = await this.change('update', actor, async (ops) => {
      const before = await ops.load(id);
      const status = accept && before.status === 'pending_review' ? 'active' : before.status;
      const after: Memory = { ...before, ...stripUndefined(patch), text: (patch.text ?? before.text).trim(), status, updatedAt: ops.now, version: before.version + 1 };
      await ops.save(before, after);
    });
    return { memory: (await this.get(id))!, changeId };
  }

  /** One status action on one memory or several (one change, undone as one). */
  async setStatus(ids: string | string[], action: StatusAction, actor: string): Promise<string> {
    const recorded: MemoryAction = action === 'activate' ? 'update' : action;
    return this.change(recorded, actor, async (ops) => {
      for (const id of Array.isArray(ids) ? ids : [ids]) {
        const before = await ops.load(id);
        if (action === 'forget') {
          await ops.save(before, null);
          continue;
        }
        const next: Partial<Memory> =
          // Pinning or confirming a memory pending review is the operator's word for it: it becomes active.
          action === 'pin' ? { pinned: true, status: before.status === 'pending_review' ? 'active' : before.status }
          : action === 'unpin' ? { pinned: false }
          : action === 'archive' ? { status: 'archived' }
          : action === 'mark_stale' ? { status: 'stale' }
          : action === 'confirm' ? { lastConfirmedAt: ops.now, status: before.status === 'stale' || before.status === 'pending_review' ? 'active' : before.status }
          : { status: 'active', supersededBy: null, validTo: null };
        await ops.save(before, { ...before, ...next, updatedAt: ops.now, version: before.version + 1 });
      }
    });
  }

  /** The memories in `ids` are no longer true: `by` replaces them from its own start (one change). */
  async supersede(ids: string[], by: string, actor: string): Promise<string> {
    if (ids.includes(by)) throw new ApiError({ code: 'invalid_input', message: 'A memory cannot supersede itself.' });
    return this.change('supersede', actor, async (ops) => {
      const newer = await ops.load(by);
      for (const id of ids) {
        const before = await ops.load(id);
        const end = newer.validFrom > before.validFrom ? newer.validFrom : ops.now;
        await ops.save(before, { ...before, status: 'superseded', supersededBy: by, validTo: end, updatedAt: ops.now, version: before.version + 1 });
      }
    });
  }

  /** Keeps one memory (with the others' provenance noted) and supersedes the rest by it. */
  async merge(ids: string[], into: string | undefined, text: string | undefined, actor: string): Promise<{ memory: Memory; changeId: string }> {
    const keepId = into ?? ids[0]!;
    if (!ids.includes(keepId)) ids = [keepId, ...ids];
    const changeId = await this.change('merge', actor, async (ops) => {
      const keep = await ops.load(keepId);
      const others = await Promise.all(ids.filter((i) => i !== keepId).map((i) => ops.load(i)));
      const confidence = Math.max(keep.confidence, ...others.map((o) => o.confidence));
      await ops.save(keep, { ...keep, text: text?.trim() ?? keep.text, confidence, pinned: keep.pinned || others.some((o) => o.pinned), updatedAt: ops.now, lastConfirmedAt: ops.now, version: keep.version + 1 });
      for (const o of others) await ops.save(o, { ...o, status: 'superseded', supersededBy: keepId, validTo: ops.now, updatedAt: ops.now, version: o.version + 1 });
    });
    return { memory: (await this.get(keepId))!, changeId };
  }

  /**
   * Undoes a change: each memory it touched goes back to its state before, as a new change
   * (itself undoable). Refused when a memory was changed again since, naming it.
   */
  async undo(changeId: string, actor: string): Promise<string> {
    const { rows } = await this.m.db.query<HistoryRow>('SELECT * FROM memory_item_history WHERE change_id = $1 ORDER BY seq DESC', [changeId]);
    if (rows.length === 0) throw new ApiError({ code: 'not_found', message: `There is no memory change ${changeId}.` });
    if (rows[0]!.undone_by) throw new ApiError({ code: 'conflict', message: `Change ${changeId} was undone already (by ${rows[0]!.undone_by}).` });
    const undoId = await this.change('undo', actor, async (ops) => {
      for (const h of rows) {
        const current = await this.find(ops.tx, h.memory_id, true);
        // What matters is what the memory says now, not how often it was written: a later
        // change that was itself undone leaves it as this change left it.
        if (!sameContent(current, h.after)) {
          throw new ApiError({ code: 'conflict', message: `Memory ${h.memory_id} changed after ${changeId}; undo the later change first.` });
        }
        const restored = h.before ? { ...h.before, version: (current?.version ?? h.before.version) + 1, updatedAt: ops.now } : null;
        await ops.save(current, restored, 'undo');
      }
      await ops.tx.query('UPDATE memory_item_history SET undone_by = $2 WHERE change_id = $1', [changeId, ops.changeId]);
    });
    return undoId;
  }

  // ---- reading ----

  async get(id: string): Promise<Memory | null> {
    const row = await this.find(this.m.db, id);
    return row;
  }

  async mustGet(id: string): Promise<Memory> {
    const mem = await this.get(id);
    if (!mem) throw new ApiError({ code: 'not_found', message: `There is no memory ${id}.` });
    return mem;
  }

  async list(q: { statuses?: MemoryStatus[]; kinds?: MemoryKind[]; entityId?: string; limit: number; cursor?: string }): Promise<{ memories: Memory[]; nextCursor: string | null }> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const { rows } = await this.m.db.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM memory_items
       WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text[] IS NULL OR kind = ANY($2)) AND ($3::text IS NULL OR entity_id = $3)
         AND ($4::timestamptz IS NULL OR (updated_at, id) < ($4::timestamptz, $5::text))
       ORDER BY updated_at DESC, id DESC LIMIT $6`,
      [q.statuses ?? null, q.kinds ?? null, q.entityId ?? null, after?.[0] ?? null, after?.[1] ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit).map(toMemory);
    const last = page.at(-1);
    return { memories: page, nextCursor: rows.length > q.limit && last ? encodeCursor(last.updatedAt, last.id) : null };
  }

  async history(memoryId: string | undefined, limit: number): Promise<MemoryChange[]> {
    const { rows } = await this.m.db.query<HistoryRow>(
      `SELECT * FROM memory_item_history WHERE ($1::text IS NULL OR memory_id = $1) ORDER BY seq DESC LIMIT $2`,
      [memoryId ?? null, limit],
    );
    return rows.map(toChange);
  }

  private async find(db: Pick<Transaction, 'query'>, id: string, lock = false): Promise<Memory | null> {
    const { rows } = await db.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM memory_items WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toMemory(rows[0]) : null;
  }

  private async assertEntity(id: string): Promise<void> {
    const { rows } = await this.m.db.query('SELECT 1 FROM memory_entities WHERE id = $1', [id]);
    if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no entity ${id}.` });
  }

  // ---- the one way memories change ----

  /** Runs `fn` as one change: rows, history and ledger event in one transaction. */
  private async change(action: MemoryAction, actor: string, fn: (ops: ChangeOps) => Promise<void>): Promise<string> {
    const changeId = newId();
    const touched: string[] = [];
    try {
      await this.m.commit(async (tx, log) => {
        const now = new Date(this.m.kernel.clock.now()).toISOString();
        const ops: ChangeOps = {
          tx,
          now,
          changeId,
          load: async (id) => {
            const mem = await this.find(tx, id, true);
            if (!mem) throw new ApiError({ code: 'not_found', message: `There is no memory ${id}.` });
            return mem;
          },
          save: async (before, after, as = action) => {
            await this.write(tx, before, after);
            const id = (after ?? before)!.id;
            touched.push(id);
            await tx.query(
              `INSERT INTO memory_item_history (change_id, memory_id, action, before, after, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
              [changeId, id, as, before ? JSON.stringify(before) : null, after ? JSON.stringify({ ...after, embedded: false }) : null, actor, now],
            );
          },
        };
        await fn(ops);
        log({ type: `memory.${action}`, actor: actorOf(actor), data: { changeId, memoryIds: touched } });
      });
    } finally {
      this.m.bm25.invalidate();
    }
    this.generation++;
    this.m.notify('memory.changed', { changeId, action, memoryIds: touched });
    this.m.embeddings.backfill();
    return changeId;
  }

  /**
   * Writes a memory's next state. A new text (or attribute) gets a new unit number in the
   * keyword index (the old one is tombstoned) and loses its vector until re-embedded.
   */
  private async write(tx: Transaction, before: Memory | null, after: Memory | null): Promise<void> {
    const reindex = !sameText(before, after);
    const old = before ? await tx.query<{ unit_no: string }>('SELECT unit_no FROM memory_items WHERE id = $1', [before.id]) : null;
    const oldUnit = old?.rows[0] ? Number(old.rows[0].unit_no) : null;
    if (oldUnit !== null && (reindex || !after)) await this.m.bm25.remove(tx, 'memory_items', [oldUnit]);
    if (!after) {
      await tx.query('DELETE FROM memory_items WHERE id = $1', [before!.id]);
      return;
    }
    const { rows } = await tx.query<{ unit_no: string }>(
      `INSERT INTO memory_items (id, kind, text, norm_hash, entity_id, attribute, value, provenance, confidence, status, pinned, superseded_by, version,
         created_at, updated_at, last_confirmed_at, valid_from, valid_to, tsv)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
         setweight(to_tsvector('english', coalesce($6, '')), 'A') || to_tsvector('english', $3))
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, text = EXCLUDED.text, norm_hash = EXCLUDED.norm_hash, entity_id = EXCLUDED.entity_id,
         attribute = EXCLUDED.attribute, value = EXCLUDED.value, provenance = EXCLUDED.provenance, confidence = EXCLUDED.confidence,
         status = EXCLUDED.status, pinned = EXCLUDED.pinned, superseded_by = EXCLUDED.superseded_by, version = EXCLUDED.version,
         updated_at = EXCLUDED.updated_at, last_confirmed_at = EXCLUDED.last_confirmed_at, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
         tsv = EXCLUDED.tsv,
         unit_no = CASE WHEN $19 THEN nextval('memory_unit_seq') ELSE memory_items.unit_no END,
         embedding = CASE WHEN $19 THEN NULL ELSE memory_items.embedding END
       RETURNING unit_no`,
      [
        after.id, after.kind, after.text, normHash(after.text), after.entityId, after.attribute, after.value, JSON.stringify(after.provenance), after.confidence,
        after.status, after.pinned, after.supersededBy, after.version, after.createdAt, after.updatedAt, after.lastConfirmedAt, after.validFrom, after.validTo, reindex,
      ],
    );
    if (reindex || !before) await this.m.bm25.add(tx, 'memory_items', [Number(rows[0]!.unit_no)]);
  }
}

function actorOf(actor: string): { kind: 'operator' | 'agent' | 'system'; name: string } {
  if (actor === 'operator') return { kind: 'operator', name: 'operator' };
  if (actor.startsWith('agent:')) return { kind: 'agent', name: actor.slice(6) };
  return { kind: 'system', name: actor };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}


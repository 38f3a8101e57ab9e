import { ApiError } from '../../../../shared/api/errors';
import type { Memory, MemoryKind, Review, ReviewAction } from '../../../../shared/domain/memory';
import { newId } from '../../kernel/ids';
import type { MemoryContext } from '../context';
import { candidatePairs, compareFacts, compareTexts, NEAR_DUPLICATE_COSINE, reviewKey, type Finding } from './curation-rules';
import { MEMORY_COLUMNS, toMemory, type MemoryRow } from './rows';
import type { Memories } from './store';

interface ReviewRow {
  id: string;
  kind: Review['kind'];
  key: string;
  memory_ids: string[];
  details: { reason: string; similarity: number | null };
  status: Review['status'];
  resolution: Review['resolution'];
  created_at: Date;
  resolved_at: Date | null;
}

export interface CurationReport {
  duplicates: number;
  contradictions: number;
  stale: number;
  archived: number;
  deleted: number;
}

const DAY = 86_400_000;
const ACTOR = 'curation';

/**
 * The curation pass (on a schedule and on demand): puts duplicates, contradictions and stale
 * memories into the review queue, and applies the retention policies. The operator resolves
 * each review; every resolution is a memory change, so it can be undone.
 */
export class Curation {
  constructor(
    private readonly m: MemoryContext,
    private readonly memories: Memories,
  ) {}

  async run(now = this.m.kernel.clock.now()): Promise<CurationReport> {
    const report = { ...(await this.applyRetention(now)), duplicates: 0, contradictions: 0, stale: 0 };
    const { rows } = await this.m.db.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM memory_items WHERE status IN ('active', 'pending_review')`);
    const active = rows.map(toMemory);
    const byRules = this.compare(active);
    const findings = [...byRules, ...(await this.nearVectors(active, byRules)), ...this.staleOnes(active, now)];
    for (const f of findings) if (await this.raise(f)) report[f.kind === 'duplicate' ? 'duplicates' : f.kind === 'contradiction' ? 'contradictions' : 'stale']++;
    await this.announce();
    return report;
  }

  private compare(active: Memory[]): Finding[] {
    const out = new Map<string, Finding>();
    for (const [a, b] of candidatePairs(active)) {
      // Facts keyed by different attributes are about different things, however alike their wording
      // ("Invoice INV-1 … paid" and "Invoice INV-2 … paid" differ only in figures, and contradict nothing).
      if (a.attribute && b.attribute && (a.attribute !== b.attribute || a.entityId !== b.entityId)) continue;
      const f = compareFacts(a, b) ?? compareTexts(a, b);
      if (f) out.set(reviewKey(f), f);
    }
    // Same entity and attribute are compared directly: their texts may share no word at all.
    const byAttr = new Map<string, Memory[]>();
    for (const m of active) if (m.entityId && m.attribute) byAttr.set(`${m.entityId}:${m.attribute}`, [...(byAttr.get(`${m.entityId}:${m.attribute}`) ?? []), m]);
    for (const group of byAttr.values()) {
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) {
        const f = compareFacts(group[i]!, group[j]!);
        if (f) out.set(reviewKey(f), f);
      }
    }
    return [...out.values()];
  }

  /**
   * Embedded memories whose nearest neighbour says nearly the same (cosine). A pair the rules
   * judged already keeps their verdict: "never wants" is close to "wants" in vector space, and
   * merging them as duplicates would erase the negation.
   */
  private async nearVectors(active: Memory[], byRules: Finding[]): Promise<Finding[]> {
    if (!this.m.embeddings.ready()) return [];
    const byId = new Map(active.map((m) => [m.id, m]));
    const judged = new Set(byRules.map((f) => [...f.memoryIds].sort().join(',')));
    const { rows } = await this.m.db.query<{ a: string; b: string; sim: number }>(
      `SELECT m.id AS a, n.id AS b, 1 - (m.embedding <=> n.embedding) AS sim FROM memory_items m
       CROSS JOIN LATERAL (SELECT id, embedding FROM memory_items o WHERE o.id <> m.id AND o.embedding IS NOT NULL AND o.status IN ('active', 'pending_review')
                           ORDER BY o.embedding <=> m.embedding LIMIT 3) n
       WHERE m.embedding IS NOT NULL AND m.status IN ('active', 'pending_review') AND m.id < n.id AND 1 - (m.embedding <=> n.embedding) >= $1`,
      [NEAR_DUPLICATE_COSINE],
    );
    return rows.flatMap((r) => {
      const a = byId.get(r.a);
      const b = byId.get(r.b);
      if (!a || !b || judged.has([r.a, r.b].sort().join(','))) return [];
      if (compareTexts(a, b)?.kind === 'contradiction') return [];
      return [{ kind: 'duplicate' as const, memoryIds: [r.a, r.b], reason: `Nearly the same meaning (cosine ${r.sim.toFixed(3)}).`, similarity: Math.round(r.sim * 1000) / 1000 }];
    });
  }

  private staleOnes(active: Memory[], now: number): Finding[] {
    const policies = this.m.settings.get().retention;
    return active.flatMap((m) => {
      const days = policies[m.kind]?.staleAfterDays;
      if (!days || m.pinned) return [];
      const idle = (now - Date.parse(m.lastConfirmedAt)) / DAY;
      return idle > days ? [{ kind: 'stale' as const, memoryIds: [m.id], reason: `Not confirmed for ${Math.floor(idle)} days (the ${m.kind} policy says ${days}).`, similarity: null }] : [];
    });
  }

  /**
   * A memory proposed from outside Keel (an assistant over MCP): stored as pending review, so
   * search and recall leave it out, with a review that says who proposed it. What an outside
   * assistant says is content, not the operator's word: only the operator makes it a memory.
   */
  async propose(input: { kind: MemoryKind; text: string; source: string; quote?: string }): Promise<{ memory: Memory; reviewId: string }> {
    const { memory } = await this.memories.remember(
      { kind: input.kind, text: input.text, status: 'pending_review', provenance: { source: input.source, ...(input.quote ? { quote: input.quote } : {}) } },
      input.source,
    );
    const finding: Finding = { kind: 'proposed', memoryIds: [memory.id], reason: `Proposed by ${input.source}; not used until you confirm it.`, similarity: null };
    // A new memory has no review yet, so this one is always opened.
    const reviewId = (await this.raise(finding))!;
    await this.announce();
    return { memory, reviewId };
  }

  /** Opens a review unless one is open for the same memories, or the operator kept both before: its id, or null. */
  private async raise(f: Finding): Promise<string | null> {
    const key = reviewKey(f);
    // "Keep both" settles a pair for good; a stale memory kept is asked about again when it goes stale again.
    const { rows } = await this.m.db.query(`SELECT 1 FROM memory_reviews WHERE key = $1 AND (status = 'open' OR (kind <> 'stale' AND resolution->>'action' = 'keep_both'))`, [key]);
    if (rows.length) return null;
    const id = newId();
    await this.m.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO memory_reviews (id, kind, key, memory_ids, details, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', now())`,
        [id, f.kind, key, f.memoryIds, JSON.stringify({ reason: f.reason, similarity: f.similarity })],
      );
      log({ type: 'review.opened', actor: { kind: 'system', name: ACTOR }, data: { reviewId: id, kind: f.kind, memoryIds: f.memoryIds } });
    });
    return id;
  }

  /** Archive or delete what is past its kind's retention (never pinned memories). */
  private async applyRetention(now: number): Promise<{ archived: number; deleted: number }> {
    const policies = this.m.settings.get().retention;
    let archived = 0;
    let deleted = 0;
    for (const [kind, p] of Object.entries(policies)) {
      for (const [days, action] of [[p.deleteAfterDays, 'forget'], [p.archiveAfterDays, 'archive']] as const) {
        if (!days) continue;
        const { rows } = await this.m.db.query<{ id: string }>(
          `SELECT id FROM memory_items WHERE kind = $1 AND NOT pinned AND last_confirmed_at < $2 AND status <> $3 LIMIT 1000`,
          [kind, new Date(now - days * DAY).toISOString(), action === 'archive' ? 'archived' : '-'],
        );
        for (const r of rows) {
          await this.memories.setStatus(r.id, action, ACTOR);
          if (action === 'archive') archived++;
          else deleted++;
        }
      }
    }
    return { archived, deleted };
  }

  // ---- the queue ----

  async list(status: Review['status'], limit: number): Promise<{ reviews: Review[]; open: number }> {
    const { rows } = await this.m.db.query<ReviewRow>(`SELECT * FROM memory_reviews WHERE status = $1 ORDER BY created_at ${status === 'open' ? 'ASC' : 'DESC'} LIMIT $2`, [status, limit]);
    const ids = [...new Set(rows.flatMap((r) => r.memory_ids))];
    const mems = await this.m.db.query<MemoryRow>(`SELECT ${MEMORY_COLUMNS} FROM memory_items WHERE id = ANY($1::text[])`, [ids]);
    const byId = new Map(mems.rows.map((r) => [r.id, toMemory(r)]));
    const reviews = rows.map((r) => this.toReview(r, byId));
    return { reviews, open: await this.openCount() };
  }

  private toReview(r: ReviewRow, byId: Map<string, Memory>): Review {
    return {
      id: r.id,
      kind: r.kind,
      memories: r.memory_ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
      reason: r.details.reason,
      similarity: r.details.similarity ?? null,
      status: r.status,
      resolution: r.resolution,
      createdAt: r.created_at.toISOString(),
      resolvedAt: r.resolved_at?.toISOString() ?? null,
    };
  }

  async openCount(): Promise<number> {
    const { rows } = await this.m.db.query<{ n: string }>(`SELECT count(*) AS n FROM memory_reviews WHERE status = 'open'`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Resolves a review. `memoryId` names the memory the action is about where it matters:
   * the one to keep (merge), to edit, to pin or to forget; by default all of the review's.
   */
  async resolve(id: string, action: ReviewAction, opts: { memoryId?: string; text?: string; note?: string }): Promise<string | null> {
    const { rows } = await this.m.db.query<ReviewRow>('SELECT * FROM memory_reviews WHERE id = $1', [id]);
    const review = rows[0];
    if (!review) throw new ApiError({ code: 'not_found', message: `There is no review ${id}.` });
    if (review.status !== 'open') throw new ApiError({ code: 'conflict', message: `Review ${id} is resolved already.` });
    const live = (await Promise.all(review.memory_ids.map((m) => this.memories.get(m)))).filter((m): m is Memory => m !== null);
    if (live.length === 0) throw new ApiError({ code: 'conflict', message: 'The memories of this review are gone.' });
    if (opts.memoryId && !live.some((m) => m.id === opts.memoryId)) throw new ApiError({ code: 'invalid_input', message: `Memory ${opts.memoryId} is not part of review ${id}.` });
    // A proposal is kept by confirming, pinning, editing or keeping it: each one change, undone as one.
    const proposal = review.kind === 'proposed';
    const changeId = await this.apply(proposal && action === 'keep_both' ? 'confirm' : action, live, { ...opts, accept: proposal });
    await this.m.commit(async (tx, log) => {
      await tx.query(`UPDATE memory_reviews SET status = 'resolved', resolution = $2, resolved_at = now() WHERE id = $1`, [id, JSON.stringify({ action, changeId, note: opts.note ?? null })]);
      log({ type: 'review.resolved', actor: { kind: 'operator', name: 'operator' }, data: { reviewId: id, kind: review.kind, action, changeId } });
    });
    await this.announce();
    return changeId;
  }

  private async apply(action: ReviewAction, live: Memory[], opts: { memoryId?: string; text?: string; accept?: boolean }): Promise<string | null> {
    const newestFirst = [...live].sort((a, b) => Date.parse(b.validFrom) - Date.parse(a.validFrom) || Date.parse(b.createdAt) - Date.parse(a.createdAt));
    const targets = opts.memoryId ? live.filter((m) => m.id === opts.memoryId) : live;
    switch (action) {
      case 'merge':
        if (live.length < 2) throw new ApiError({ code: 'conflict', message: 'Only one memory is left; nothing to merge.' });
        return (await this.memories.merge(live.map((m) => m.id), opts.memoryId ?? newestFirst[0]!.id, opts.text, 'operator')).changeId;
      case 'keep_newer':
        if (live.length < 2) throw new ApiError({ code: 'conflict', message: 'Only one memory is left.' });
        return this.memories.supersede(newestFirst.slice(1).map((m) => m.id), newestFirst[0]!.id, 'operator');
      case 'keep_both':
        return null;
      case 'edit':
        if (!opts.text) throw new ApiError({ code: 'invalid_input', message: 'Editing needs the new text.' });
        return (await this.memories.update(opts.memoryId ?? newestFirst[0]!.id, { text: opts.text }, 'operator', opts.accept)).changeId;
      case 'confirm':
      case 'mark_stale':
      case 'pin':
      case 'forget':
        return this.memories.setStatus(targets.map((m) => m.id), action, 'operator');
    }
  }

  private async announce(): Promise<void> {
    this.m.notify('reviews.changed', { open: await this.openCount() });
  }
}

import type { MemoryContext } from '../context';
import { estimateTokens } from '../chunk';

/** A run's working memory holds at most this many items and tokens; the oldest go first. */
export const WORKING_MAX_ITEMS = 50;
export const WORKING_MAX_TOKENS = 4_000;

export interface WorkingItem {
  seq: number;
  kind: string;
  content: unknown;
  tokens: number;
}

/**
 * Working memory: the bounded context of one run (recent items, retrieved memories), cheap to
 * read, dropped when the run ends (after its episode is written).
 */
export class WorkingMemory {
  constructor(private readonly m: MemoryContext) {}

  async add(scope: string, kind: string, content: unknown): Promise<void> {
    const tokens = estimateTokens(typeof content === 'string' ? content : JSON.stringify(content));
    await this.m.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO memory_working (scope, seq, kind, content, tokens, created_at)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM memory_working WHERE scope = $1), $2, $3, $4, now())`,
        [scope, kind, JSON.stringify(content ?? null), tokens],
      );
      // Evict from the oldest until both bounds hold again.
      await tx.query(
        `DELETE FROM memory_working w USING (
           SELECT seq, sum(tokens) OVER (ORDER BY seq DESC) AS running, row_number() OVER (ORDER BY seq DESC) AS n FROM memory_working WHERE scope = $1
         ) k WHERE w.scope = $1 AND w.seq = k.seq AND (k.n > $2 OR (k.running > $3 AND k.n > 1))`,
        [scope, WORKING_MAX_ITEMS, WORKING_MAX_TOKENS],
      );
    });
  }

  async list(scope: string): Promise<WorkingItem[]> {
    const { rows } = await this.m.db.query<WorkingItem>('SELECT seq, kind, content, tokens FROM memory_working WHERE scope = $1 ORDER BY seq', [scope]);
    return rows;
  }

  async drop(scope: string): Promise<void> {
    await this.m.db.query('DELETE FROM memory_working WHERE scope = $1', [scope]);
  }
}

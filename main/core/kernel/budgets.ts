import type { Budget } from '../../../shared/domain/kernel';
import { BudgetExceeded } from './errors';
import type { KernelInternals } from './internals';
import type { RunRow } from './store';

type Period = Budget['period'];
type Scope = Budget['scope'];

/** Budgets count calendar days and months in UTC, so a cap means the same on every machine. */
export function periodStart(period: Period, now: number): Date {
  const d = new Date(now);
  return period === 'day'
    ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
    : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

export async function spent(k: Pick<KernelInternals, 'db' | 'clock'>, scope: Scope, name: string, period: Period): Promise<{ usd: number; tokens: number }> {
  const column = scope === 'agent' ? 'agent' : 'app';
  const { rows } = await k.db.query<{ usd: number | null; tokens: string | number | null }>(
    `SELECT sum(cost_usd) AS usd, sum(tokens) AS tokens FROM kernel_ledger
     WHERE ${column} = $1 AND at >= $2 AND (cost_usd > 0 OR tokens > 0)`,
    [name, periodStart(period, k.clock.now()).toISOString()],
  );
  return { usd: Number(rows[0]?.usd ?? 0), tokens: Number(rows[0]?.tokens ?? 0) };
}

const money = (usd: number) => `$${usd.toFixed(2)}`;

/**
 * Before a step that expects to spend: would it take its agent or app past a cap? Then it
 * does not run; the run pauses with a budget escalation naming the cap.
 */
export async function checkBudget(k: KernelInternals, run: RunRow, estimate?: { usd?: number; tokens?: number }): Promise<void> {
  const usd = estimate?.usd ?? 0;
  const tokens = estimate?.tokens ?? 0;
  if (usd <= 0 && tokens <= 0) return;
  for (const [scope, name] of [['agent', run.agent], ['app', run.app]] as const) {
    if (!name) continue;
    const { rows } = await k.db.query<{ period: Period; max_usd: number | null; max_tokens: string | number | null }>(
      'SELECT period, max_usd, max_tokens FROM kernel_budgets WHERE scope = $1 AND name = $2',
      [scope, name],
    );
    for (const cap of rows) {
      const used = await spent(k, scope, name, cap.period);
      const label = `The ${cap.period === 'day' ? 'daily' : 'monthly'}`;
      const whose = `${scope} "${name}"`;
      const details = { scope, name, period: cap.period, maxUsd: cap.max_usd, maxTokens: cap.max_tokens === null ? null : Number(cap.max_tokens), spentUsd: used.usd, spentTokens: used.tokens, estimateUsd: usd, estimateTokens: tokens };
      if (cap.max_usd !== null && usd > 0 && used.usd + usd > cap.max_usd) {
        throw new BudgetExceeded({
          kind: 'budget',
          message: `${label} budget of ${whose} (${money(cap.max_usd)}) would be exceeded: ${money(used.usd)} spent, this step expects ${money(usd)}. Raise the cap or wait for the next ${cap.period}, then retry.`,
          details,
        });
      }
      if (cap.max_tokens !== null && tokens > 0 && used.tokens + tokens > Number(cap.max_tokens)) {
        throw new BudgetExceeded({
          kind: 'budget',
          message: `${label} token budget of ${whose} (${cap.max_tokens} tokens) would be exceeded: ${used.tokens} used, this step expects ${tokens}. Raise the cap or wait for the next ${cap.period}, then retry.`,
          details,
        });
      }
    }
  }
}

import type { CostDay, CostReport, CostsQuery, CostWindow } from '../../../shared/domain/insights';
import type { Kernel } from '../kernel/kernel';
import { listBudgets } from '../kernel/operator';
import { approvalFigures } from './approvals';
import { readFigures, spendFigures, type DaySpend } from './spend';
import { daysBetween, resolveWindow } from './window';

/** Every day of the window, zero where nothing was spent, each with its agents' shares. */
function fillDays(w: CostWindow, rows: DaySpend[]): CostDay[] {
  const byDay = new Map(daysBetween(w.firstDay, w.lastDay).map((day): [string, CostDay] => [day, { day, costUsd: 0, tokens: 0, modelCalls: 0, byAgent: [] }]));
  for (const r of rows) {
    const d = byDay.get(r.day);
    if (!d) continue; // cannot happen: the window's days bound the events' times
    d.costUsd += r.costUsd;
    d.tokens += r.tokens;
    d.modelCalls += r.modelCalls;
    d.byAgent.push({ agent: r.agent, costUsd: r.costUsd });
  }
  for (const d of byDay.values()) d.byAgent.sort((a, b) => b.costUsd - a.costUsd);
  return [...byDay.values()];
}

/** What the agents cost and did in a window: the answer of `insights.costs`. */
export async function costReport(k: Kernel, q: CostsQuery): Promise<CostReport> {
  const window = await resolveWindow(k.db, q, k.clock.now());
  const [spend, approvals] = await readFigures(k.db, async (tx) => [await spendFigures(tx, window), await approvalFigures(tx, window)] as const);
  const budgets = await listBudgets(k);
  return {
    window,
    totals: { ...spend.total, runs: spend.outcomes.reduce((s, o) => s + o.runs, 0), spendingRuns: spend.spendingRuns },
    days: fillDays(window, spend.days),
    agents: spend.agents,
    apps: spend.apps,
    models: spend.models,
    topRuns: spend.topRuns,
    wasted: spend.wasted,
    outcomes: spend.outcomes,
    approvals,
    budgets,
  };
}

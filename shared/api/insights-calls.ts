import type { z } from 'zod';
import { CostReport, CostsQuery } from '../domain/insights';

/** The calls of the Costs view ("what did my agents cost, and what did they do?"), merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });

export const insightsCalls = {
  'insights.costs': call(
    'Spending from the ledger over a window (default: the last 30 days, days in UTC): totals, per day, agent, app and model, the costliest runs, wasted work, run outcomes, approvals per agent and budget use.',
    CostsQuery,
    CostReport,
  ),
} as const;

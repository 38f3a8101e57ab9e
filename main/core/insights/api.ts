import type { z } from 'zod';
import type { insightsCalls } from '../../../shared/api/insights-calls';
import type { Kernel } from '../kernel/kernel';
import { costReport } from './costs';

type Calls = typeof insightsCalls;
type Handler<N extends keyof Calls> = (k: Kernel, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The Costs view's calls, served in the core worker next to the ledger. */
export const insightsHandlers: { [N in keyof Calls]: Handler<N> } = {
  'insights.costs': (k, q) => costReport(k, q),
};

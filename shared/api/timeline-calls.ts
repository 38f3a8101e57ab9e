import { z } from 'zod';
import { checkTimeRange, RunTrace, TimelineCount, TimelineFacets, TimelineFilterFields, TimelinePage, TimelineRun } from '../domain/timeline';

/** The timeline's calls (DESIGN.md §1, full visibility), merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const timelineCalls = {
  'timeline.query': call(
    'Ledger events matching the filters, newest first, in the window (afterSeq, beforeSeq); skip `offset` matches for random access; page on with nextBeforeSeq.',
    z
      .strictObject({
        ...TimelineFilterFields,
        beforeSeq: Seq.optional(),
        afterSeq: Seq.optional(),
        offset: z.number().int().nonnegative().max(10_000_000).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .superRefine(checkTimeRange),
    TimelinePage,
  ),
  'timeline.count': call(
    'How many events match the filters at or below atSeq (default: all); exact, or an estimate when counting would be slow.',
    z.strictObject({ ...TimelineFilterFields, atSeq: Seq.optional() }).superRefine(checkTimeRange),
    TimelineCount,
  ),
  'timeline.facets': call('The agents, apps and event types present in the ledger, for the filters.', z.strictObject({}), TimelineFacets),
  'timeline.runs': call(
    'Runs with events matching the filters, newest first, with their event counts, cost and tokens; page with the returned cursor.',
    z
      .strictObject({
        ...TimelineFilterFields,
        cursor: z.string().max(500).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .superRefine(checkTimeRange),
    z.object({ runs: z.array(TimelineRun), nextCursor: z.string().nullable() }),
  ),
  'runs.trace': call(
    "A run's causal trace: the tree from its root run, each run with its steps (timings, model, tokens, cost, reason or error) and its child runs nested.",
    z.strictObject({ id: z.string().min(1).max(100) }),
    RunTrace,
  ),
} as const;

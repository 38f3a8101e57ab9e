import { z } from 'zod';
import { defineWorkflow } from '../main/core/kernel/workflow';

/** Workflows the kernel benchmarks run (loaded into a real Core through `workflowModules`). */
export const noop = defineWorkflow({
  name: 'bench.noop',
  version: 1,
  input: z.object({ steps: z.number().int().min(0) }),
  async run(ctx, { steps }) {
    for (let i = 0; i < steps; i++) await ctx.step('noop', () => i);
    return steps;
  },
});

export const workflows = [noop];

import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel';
import { createSchedule } from '../../kernel/operator';
import { defineWorkflow } from '../../kernel/workflow';
import type { MemoryService } from '../memory';

export const CURATION_WORKFLOW = 'memory.curate';
export const CURATION_SCHEDULE = 'memory.curation';

/**
 * The scheduled curation pass: episodes for finished runs that missed theirs, the review
 * queue (duplicates, contradictions, stale), retention. Each part is a recorded step.
 */
export function curationWorkflow(memory: MemoryService) {
  return defineWorkflow({
    name: CURATION_WORKFLOW,
    version: 1,
    agent: 'curator',
    input: z.object({}).loose(),
    defaults: { retry: { maxAttempts: 3 }, onExhausted: 'fail' },
    async run(ctx) {
      const episodes = await ctx.step('episodes', () => memory.episodes.catchUp());
      const report = await ctx.step('curate', () => memory.curation.run());
      return { episodes, ...report };
    },
  });
}

/** Every night at 03:17 local to UTC; created once, then the operator's to change or pause. */
export async function ensureCurationSchedule(kernel: Kernel): Promise<void> {
  const { rows } = await kernel.db.query('SELECT 1 FROM kernel_schedules WHERE name = $1', [CURATION_SCHEDULE]);
  if (rows.length) return;
  await createSchedule(kernel, { name: CURATION_SCHEDULE, workflow: CURATION_WORKFLOW, input: {}, trigger: { kind: 'cron', expr: '17 3 * * *' } }, 'memory');
}

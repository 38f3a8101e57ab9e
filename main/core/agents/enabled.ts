import type { WorkflowContext } from '../kernel/workflow';
import type { AgentRegistry } from './registry';

/** What a run of a disabled agent returns: it did nothing (no episode either). */
export const DISABLED = (name: string) => ({ skipped: `agent ${name} is disabled`, episode: false }) as const;

/** Whether the agent was enabled when the run started (a step, so a replay sees the same answer). */
export function agentEnabled(ctx: WorkflowContext, deps: { registry: AgentRegistry }, name: string): Promise<boolean> {
  return ctx.step('agent-enabled', () => deps.registry.get(name).enabled);
}

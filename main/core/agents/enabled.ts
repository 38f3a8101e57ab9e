import type { Agent } from '../../../shared/domain/agents';
import type { WorkflowContext } from '../kernel/workflow';
import type { AgentRegistry } from './registry';

/** What a run of a disabled agent returns: it did nothing (no episode either). */
export const DISABLED = (name: string) => ({ skipped: `agent ${name} is disabled`, episode: false }) as const;

/**
 * The agent, or null when it was disabled as the run started (decided in a step, so a replay
 * sees the same answer): the run then returns DISABLED(name) and does nothing.
 */
export async function enabledAgent(ctx: WorkflowContext, deps: { registry: AgentRegistry }, name: string): Promise<Agent | null> {
  const enabled = await ctx.step('agent-enabled', () => deps.registry.get(name).enabled);
  return enabled ? deps.registry.get(name) : null;
}

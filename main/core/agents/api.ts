import type { z } from 'zod';
import type { agentsCalls } from '../../../shared/api/agents-calls';
import type { AgentsService } from './agents';

type Calls = typeof agentsCalls;
type Names = Extract<keyof Calls, `agents.${string}`>;
type Handler<N extends Names> = (a: AgentsService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The agents' API calls, served in the core worker. */
export const agentsHandlers: { [N in Names]: Handler<N> } = {
  'agents.list': async (a) => ({ agents: a.registry.list() }),
  'agents.get': async (a, { name }) => ({ agent: a.registry.get(name), versions: await a.registry.versions(name) }),
  'agents.update': (a, input) => a.registry.update(input),
  'agents.revert': (a, { name, version }) => a.registry.revert(name, version),
  'agents.runExample': (a) => a.runExample(),
};

import type { z } from 'zod';
import type { mcpCalls } from '../../../../shared/api/mcp-calls';
import type { McpServers } from './servers';

type Calls = typeof mcpCalls;
type Names = keyof Calls;
type Handler<N extends Names> = (s: McpServers, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The MCP servers' API calls, served in the core worker. */
export const mcpHandlers: { [N in Names]: Handler<N> } = {
  'mcp.servers': async (s) => ({ servers: await s.list() }),
  'mcp.save': (s, input) => s.save(input),
  async 'mcp.remove'(s, { name }) {
    await s.remove(name);
    return { ok: true };
  },
  'mcp.setRisk': (s, { name, tool, risk }) => s.setRisk(name, tool, risk),
  'mcp.reconnect': (s, { name }) => s.reconnect(name),
};

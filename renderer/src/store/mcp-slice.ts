import type { StateCreator } from 'zustand';
import type { Risk } from '../../../shared/domain/kernel';
import type { McpServerInput, McpServerView } from '../../../shared/domain/mcp';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import { attempt, type Outcome } from '../util/outcome';
import type { KeelStore } from './store';

export interface McpSlice {
  mcpServers: McpServerView[];
  mcpLoaded: boolean;
  /** Loading the list failed; actions report their own errors next to their controls. */
  mcpError: string | null;
  mcpNotice: string | null;
  refreshMcp(): Promise<void>;
  saveMcp(server: McpServerInput): Promise<Outcome<McpServerView>>;
  removeMcp(name: string): Promise<Outcome<unknown>>;
  setMcpRisk(name: string, tool: string, risk: Risk): Promise<Outcome<McpServerView>>;
  reconnectMcp(name: string): Promise<Outcome<McpServerView>>;
}

/** The operator's MCP servers: their state, their tools (as adapter actions) with risk and flags. */
export const createMcpSlice: StateCreator<KeelStore, [], [], McpSlice> = (set, get) => {
  const put = (server: McpServerView) =>
    set((s) => ({ mcpServers: s.mcpServers.some((x) => x.name === server.name) ? s.mcpServers.map((x) => (x.name === server.name ? server : x)) : [...s.mcpServers, server] }));
  return {
    mcpServers: [],
    mcpLoaded: false,
    mcpError: null,
    mcpNotice: null,

    async refreshMcp() {
      try {
        const { servers } = await keelClient().call('mcp.servers');
        set({ mcpServers: servers, mcpLoaded: true, mcpError: null });
      } catch (err) {
        set({ mcpError: errorMessage(err) });
      }
    },
    async saveMcp(server) {
      const out = await attempt(() => keelClient().call('mcp.save', server));
      if (out.ok) {
        put(out.value);
        set({ mcpNotice: `MCP server ${out.value.name} saved (${out.value.state}).` });
      }
      return out;
    },
    async removeMcp(name) {
      const out = await attempt(() => keelClient().call('mcp.remove', { name }));
      if (out.ok) {
        set((s) => ({ mcpServers: s.mcpServers.filter((x) => x.name !== name), mcpNotice: `MCP server ${name} removed; its tools are gone.` }));
        void get().refreshMcp();
      }
      return out;
    },
    async setMcpRisk(name, tool, risk) {
      const out = await attempt(() => keelClient().call('mcp.setRisk', { name, tool, risk }));
      if (out.ok) {
        put(out.value);
        set({ mcpNotice: `${name}: ${tool} is now ${out.value.tools.find((t) => t.name === tool)?.risk ?? risk} risk.` });
      }
      return out;
    },
    async reconnectMcp(name) {
      const out = await attempt(() => keelClient().call('mcp.reconnect', { name }));
      if (out.ok) put(out.value);
      return out;
    },
  };
};

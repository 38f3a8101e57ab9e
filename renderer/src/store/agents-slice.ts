import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../shared/api/contract';
import type { Agent, AgentVersion } from '../../../shared/domain/agents';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type AgentChange = Omit<CallInput<'agents.update'>, 'name'>;
export type ExampleStarted = CallOutput<'agents.runExample'>;

export interface AgentPage {
  name: string;
  agent: Agent | null;
  versions: AgentVersion[];
  error: string | null;
}

export interface AgentsSlice {
  agents: Agent[];
  agentsLoaded: boolean;
  agentsError: string | null;
  /** A sentence confirming the last change, for the polite live region. */
  agentsNotice: string | null;
  agentPage: AgentPage | null;
  /** The consultant example, once started from here. */
  example: { state: 'idle' | 'starting' | 'started' | 'failed'; started: ExampleStarted | null; error: string | null };
  refreshAgents(): Promise<void>;
  openAgent(name: string): Promise<void>;
  /** Reloads the list, and the open page when the change is about its agent. */
  agentsChanged(names: string[]): void;
  updateAgent(name: string, change: AgentChange, notice: string): Promise<boolean>;
  revertAgent(name: string, version: number): Promise<void>;
  runExample(): Promise<void>;
}

/** The workforce: every agent's definition, one agent's page with its instruction history, and the example. */
export const createAgentsSlice: StateCreator<KeelStore, [], [], AgentsSlice> = (set, get) => {
  let pageGen = 0;
  const fail = (err: unknown) => set({ agentsError: errorMessage(err), agentsNotice: null });
  /** The page and the list show the agent as the core returned it. */
  const replace = (agent: Agent) =>
    set((s) => ({
      agents: s.agents.map((a) => (a.name === agent.name ? agent : a)),
      agentPage: s.agentPage?.name === agent.name ? { ...s.agentPage, agent } : s.agentPage,
    }));
  return {
    agents: [],
    agentsLoaded: false,
    agentsError: null,
    agentsNotice: null,
    agentPage: null,
    example: { state: 'idle', started: null, error: null },

    async refreshAgents() {
      try {
        const { agents } = await keelClient().call('agents.list');
        set({ agents, agentsLoaded: true, agentsError: null });
      } catch (err) {
        fail(err);
      }
    },
    async openAgent(name) {
      const g = ++pageGen;
      if (get().agentPage?.name !== name) set({ agentPage: { name, agent: null, versions: [], error: null }, agentsNotice: null, agentsError: null });
      try {
        const { agent, versions } = await keelClient().call('agents.get', { name });
        if (g === pageGen) set({ agentPage: { name, agent, versions, error: null } });
      } catch (err) {
        if (g === pageGen) set({ agentPage: { name, agent: null, versions: [], error: errorMessage(err) } });
      }
    },
    agentsChanged(names) {
      if (get().agentsLoaded) void get().refreshAgents();
      const open = get().agentPage?.name;
      if (open && names.includes(open)) void get().openAgent(open);
    },
    async updateAgent(name, change, notice) {
      try {
        replace(await keelClient().call('agents.update', { name, ...change }));
        // The pushed agents.changed reloads the list and the open page (its versions).
        set({ agentsError: null, agentsNotice: notice });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    async revertAgent(name, version) {
      try {
        const agent = await keelClient().call('agents.revert', { name, version });
        replace(agent);
        set({ agentsError: null, agentsNotice: `Instructions of version ${version} restored as version ${agent.version}.` });
      } catch (err) {
        fail(err);
      }
    },
    async runExample() {
      set({ example: { state: 'starting', started: null, error: null } });
      try {
        const started = await keelClient().call('agents.runExample');
        set({ example: { state: 'started', started, error: null } });
      } catch (err) {
        set({ example: { state: 'failed', started: null, error: errorMessage(err) } });
      }
    },
  };
};

import type { StateCreator } from 'zustand';
import type { Approval, ApprovalDecision, DeadLetter, Escalation } from '../../../shared/domain/kernel';
import { keelClient } from '../api/client';
import type { KeelStore } from './store';

/** With approve_partial, the accepted parts; with edit, the proposal as the operator changed it. */
export type DecisionExtra = Pick<ApprovalDecision, 'acceptedParts' | 'editedProposal'>;

export interface InboxSlice {
  approvals: Approval[];
  escalations: Escalation[];
  deadLetters: DeadLetter[];
  inboxLoaded: boolean;
  inboxError: string | null;
  refreshInbox(): Promise<void>;
  /** Records the operator's decision; false (with the error shown) when the core refused it. */
  decide(id: string, decision: ApprovalDecision['decision'], note?: string, extra?: DecisionExtra): Promise<boolean>;
  resolveEscalation(id: string, action: 'retry' | 'abort'): Promise<void>;
  retryDeadLetter(id: string): Promise<void>;
  discardDeadLetter(id: string): Promise<void>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What waits for the operator: approvals, escalations and dead letters, refreshed on every push. */
export const createInboxSlice: StateCreator<KeelStore, [], [], InboxSlice> = (set, get) => {
  /** Runs an operator command, then reloads; a failure is shown, not thrown. */
  const command = async (fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      await get().refreshInbox();
      return true;
    } catch (err) {
      set({ inboxError: message(err) });
      return false;
    }
  };
  return {
    approvals: [],
    escalations: [],
    deadLetters: [],
    inboxLoaded: false,
    inboxError: null,
    async refreshInbox() {
      const client = keelClient();
      try {
        const [a, e, d] = await Promise.all([
          client.call('approvals.list', { status: 'pending', limit: 100 }),
          client.call('escalations.list', { status: 'open', limit: 100 }),
          client.call('deadLetters.list', { status: 'open', limit: 100 }),
        ]);
        set({ approvals: a.approvals, escalations: e.escalations, deadLetters: d.deadLetters, inboxLoaded: true, inboxError: null });
      } catch (err) {
        set({ inboxError: message(err) });
      }
    },
    decide: (id, decision, note, extra) => command(() => keelClient().call('approvals.decide', { id, decision, ...(note ? { note } : {}), ...extra })),
    resolveEscalation: async (id, action) => void (await command(() => keelClient().call('escalations.resolve', { id, action }))),
    retryDeadLetter: async (id) => void (await command(() => keelClient().call('deadLetters.retry', { id }))),
    discardDeadLetter: async (id) => void (await command(() => keelClient().call('deadLetters.discard', { id }))),
  };
};

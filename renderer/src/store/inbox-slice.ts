import type { StateCreator } from 'zustand';
import type { InboxCounts, InboxItem } from '../../../shared/domain/inbox';
import type { Approval, ApprovalDecision, RunDetail } from '../../../shared/domain/kernel';
import { keelClient } from '../api/client';
import { href } from '../routes';
import type { KeelStore } from './store';

/** With approve_partial, the accepted parts; with edit, the proposal as the operator changed it. */
export type DecisionExtra = Pick<ApprovalDecision, 'acceptedParts' | 'editedProposal'>;

/** What the detail pane needs beyond the list row: the approval itself, or the stuck run. */
export type InboxDetail = { kind: 'approval'; approval: Approval } | { kind: 'run'; run: RunDetail };

export interface EscalationAction {
  action: 'retry' | 'skip' | 'abort';
  output?: unknown;
  input?: unknown;
  compensate?: boolean;
  note?: string;
}

/** A decision that `u` can still take back (until its run goes on). */
interface Decided {
  approvalId: string;
  title: string;
}

export interface InboxSlice {
  inboxItems: InboxItem[];
  inboxCounts: InboxCounts;
  inboxLoaded: boolean;
  inboxError: string | null;
  /** A short confirmation ("Approved … · u to undo"), replaced by the next. */
  inboxNotice: string | null;
  inboxDetails: Record<string, InboxDetail>;
  decided: Decided[];
  refreshInbox(): Promise<void>;
  /** The item the inbox shows (from the route `#/inbox/<id>`, else the first). */
  selectedItem(): InboxItem | null;
  selectItem(id: string): void;
  moveSelection(delta: 1 | -1): void;
  loadDetail(item: InboxItem): Promise<void>;
  /** Records the operator's decision; false (with the error shown) when the core refused it. */
  decide(id: string, decision: ApprovalDecision['decision'], note?: string, extra?: DecisionExtra): Promise<boolean>;
  undoLastDecision(): Promise<void>;
  resolveEscalation(id: string, action: EscalationAction): Promise<boolean>;
  raiseCapAndRetry(id: string, cap: { scope: 'agent' | 'app'; name: string; period: 'day' | 'month'; maxUsd: number | null; maxTokens: number | null }): Promise<boolean>;
  retryDeadLetter(id: string, input?: unknown): Promise<boolean>;
  discardDeadLetter(id: string, note?: string): Promise<boolean>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const EMPTY_COUNTS: InboxCounts = { approvals: 0, escalations: 0, deadLetters: 0, total: 0 };
const VERB: Record<ApprovalDecision['decision'], string> = { approve: 'Approved', reject: 'Rejected', approve_partial: 'Accepted some changes of', edit: 'Sent back' };

/**
 * What waits for the operator, as one list from the core (riskiest, oldest first). Decisions
 * are optimistic: the item leaves the list at once and comes back with the error if the core
 * refused it.
 */
export const createInboxSlice: StateCreator<KeelStore, [], [], InboxSlice> = (set, get) => {
  /** Takes an item out of the list now, moving the selection to its neighbour; returns how to put it back. */
  const takeOut = (id: string): (() => void) => {
    const before = get().inboxItems;
    const at = before.findIndex((i) => i.id === id);
    const after = before.filter((i) => i.id !== id);
    const wasSelected = get().selectedItem()?.id === id;
    set({ inboxItems: after });
    if (wasSelected) {
      const next = after[Math.min(at, after.length - 1)];
      get().go(next ? href('inbox', [next.id]) : href('inbox'));
    }
    return () => {
      set({ inboxItems: before });
      if (wasSelected) get().go(href('inbox', [id]));
    };
  };

  /** The decision most recently sent, settled or not. */
  let lastDecision: Promise<boolean> = Promise.resolve(true);

  /** Runs an operator command on one item optimistically; a refusal puts the item back and says why. */
  const command = async (id: string, fn: () => Promise<unknown>, notice: string | null): Promise<boolean> => {
    const restore = takeOut(id);
    try {
      await fn();
      set({ inboxError: null, inboxNotice: notice });
      return true;
    } catch (err) {
      restore();
      set({ inboxError: message(err) });
      return false;
    } finally {
      void get().refreshInbox();
    }
  };

  return {
    inboxItems: [],
    inboxCounts: EMPTY_COUNTS,
    inboxLoaded: false,
    inboxError: null,
    inboxNotice: null,
    inboxDetails: {},
    decided: [],
    async refreshInbox() {
      try {
        const { items, counts } = await keelClient().call('inbox.list', { limit: 500 });
        // Details of items that left the inbox are dropped; the others are kept (they do not change while pending).
        const keep = new Set(items.map((i) => i.id));
        const details = Object.fromEntries(Object.entries(get().inboxDetails).filter(([id]) => keep.has(id)));
        set({ inboxItems: items, inboxCounts: counts, inboxDetails: details, inboxLoaded: true });
      } catch (err) {
        set({ inboxError: message(err) });
      }
    },
    selectedItem() {
      const { route, inboxItems } = get();
      const wanted = route.view === 'inbox' ? route.path[0] : undefined;
      return inboxItems.find((i) => i.id === wanted) ?? inboxItems[0] ?? null;
    },
    selectItem: (id) => get().go(href('inbox', [id])),
    moveSelection(delta) {
      const items = get().inboxItems;
      const at = items.findIndex((i) => i.id === get().selectedItem()?.id);
      const next = items[Math.max(0, Math.min(items.length - 1, at + delta))];
      if (next) get().selectItem(next.id);
    },
    async loadDetail(item) {
      if (get().inboxDetails[item.id]) return;
      try {
        const detail: InboxDetail =
          item.kind === 'approval'
            ? { kind: 'approval', approval: (await keelClient().call('approvals.get', { id: item.id })).approval }
            : { kind: 'run', run: (await keelClient().call('runs.get', { id: item.runId })).run };
        set({ inboxDetails: { ...get().inboxDetails, [item.id]: detail } });
      } catch (err) {
        set({ inboxError: message(err) });
      }
    },
    decide(id, decision, note, extra) {
      const title = get().inboxItems.find((i) => i.id === id)?.title ?? 'the proposal';
      // The previous confirmation goes now: it no longer describes the last thing done.
      set({ inboxNotice: null });
      const deciding = command(id, () => keelClient().call('approvals.decide', { id, decision, ...(note?.trim() ? { note: note.trim() } : {}), ...extra }), `${VERB[decision]} “${title}”. Press u to undo.`).then((ok) => {
        if (ok) set({ decided: [...get().decided, { approvalId: id, title }].slice(-20) });
        return ok;
      });
      lastDecision = deciding;
      return deciding;
    },
    async undoLastDecision() {
      // u pressed while the core has not yet answered a decision undoes that decision, not the one before.
      await lastDecision;
      const last = get().decided.at(-1);
      if (!last) return set({ inboxNotice: 'Nothing to undo.' });
      set({ decided: get().decided.slice(0, -1) });
      try {
        await keelClient().call('approvals.undo', { id: last.approvalId });
        // Said once it is true on screen: the item is back in the list, and selected.
        await get().refreshInbox();
        get().selectItem(last.approvalId);
        set({ inboxError: null, inboxNotice: `“${last.title}” is back in the inbox.` });
      } catch (err) {
        set({ inboxError: message(err), inboxNotice: null });
      }
    },
    resolveEscalation: (id, a) => command(id, () => keelClient().call('escalations.resolve', { id, ...a }), a.action === 'abort' ? 'Run aborted.' : a.action === 'skip' ? 'Step skipped; the run goes on.' : 'Retrying.'),
    raiseCapAndRetry: (id, cap) =>
      command(
        id,
        async () => {
          await keelClient().call('budgets.set', cap);
          await keelClient().call('escalations.resolve', { id, action: 'retry', note: 'budget cap raised' });
        },
        'Cap raised; retrying.',
      ),
    retryDeadLetter: (id, input) =>
      command(id, () => (input === undefined ? keelClient().call('deadLetters.retry', { id }) : keelClient().call('deadLetters.editAndRetry', { id, input })), 'Retrying.'),
    discardDeadLetter: (id, note) => command(id, () => keelClient().call('deadLetters.discard', { id, ...(note ? { note } : {}) }), 'Discarded.'),
  };
};

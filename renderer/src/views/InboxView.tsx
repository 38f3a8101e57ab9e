import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { InboxItem } from '../../../shared/domain/inbox';
import type { Approval } from '../../../shared/domain/kernel';
import { useCommand } from '../commands/bindings';
import { useKeel } from '../store/store';
import { EmptyState } from './EmptyState';
import { ApprovalFrame } from './inbox/ApprovalFrame';
import { DraftApproval } from './inbox/DraftApproval';
import { EffectApproval } from './inbox/EffectApproval';
import { FailureDetail } from './inbox/FailureDetail';
import { InboxList } from './inbox/InboxList';
import { asDraft, asEffect, asReconciliation } from './inbox/proposals';
import { ReconciliationApproval } from './inbox/ReconciliationApproval';
import { views } from './registry';

/** Each kind of approval in the form that reads best; anything unknown as its JSON. */
function ApprovalCard({ approval }: { approval: Approval }) {
  if (approval.kind === 'draft') {
    const draft = asDraft(approval.proposal);
    if (draft) return <DraftApproval approval={approval} draft={draft} />;
  }
  if (approval.kind === 'reconciliation') {
    const proposal = asReconciliation(approval.proposal);
    if (proposal) return <ReconciliationApproval approval={approval} proposal={proposal} />;
  }
  if (approval.kind === 'effect') {
    const effect = asEffect(approval.proposal);
    if (effect) return <EffectApproval approval={approval} effect={effect} />;
  }
  return (
    <ApprovalFrame approval={approval} kind={approval.kind}>
      <pre className="proposal">{JSON.stringify(approval.proposal, null, 2)}</pre>
    </ApprovalFrame>
  );
}

function DetailSkeleton() {
  return (
    <div className="card skeleton" aria-busy="true" aria-label="Loading">
      <div className="skeleton-line wide" />
      <div className="skeleton-line" />
      <div className="skeleton-line" />
    </div>
  );
}

/** The selected item in full; keyed by id so a new item starts with a fresh note and choices. */
function Detail({ item }: { item: InboxItem }) {
  const detail = useKeel((s) => s.inboxDetails[item.id]);
  const loadDetail = useKeel((s) => s.loadDetail);
  useEffect(() => void loadDetail(item), [item, loadDetail]);
  if (item.kind !== 'approval') return <FailureDetail item={item} run={detail?.kind === 'run' ? detail.run : null} />;
  return detail?.kind === 'approval' ? <ApprovalCard approval={detail.approval} /> : <DetailSkeleton />;
}

function Notices() {
  const { error, notice } = useKeel(useShallow((s) => ({ error: s.inboxError, notice: s.inboxNotice })));
  return (
    <div className="inbox-notices">
      {error && (
        <p className="error" role="alert" data-testid="inbox-error">
          {error}
        </p>
      )}
      <p className="notice" role="status" data-testid="inbox-notice">
        {notice ?? ''}
      </p>
    </div>
  );
}

/** Everything waiting for the operator: the list (riskiest, oldest first) beside the selected item; live. */
export function InboxView() {
  const { items, loaded } = useKeel(useShallow((s) => ({ items: s.inboxItems, loaded: s.inboxLoaded })));
  const selected = useKeel((s) => s.selectedItem());
  const { moveSelection, undoLastDecision } = useKeel.getState();
  useCommand('inbox.next', () => moveSelection(1));
  useCommand('inbox.previous', () => moveSelection(-1));
  useCommand('decision.undo', () => void undoLastDecision());
  return (
    <section className="inbox" aria-label="Inbox">
      <Notices />
      {!loaded ? (
        <DetailSkeleton />
      ) : items.length === 0 ? (
        <EmptyState view={views.find((v) => v.id === 'inbox')!} />
      ) : (
        <>
          <h1>
            Inbox <span className="meta">({items.length} waiting · press ? for the keys)</span>
          </h1>
          <div className="inbox-panes">
            <InboxList items={items} selectedId={selected?.id ?? null} />
            <div className="inbox-detail">{selected && <Detail key={selected.id} item={selected} />}</div>
          </div>
        </>
      )}
    </section>
  );
}

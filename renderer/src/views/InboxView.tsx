import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Approval, DeadLetter, Escalation } from '../../../shared/domain/kernel';
import { settingsHref } from '../routes';
import { useKeel } from '../store/store';
import { EmptyState } from './EmptyState';
import { ApprovalHeader } from './inbox/ApprovalHeader';
import { DecisionNote } from './inbox/DecisionNote';
import { DraftApproval } from './inbox/DraftApproval';
import { EffectApproval } from './inbox/EffectApproval';
import { asDraft, asEffect, asReconciliation } from './inbox/proposals';
import { ReconciliationApproval } from './inbox/ReconciliationApproval';
import { views } from './registry';

function GenericApproval({ approval }: { approval: Approval }) {
  const decide = useKeel((s) => s.decide);
  const [note, setNote] = useState('');
  return (
    <article className="card" data-testid="approval" data-kind={approval.kind} aria-label={approval.title}>
      <ApprovalHeader approval={approval} />
      <pre className="proposal">{JSON.stringify(approval.proposal, null, 2)}</pre>
      <DecisionNote value={note} onChange={setNote} />
      <div className="actions">
        <button onClick={() => void decide(approval.id, 'approve', note)}>Approve</button>
        <button className="secondary" onClick={() => void decide(approval.id, 'reject', note)}>
          Reject
        </button>
      </div>
    </article>
  );
}

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
  return <GenericApproval approval={approval} />;
}

function EscalationCard({ escalation }: { escalation: Escalation }) {
  const resolve = useKeel((s) => s.resolveEscalation);
  return (
    <article className="card" data-testid="escalation">
      <header>
        <h2>{escalation.kind === 'budget' ? 'Budget cap reached' : escalation.kind === 'compensation_failed' ? 'Undo failed' : 'A step keeps failing'}</h2>
        <span className="kind">{escalation.reason.kind}</span>
      </header>
      <p>{escalation.reason.message}</p>
      {escalation.reason.details?.reason === 'email.uncertain_send' && (
        <p>
          Check whether it arrived and say so in <a href={settingsHref('email')}>Settings → E-mail</a>: the run then goes on by itself.
        </p>
      )}
      <div className="actions">
        <button onClick={() => void resolve(escalation.id, 'retry')}>Retry</button>
        <button className="secondary" onClick={() => void resolve(escalation.id, 'abort')}>
          Abort run
        </button>
      </div>
    </article>
  );
}

function DeadLetterCard({ deadLetter }: { deadLetter: DeadLetter }) {
  const retry = useKeel((s) => s.retryDeadLetter);
  const discard = useKeel((s) => s.discardDeadLetter);
  return (
    <article className="card" data-testid="dead-letter">
      <header>
        <h2>{deadLetter.workflow} was parked</h2>
        <span className="kind">{deadLetter.reason.kind}</span>
      </header>
      <p>{deadLetter.reason.message}</p>
      <div className="actions">
        <button onClick={() => void retry(deadLetter.id)}>Retry</button>
        <button className="secondary" onClick={() => void discard(deadLetter.id)}>
          Discard
        </button>
      </div>
    </article>
  );
}

/** Everything waiting for the operator, newest first, updated live. */
export function InboxView() {
  const { approvals, escalations, deadLetters, inboxError } = useKeel(
    useShallow((s) => ({ approvals: s.approvals, escalations: s.escalations, deadLetters: s.deadLetters, inboxError: s.inboxError })),
  );
  const empty = approvals.length + escalations.length + deadLetters.length === 0;
  return (
    <section className="inbox" aria-label="Inbox">
      {inboxError && <p className="error" role="alert">{inboxError}</p>}
      {empty ? (
        <EmptyState view={views.find((v) => v.id === 'inbox')!} />
      ) : (
        <>
          <h1>Inbox</h1>
          {approvals.map((a) => <ApprovalCard key={a.id} approval={a} />)}
          {escalations.map((e) => <EscalationCard key={e.id} escalation={e} />)}
          {deadLetters.map((d) => <DeadLetterCard key={d.id} deadLetter={d} />)}
        </>
      )}
    </section>
  );
}

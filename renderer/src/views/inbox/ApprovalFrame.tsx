import { useRef, useState, type ReactNode } from 'react';
import type { Approval } from '../../../../shared/domain/kernel';
import { useCommand } from '../../commands/bindings';
import { CommandButton } from '../../commands/CommandButton';
import { useKeel } from '../../store/store';
import { ApprovalHeader } from './ApprovalHeader';

interface Props {
  approval: Approval;
  /** data-kind, and the card's class. */
  kind: string;
  children: ReactNode;
  approveLabel?: string;
  /** What approving means here (default: approve as proposed). */
  onApprove?: (note: string) => void;
  /** Actions between Approve and Reject, given the note typed so far. */
  actions?: (note: string) => ReactNode;
  /** False while the card shows a form of its own (an edit) instead of the decision buttons. */
  deciding?: boolean;
}

/**
 * Every approval's frame: title, risk and reason; the proposal (children); the note kept with
 * the decision; Approve and Reject bound to `a` and `r` (the note is the reason).
 */
export function ApprovalFrame({ approval, kind, children, approveLabel = 'Approve', onApprove, actions, deciding = true }: Props) {
  const decide = useKeel((s) => s.decide);
  const [note, setNote] = useState('');
  const noteRef = useRef<HTMLInputElement>(null);
  const approve = () => (onApprove ? onApprove(note) : void decide(approval.id, 'approve', note));
  const reject = () => void decide(approval.id, 'reject', note);
  useCommand('approval.approve', approve, deciding);
  useCommand('approval.reject', reject, deciding);
  useCommand('inbox.note', () => noteRef.current?.focus(), deciding);
  return (
    <article className={`card ${kind}`} data-testid="approval" data-id={approval.id} data-kind={kind} aria-label={approval.title}>
      <ApprovalHeader approval={approval} />
      {children}
      {deciding && (
        <>
          <label className="note">
            Note <input ref={noteRef} value={note} onChange={(e) => setNote(e.target.value)} placeholder="optional, kept with the decision" aria-keyshortcuts="C" />
          </label>
          <div className="actions wrap">
            <CommandButton id="approval.approve" run={approve}>
              {approveLabel}
            </CommandButton>
            {actions?.(note)}
            <CommandButton id="approval.reject" run={reject} variant="danger">
              Reject
            </CommandButton>
          </div>
        </>
      )}
    </article>
  );
}

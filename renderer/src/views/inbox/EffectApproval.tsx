import { useState } from 'react';
import type { Approval } from '../../../../shared/domain/kernel';
import { useKeel } from '../../store/store';
import { ApprovalHeader } from './ApprovalHeader';
import { DecisionNote } from './DecisionNote';
import type { EffectProposal } from './proposals';

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="meta">—</span>;
  if (typeof value === 'string') return value.includes('\n') || value.length > 120 ? <pre className="arg-text">{value}</pre> : <>{value}</>;
  if (typeof value === 'number' || typeof value === 'boolean') return <>{String(value)}</>;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return <>{value.join(', ')}</>;
  return <pre className="arg-text">{JSON.stringify(value, null, 2)}</pre>;
}

/** An agent asks to act on the outside world: which adapter action, with which arguments. */
export function EffectApproval({ approval, effect }: { approval: Approval; effect: EffectProposal }) {
  const decide = useKeel((s) => s.decide);
  const [note, setNote] = useState('');
  const args = typeof effect.args === 'object' && effect.args !== null && !Array.isArray(effect.args) ? Object.entries(effect.args) : null;
  return (
    <article className="card effect" data-testid="approval" data-kind="effect" aria-label={approval.title}>
      <ApprovalHeader approval={approval} />
      <p>
        Action: <code>{`${effect.adapter}.${effect.action}`}</code>
      </p>
      {args ? (
        <dl className="facts args">
          {args.map(([k, v]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd>
                <Value value={v} />
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <Value value={effect.args} />
      )}
      <DecisionNote value={note} onChange={setNote} />
      <div className="actions">
        <button type="button" onClick={() => void decide(approval.id, 'approve', note)}>
          Approve
        </button>
        <button type="button" className="danger" onClick={() => void decide(approval.id, 'reject', note)}>
          Reject
        </button>
      </div>
    </article>
  );
}

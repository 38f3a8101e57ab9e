import type { Approval } from '../../../../shared/domain/kernel';
import { ApprovalFrame } from './ApprovalFrame';
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
  const args = typeof effect.args === 'object' && effect.args !== null && !Array.isArray(effect.args) ? Object.entries(effect.args) : null;
  return (
    <ApprovalFrame approval={approval} kind="effect">
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
    </ApprovalFrame>
  );
}

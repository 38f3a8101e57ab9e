import { useState } from 'react';
import type { Approval } from '../../../../shared/domain/kernel';
import { useKeel } from '../../store/store';
import { ApprovalFrame } from './ApprovalFrame';
import { money, type InvoiceView, type Mismatch, type PaymentView, type ReconciliationProposal } from './proposals';

const where = (s: { file: string; row: number | null }) => `${s.file}${s.row !== null ? `, row ${s.row}` : ''}`;

function Invoice({ inv }: { inv: InvoiceView }) {
  return (
    <>
      <strong>{inv.number ?? 'no number'}</strong> · {inv.customer ?? 'unknown customer'} · {money(inv.amount, inv.currency)}
      {inv.due && <span className="meta"> · due {inv.due}</span>}
      <div className="meta small-text">{where(inv.source)}</div>
    </>
  );
}

function Payments({ payments }: { payments: PaymentView[] }) {
  if (payments.length === 0) return <span className="meta">none</span>;
  return (
    <ul className="plain">
      {payments.map((p, i) => (
        <li key={i}>
          {p.date ?? 'undated'} · {money(p.amount, p.currency)}
          {p.payer && <> · {p.payer}</>}
          {p.reference && <div className="meta small-text">“{p.reference}”</div>}
          <div className="meta small-text">{where(p.source)}</div>
        </li>
      ))}
    </ul>
  );
}

function MismatchItem({ m }: { m: Mismatch }) {
  const numbers = Object.entries(m.numbers);
  return (
    <li className="mismatch" data-testid="mismatch">
      <div>
        <strong>{m.title}</strong> <span className="kind">{m.type.replace(/_/g, ' ')}</span>
      </div>
      <p>{m.reason}</p>
      <dl className="facts compact">
        {m.invoice && (
          <>
            <dt>Invoice</dt>
            <dd>
              <Invoice inv={m.invoice} />
            </dd>
          </>
        )}
        {m.payments.length > 0 && (
          <>
            <dt>Payments</dt>
            <dd>
              <Payments payments={m.payments} />
            </dd>
          </>
        )}
        {numbers.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}</dt>
            <dd>{v ?? '—'}</dd>
          </div>
        ))}
      </dl>
      {m.rows?.map((r, i) => (
        <div key={i} className="unreadable">
          <span className="meta">{where(r)}:</span> {r.problem}
          <code className="row-cells">{Object.entries(r.cells).map(([k, v]) => `${k}: ${v}`).join(' · ')}</code>
        </div>
      ))}
    </li>
  );
}

/** Invoices matched to payments, each acceptable on its own, and what did not add up with its evidence. */
export function ReconciliationApproval({ approval, proposal }: { approval: Approval; proposal: ReconciliationProposal }) {
  const decide = useKeel((s) => s.decide);
  const { matches, mismatches, summary } = proposal;
  const [accepted, setAccepted] = useState<Set<string>>(() => new Set(matches.map((m) => m.id)));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(accepted);
    if (on) next.add(id);
    else next.delete(id);
    setAccepted(next);
  };
  const chosen = matches.filter((m) => accepted.has(m.id)).map((m) => m.id);
  return (
    <ApprovalFrame
      approval={approval}
      kind="reconciliation"
      approveLabel={`Approve all ${matches.length} matches`}
      actions={(note) => (
        <button type="button" className="secondary" disabled={chosen.length === 0} onClick={() => void decide(approval.id, 'approve_partial', note, { acceptedParts: chosen })}>
          Accept selected matches ({chosen.length} of {matches.length})
        </button>
      )}
    >
      <p className="summary">
        {summary.text} <span className="meta">As of {summary.asOf}.</span>
      </p>
      <h3>Matches</h3>
      <table className="matches" aria-label="Matches">
        <thead>
          <tr>
            <th scope="col">Accept</th>
            <th scope="col">Invoice</th>
            <th scope="col">Paid by</th>
            <th scope="col">Rule</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {matches.map((m) => (
            <tr key={m.id} data-testid="match">
              <td>
                <input type="checkbox" checked={accepted.has(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} aria-label={`Accept the match of invoice ${m.invoice.number ?? m.id}`} />
              </td>
              <td>
                <Invoice inv={m.invoice} />
              </td>
              <td>
                <Payments payments={m.payments} />
              </td>
              <td>{m.rule === 'reference' ? 'invoice number in the reference' : m.rule === 'amount+customer' ? 'same amount and customer' : m.rule}</td>
              <td>{m.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mismatches.length > 0 && (
        <>
          <h3>
            Mismatches <span className="meta">({mismatches.length}, for you to look into afterwards)</span>
          </h3>
          <ul className="mismatches">
            {mismatches.map((m) => (
              <MismatchItem key={m.id} m={m} />
            ))}
          </ul>
        </>
      )}
      {summary.openNotDue && summary.openNotDue.length > 0 && (
        <details>
          <summary>{summary.openNotDue.length} unpaid invoices not yet due</summary>
          <ul className="plain">
            {summary.openNotDue.map((o, i) => (
              <li key={i}>
                {o.number ?? 'no number'} · {o.customer ?? 'unknown'} · {money(o.amount, o.currency)} · due {o.due ?? '—'}
              </li>
            ))}
          </ul>
        </details>
      )}
    </ApprovalFrame>
  );
}

import { useEffect, useState } from 'react';
import type { DocumentSummary } from '../../../../shared/domain/documents';
import { keelClient } from '../../api/client';
import { inboxHref } from '../../routes';
import { errorMessage } from '../../util/timing';
import { useStartRun } from './useStartRun';

type Role = 'invoices' | 'payments';

/** Starts the reconciler on documents in memory: invoices (CSV exports or invoice documents) against payment exports. */
export function ReconcileCard() {
  const [docs, setDocs] = useState<DocumentSummary[] | null>(null);
  const [chosen, setChosen] = useState<Record<Role, string[]>>({ invoices: [], payments: [] });
  const { state, start: startRun, failed } = useStartRun('agent.reconciler');
  useEffect(() => {
    keelClient()
      .call('documents.list', { status: ['indexed'], limit: 500 })
      .then((r) => setDocs(r.documents), (err: unknown) => failed(`The documents could not be listed: ${errorMessage(err)}`));
  }, []);
  const toggle = (role: Role, id: string, on: boolean) => setChosen({ ...chosen, [role]: on ? [...chosen[role], id] : chosen[role].filter((x) => x !== id) });
  const start = () => startRun({ invoices: chosen.invoices.map((documentId) => ({ documentId })), payments: chosen.payments.map((documentId) => ({ documentId })) });
  const list = (role: Role) => (
    <fieldset>
      <legend>{role === 'invoices' ? 'Invoices (CSV export or invoice documents)' : 'Payments (bank or payment-provider CSV export)'}</legend>
      {docs?.length === 0 && <p className="meta">No documents yet: add the exports first.</p>}
      {docs?.map((d) => (
        <label key={d.id} className="choice">
          <input type="checkbox" checked={chosen[role].includes(d.id)} onChange={(e) => toggle(role, d.id, e.target.checked)} /> {d.name}
        </label>
      ))}
    </fieldset>
  );
  return (
    <section className="card" aria-labelledby="reconcile-title">
      <h2 id="reconcile-title">Reconcile invoices and payments</h2>
      {docs === null && state.kind !== 'failed' ? <p className="meta">Loading documents…</p> : (
        <div className="reconcile-choice">
          {list('invoices')}
          {list('payments')}
        </div>
      )}
      <div className="actions">
        <button type="button" disabled={!chosen.invoices.length || !chosen.payments.length || state.kind === 'starting'} onClick={() => void start()}>
          Reconcile
        </button>
      </div>
      <div role="status">
        {state.kind === 'started' && <p className="ok">The reconciler is matching them; its proposal (and any mismatches) will appear in the <a href={inboxHref()}>Inbox</a>.</p>}
        {state.kind === 'failed' && <p className="error">{state.message}</p>}
      </div>
    </section>
  );
}

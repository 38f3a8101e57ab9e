import { useState } from 'react';
import { useWhenConnected } from '../../../app/useWhenConnected';
import { useKeel } from '../../../store/store';
import { AccountCard } from './AccountCard';
import { AccountForm } from './AccountForm';
import { IntakeOptions } from './IntakeOptions';
import type { ImapAccountView } from './imap-draft';

function Accounts() {
  const settings = useKeel((s) => s.imapSettings);
  const [form, setForm] = useState<{ editing: ImapAccountView | null } | null>(null);
  const accounts = settings?.accounts ?? [];
  return (
    <section aria-labelledby="imap-accounts-title">
      <h2 id="imap-accounts-title">Accounts</h2>
      {accounts.length === 0 ? (
        <p className="meta">No account yet. Add one: each new message in its folders becomes a document (attachments too), and triage sorts it.</p>
      ) : (
        <ul className="providers">
          {accounts.map((a) =>
            form?.editing?.id === a.id ? null : <AccountCard key={a.id} account={a} onEdit={() => setForm({ editing: a })} />,
          )}
        </ul>
      )}
      {form ? (
        <AccountForm key={form.editing?.id ?? 'new'} account={form.editing} onDone={() => setForm(null)} />
      ) : (
        <button type="button" onClick={() => setForm({ editing: null })} disabled={accounts.length >= 10}>
          Add an account…
        </button>
      )}
    </section>
  );
}

/** Settings → Incoming mail: the IMAP accounts whose mail Keel takes in, and how each folder's connection is doing. */
export function ImapSettings() {
  const refresh = useKeel((s) => s.refreshImap);
  const loaded = useKeel((s) => s.imapLoaded);
  const error = useKeel((s) => s.imapError);
  const notice = useKeel((s) => s.imapNotice);
  useWhenConnected(refresh, [refresh]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="imap-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <section aria-labelledby="imap-title">
        <h2 id="imap-title">Incoming mail (IMAP)</h2>
        <p className="meta">
          Keel watches these folders and takes in every new message once, as a document with its attachments; triage then sorts it. Nothing is deleted or marked on the server.
          Passwords are stored encrypted and never shown again.
        </p>
        {loaded && <IntakeOptions />}
      </section>
      {loaded ? <Accounts /> : !error && <p className="meta">Loading…</p>}
    </>
  );
}

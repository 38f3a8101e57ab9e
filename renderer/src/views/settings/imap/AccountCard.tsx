import { useState } from 'react';
import { useKeel } from '../../../store/store';
import { FolderStatusTable } from './FolderStatusTable';
import { keepAccount, type ImapAccountView } from './imap-draft';

/** One account as stored, with its folders' connections; edit, or remove it (after a confirmation). */
export function AccountCard({ account: a, onEdit }: { account: ImapAccountView; onEdit: () => void }) {
  const stored = useKeel((s) => s.imapSettings);
  const status = useKeel((s) => s.imapStatus?.accounts.find((x) => x.id === a.id));
  const save = useKeel((s) => s.saveImap);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const name = a.label || a.user;
  const remove = async () => {
    if (!stored) return;
    setBusy(true);
    const ok = await save({ enabled: stored.enabled, maxMessageMb: stored.maxMessageMb, accounts: stored.accounts.filter((x) => x.id !== a.id).map(keepAccount) }, `${name} removed; its mail already taken in stays.`);
    setBusy(false);
    if (ok) setConfirm(false);
  };
  return (
    <li className="provider" data-testid="imap-account" data-id={a.id}>
      <div className="provider-head">
        <strong>{name}</strong>
        {!a.enabled && <span className="pill small">not watched</span>}
        <span className="meta">
          {a.user} at {a.host}:{a.port} ({a.secure ? 'TLS' : 'STARTTLS'})
        </span>
        <span className="spacer" />
        <button type="button" className="secondary small" onClick={onEdit} aria-label={`Edit ${name}`}>
          Edit
        </button>
        <button type="button" className="danger small" onClick={() => setConfirm(true)} aria-label={`Remove ${name}`}>
          Remove
        </button>
      </div>
      <p className="meta small-text">
        {a.hasPassword ? `Password stored (${a.passwordMasked})` : 'No password stored'} · checked every {a.pollSeconds} s
      </p>
      {status && <FolderStatusTable status={status} />}
      {confirm && (
        <div className="confirm" role="group" aria-label={`Remove ${name}`} onKeyDown={(e) => e.key === 'Escape' && !busy && setConfirm(false)}>
          <p>Stop watching {name} and forget its password? Mail already taken in stays in Keel.</p>
          <div className="actions">
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()} autoFocus>
              {busy ? 'Removing…' : 'Remove account'}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirm(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

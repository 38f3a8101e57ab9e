import { useEffect, useState, type FormEvent } from 'react';
import { useKeel } from '../../../store/store';
import { keepAccount } from './imap-draft';

/** Intake on or off for every account, and the largest message taken in whole. */
export function IntakeOptions() {
  const stored = useKeel((s) => s.imapSettings);
  const save = useKeel((s) => s.saveImap);
  const [mb, setMb] = useState(String(stored?.maxMessageMb ?? 25));
  const [busy, setBusy] = useState(false);
  useEffect(() => setMb(String(stored?.maxMessageMb ?? 25)), [stored?.maxMessageMb]);
  if (!stored) return null;
  const accounts = stored.accounts.map(keepAccount);
  const mbValue = /^\d+$/.test(mb.trim()) && Number(mb) >= 1 && Number(mb) <= 100 ? Number(mb) : null;
  const run = async (enabled: boolean, maxMessageMb: number, notice: string) => {
    setBusy(true);
    await save({ enabled, maxMessageMb, accounts }, notice);
    setBusy(false);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mbValue !== null) void run(stored.enabled, mbValue, `Messages over ${mbValue} MB are taken in as their headers only.`);
  };
  return (
    <div className="intake-options">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={stored.enabled}
          disabled={busy}
          onChange={(e) => void run(e.target.checked, stored.maxMessageMb, e.target.checked ? 'Intake is on: every account marked watched is followed.' : 'Intake is off: no mail is taken in.')}
        />{' '}
        Take in e-mail from these accounts
      </label>
      <form className="inline-form tight" aria-label="Largest message" onSubmit={submit}>
        <label htmlFor="imap-max-mb">Largest message taken in whole (MB)</label>
        <input id="imap-max-mb" inputMode="numeric" size={5} value={mb} onChange={(e) => setMb(e.target.value)} aria-invalid={mbValue === null} />
        <button type="submit" className="secondary small" disabled={busy || mbValue === null || mbValue === stored.maxMessageMb}>
          Save
        </button>
      </form>
    </div>
  );
}

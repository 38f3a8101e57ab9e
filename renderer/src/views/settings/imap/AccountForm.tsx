import { useState, type FormEvent, type ReactNode } from 'react';
import { DEFAULT_MAX_MESSAGE_MB } from '../../../../../shared/domain/imap';
import { useKeel } from '../../../store/store';
import { draftProblems, keepAccount, toAccountDraft, toAccountInput, type AccountDraft, type ImapAccountView } from './imap-draft';
import { ImapCheckResult } from './ImapCheckResult';

/** Adds or changes one IMAP account; tried with what is entered before it is saved; the password is write-only. */
export function AccountForm({ account, onDone }: { account: ImapAccountView | null; onDone: () => void }) {
  const stored = useKeel((s) => s.imapSettings);
  const save = useKeel((s) => s.saveImap);
  const test = useKeel((s) => s.testImap);
  const clearCheck = useKeel((s) => s.clearImapCheck);
  const checkKey = account?.id ?? 'new';
  const testing = useKeel((s) => s.imapChecks[checkKey]?.state === 'running');
  const [d, setD] = useState<AccountDraft>(() => toAccountDraft(account));
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<AccountDraft>) => {
    setD({ ...d, ...patch });
    clearCheck(checkKey);
  };
  const problems = draftProblems(d, account?.hasPassword ?? false);
  const ready = Object.keys(problems).length === 0;
  const shown = (k: keyof AccountDraft) => (d[k] !== '' || k === 'password' ? problems[k] : undefined);
  const id = (f: string) => `imap-${checkKey}-${f}`;
  const setSecure = (secure: boolean) => {
    const usual = d.port === '993' || d.port === '143' || d.port === '';
    set({ secure, ...(usual ? { port: secure ? '993' : '143' } : {}) });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const input = toAccountInput(d);
    const others = (stored?.accounts ?? []).map(keepAccount);
    const accounts = account ? others.map((a) => (a.id === account.id ? input : a)) : [...others, input];
    setSaving(true);
    const ok = await save(
      { enabled: stored?.enabled ?? true, maxMessageMb: stored?.maxMessageMb ?? DEFAULT_MAX_MESSAGE_MB, accounts },
      account ? `${input.label || input.user} saved; its folders reconnect.` : `${input.label || input.user} added; Keel starts watching ${input.folders?.join(', ')}.`,
    );
    setSaving(false);
    if (ok) {
      clearCheck(checkKey);
      onDone();
    }
  };
  const field = (key: keyof AccountDraft, label: string, input: ReactNode) => (
    <>
      <label htmlFor={id(key)}>{label}</label>
      <span className="stack">
        {input}
        {shown(key) && (
          <span className="error small-text" id={id(`${key}-problem`)}>
            {shown(key)}
          </span>
        )}
      </span>
    </>
  );
  const text = (key: 'label' | 'host' | 'port' | 'user' | 'folders' | 'pollSeconds' | 'backfill', extra: Record<string, unknown> = {}) => (
    <input id={id(key)} value={d[key]} onChange={(e) => set({ [key]: e.target.value })} spellCheck={false} aria-invalid={shown(key) !== undefined} {...extra} />
  );
  return (
    <form className="settings-grid card imap-form" aria-label={account ? `Edit ${account.label || account.user}` : 'Add an IMAP account'} onSubmit={(e) => void submit(e)}>
      <h3 className="wide">{account ? `Edit ${account.label || account.user}` : 'Add an account'}</h3>
      {field('label', 'Name', text('label', { placeholder: 'Work', maxLength: 100 }))}
      {field('host', 'Server', text('host', { placeholder: 'imap.example.com' }))}
      <label htmlFor={id('security')}>Security</label>
      <select id={id('security')} value={d.secure ? 'tls' : 'starttls'} onChange={(e) => setSecure(e.target.value === 'tls')}>
        <option value="tls">TLS from the start (usually port 993)</option>
        <option value="starttls">STARTTLS (usually port 143)</option>
      </select>
      {field('port', 'Port', text('port', { inputMode: 'numeric', size: 6 }))}
      {field('user', 'User name', text('user', { autoComplete: 'off' }))}
      {field(
        'password',
        'Password',
        <>
          <input id={id('password')} type="password" value={d.password} onChange={(e) => set({ password: e.target.value })} autoComplete="new-password" placeholder={account?.hasPassword ? 'leave blank to keep the stored one' : 'required'} />
          {account?.hasPassword && <span className="meta small-text">A password is stored ({account.passwordMasked}).</span>}
        </>,
      )}
      {field('folders', 'Folders', text('folders', { placeholder: 'INBOX, Invoices' }))}
      {field('pollSeconds', 'Check every (s)', text('pollSeconds', { inputMode: 'numeric', size: 6 }))}
      {field('backfill', 'Take in existing', text('backfill', { inputMode: 'numeric', size: 6, 'aria-describedby': id('backfill-hint') }))}
      <span />
      <span id={id('backfill-hint')} className="meta small-text">
        When a folder is first watched, its newest this many messages are taken in too (0: only new mail).
      </span>
      <span />
      <label className="checkbox">
        <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Watch this account
      </label>
      <span />
      <div className="actions">
        <button type="button" className="secondary" disabled={!ready || testing} onClick={() => void test(checkKey, { account: toAccountInput(d) })}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" disabled={!ready || saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={onDone} disabled={saving}>
          Cancel
        </button>
      </div>
      <span />
      <div role="status">
        <ImapCheckResult checkKey={checkKey} />
      </div>
    </form>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import type { EmailSettingsInput, EmailSettingsView, SmtpErrorCode } from '../../../../../shared/domain/email';
import { useKeel } from '../../../store/store';

interface Draft {
  host: string;
  port: string;
  secure: boolean;
  user: string;
  from: string;
  fromName: string;
  password: string;
}

const toDraft = (s: EmailSettingsView | null): Draft =>
  s
    ? { host: s.host, port: String(s.port), secure: s.secure, user: s.user, from: s.from, fromName: s.fromName ?? '', password: '' }
    : { host: '', port: '587', secure: false, user: '', from: '', fromName: '', password: '' };

const port = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 65_535 ? Number(s) : null);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOST = /^[A-Za-z0-9.:[\]-]+$/;

function toInput(d: Draft): EmailSettingsInput | null {
  const p = port(d.port);
  if (!HOST.test(d.host.trim()) || p === null || !d.user.trim() || !EMAIL.test(d.from.trim())) return null;
  return {
    host: d.host.trim(),
    port: p,
    secure: d.secure,
    user: d.user.trim(),
    from: d.from.trim(),
    ...(d.fromName.trim() ? { fromName: d.fromName.trim() } : {}),
    ...(d.password ? { password: d.password } : {}),
  };
}

export const SMTP_PROBLEM: Record<SmtpErrorCode, string> = {
  not_configured: 'E-mail is not set up',
  no_password: 'No password',
  auth_failed: 'The server refused the user name or password',
  cannot_connect: 'Cannot reach the server',
  tls: 'The secure connection failed',
  rejected: 'The server refused',
  temporary: 'The server is busy; try again',
  uncertain: 'The outcome is unknown',
  other: 'It did not work',
};

function CheckResult() {
  const check = useKeel((s) => s.emailCheck);
  if (!check) return null;
  if (check.state === 'running') return <p className="meta">Connecting…</p>;
  const r = check.result!;
  return r.ok ? (
    <p className="ok" data-testid="email-check">
      Connected and logged in. Nothing was sent.
    </p>
  ) : (
    <p className="error" data-testid="email-check" data-code={r.code}>
      <strong>{SMTP_PROBLEM[r.code]}:</strong> {r.message}
    </p>
  );
}

/** The SMTP account: tried with what is entered before it is saved; the password is write-only. */
export function SmtpForm() {
  const stored = useKeel((s) => s.emailSettings);
  const test = useKeel((s) => s.testEmail);
  const save = useKeel((s) => s.saveEmail);
  const clearCheck = useKeel((s) => s.clearEmailCheck);
  const testing = useKeel((s) => s.emailCheck?.state === 'running');
  const [d, setD] = useState(() => toDraft(stored));
  // Reset to what is stored when that changes (a save), not on every reload of the same settings.
  const storedKey = JSON.stringify(stored);
  useEffect(() => setD(toDraft(stored)), [storedKey]);
  const set = (patch: Partial<Draft>) => {
    setD({ ...d, ...patch });
    clearCheck();
  };
  const input = toInput(d);
  const needsPassword = !stored?.hasPassword && !d.password;
  const setSecure = (secure: boolean) => {
    // The usual ports follow the choice unless the operator typed another.
    const usual = d.port === '587' || d.port === '465' || d.port === '';
    set({ secure, ...(usual ? { port: secure ? '465' : '587' } : {}) });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (input && !needsPassword && (await save(input))) setD((x) => ({ ...x, password: '' }));
  };
  return (
    <section aria-labelledby="smtp-title">
      <h2 id="smtp-title">Outgoing mail (SMTP)</h2>
      <p className="meta">Agents send e-mail only through this account, and only after you approve. Use your provider's SMTP server; the password is stored encrypted and never shown again.</p>
      <form className="settings-grid" aria-label="SMTP settings" onSubmit={(e) => void submit(e)}>
        <label htmlFor="smtp-host">Server</label>
        <input id="smtp-host" value={d.host} onChange={(e) => set({ host: e.target.value })} placeholder="smtp.example.com" spellCheck={false} aria-invalid={d.host !== '' && !HOST.test(d.host.trim())} />
        <label htmlFor="smtp-security">Security</label>
        <select id="smtp-security" value={d.secure ? 'tls' : 'starttls'} onChange={(e) => setSecure(e.target.value === 'tls')}>
          <option value="starttls">STARTTLS (usually port 587)</option>
          <option value="tls">TLS from the start (usually port 465)</option>
        </select>
        <label htmlFor="smtp-port">Port</label>
        <input id="smtp-port" inputMode="numeric" size={6} value={d.port} onChange={(e) => set({ port: e.target.value })} aria-invalid={port(d.port) === null} />
        <label htmlFor="smtp-user">User name</label>
        <input id="smtp-user" value={d.user} onChange={(e) => set({ user: e.target.value })} autoComplete="off" spellCheck={false} />
        <label htmlFor="smtp-password">Password</label>
        <span className="stack">
          <input
            id="smtp-password"
            type="password"
            value={d.password}
            onChange={(e) => set({ password: e.target.value })}
            autoComplete="new-password"
            placeholder={stored?.hasPassword ? 'leave blank to keep the stored one' : 'required'}
          />
          {stored?.hasPassword && (
            <span className="meta" data-testid="smtp-password-stored">
              A password is stored ({stored.passwordMasked}).
            </span>
          )}
        </span>
        <label htmlFor="smtp-from">From address</label>
        <input id="smtp-from" type="email" value={d.from} onChange={(e) => set({ from: e.target.value })} placeholder="you@example.com" spellCheck={false} aria-invalid={d.from !== '' && !EMAIL.test(d.from.trim())} />
        <label htmlFor="smtp-from-name">From name</label>
        <input id="smtp-from-name" value={d.fromName} onChange={(e) => set({ fromName: e.target.value })} placeholder="Your name (also signs drafts)" maxLength={200} />
        <span />
        <div className="actions">
          <button type="button" className="secondary" disabled={!input || needsPassword || testing} onClick={() => input && void test(input)}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" disabled={!input || needsPassword}>
            Save
          </button>
        </div>
        <span />
        <div role="status">
          <CheckResult />
        </div>
      </form>
    </section>
  );
}

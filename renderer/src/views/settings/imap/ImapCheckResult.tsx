import type { ImapErrorCode } from '../../../../../shared/domain/imap';
import { useKeel } from '../../../store/store';

export const IMAP_PROBLEM: Record<ImapErrorCode, string> = {
  not_configured: 'Intake is not set up',
  no_password: 'No password',
  auth_failed: 'The server refused the user name or password',
  cannot_connect: 'Cannot reach the server',
  tls: 'The secure connection failed',
  folder_missing: 'A folder does not exist',
  dropped: 'The connection broke',
  server: 'The server refused a command',
  other: 'It did not work',
};

/** What "Test connection" found for one account form: its folders, whether the server pushes new mail, or what failed. */
export function ImapCheckResult({ checkKey }: { checkKey: string }) {
  const check = useKeel((s) => s.imapChecks[checkKey]);
  if (!check) return null;
  if (check.state === 'running') return <p className="meta">Connecting…</p>;
  const r = check.result!;
  if (!r.ok) {
    return (
      <p className="error" data-testid="imap-check" data-code={r.code}>
        <strong>{IMAP_PROBLEM[r.code]}:</strong> {r.message}
      </p>
    );
  }
  return (
    <div className="ok" data-testid="imap-check">
      <p>
        Connected and logged in; nothing was fetched. {r.idle ? 'The server pushes new mail (IDLE).' : 'The server cannot push new mail: Keel checks every few minutes.'}
      </p>
      <p className="meta small-text">
        Folders: {r.folders.map((f) => <code key={f.path}>{f.path} </code>)}
      </p>
    </div>
  );
}

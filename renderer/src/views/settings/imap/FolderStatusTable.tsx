import type { ImapFolderState, ImapStatus } from '../../../../../shared/domain/imap';
import { formatDate } from '../../../util/format';

type AccountStatus = ImapStatus['accounts'][number];

const STATE: Record<ImapFolderState, [label: string, tone: string]> = {
  connecting: ['Connecting', 'warn'],
  idle: ['Connected (pushed)', 'ok'],
  polling: ['Connected (checked regularly)', 'ok'],
  waiting: ['Waiting to reconnect', 'warn'],
  auth_failed: ['Login refused', 'bad'],
  stopped: ['Stopped', 'muted'],
};

/** Each watched folder's connection: its state, last success and error, messages taken in. */
export function FolderStatusTable({ status }: { status: AccountStatus }) {
  if (!status.folders.length) return null;
  return (
    <table className="imap-folders" aria-label={`Folders of ${status.label || status.user}`}>
      <thead>
        <tr>
          <th scope="col">Folder</th>
          <th scope="col">Connection</th>
          <th scope="col">Last success</th>
          <th scope="col">Last error</th>
          <th scope="col" className="num">
            Taken in
          </th>
        </tr>
      </thead>
      <tbody>
        {status.folders.map((f) => {
          const [label, tone] = STATE[f.state];
          return (
            <tr key={f.folder} data-testid="imap-folder" data-state={f.state}>
              <td>
                <code>{f.folder}</code>
              </td>
              <td>
                <span className={`pill status tone-${tone}`}>{label}</span>
                {f.nextAttemptAt && <div className="meta small-text">next try {formatDate(f.nextAttemptAt)}</div>}
                {f.notice && <div className="warn small-text">{f.notice}</div>}
              </td>
              <td>{formatDate(f.lastSuccessAt)}</td>
              <td>
                {f.lastError ? (
                  <span className="error small-text">
                    {formatDate(f.lastError.at)}: {f.lastError.message}
                  </span>
                ) : (
                  <span className="meta">—</span>
                )}
              </td>
              <td className="num">{f.taken}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

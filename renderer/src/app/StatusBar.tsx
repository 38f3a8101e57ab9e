import { useKeel } from '../store/store';

const CONNECTION_TEXT = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…' } as const;

export function StatusBar() {
  const connection = useKeel((s) => s.connection);
  const status = useKeel((s) => s.status);
  const db = status?.database;
  const dbText = !db
    ? 'Database: unknown'
    : db.state === 'ready'
      ? `Database ready · schema ${status.databaseSchemaVersion}`
      : db.state === 'opening'
        ? 'Database opening…'
        : `Database failed: ${db.error ?? 'unknown error'}`;
  return (
    <footer className="status-bar" role="status">
      <span className={`pill ${connection}`} data-testid="connection">
        {CONNECTION_TEXT[connection]}
      </span>
      <span className={`pill db-${db?.state ?? 'unknown'}`} data-testid="database">
        {dbText}
      </span>
      {status?.agentsPaused && <span className="pill paused">Agents paused</span>}
      <span className="spacer" />
      {status && (
        <span className="meta">
          {status.mode === 'desktop' ? 'Desktop' : 'Headless'} · Keel {status.appVersion}
        </span>
      )}
    </footer>
  );
}

import { useKeel } from '../store/store';

const CONNECTION_TEXT = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…' } as const;

export function StatusBar() {
  const connection = useKeel((s) => s.connection);
  const status = useKeel((s) => s.status);
  // While disconnected the last status is stale: say so rather than show a green light.
  const db = connection === 'connected' ? status?.database : undefined;
  const dbText = !db
    ? 'Database: waiting for connection'
    : db.state === 'ready'
      ? `Database ready · schema ${status?.databaseSchemaVersion}`
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

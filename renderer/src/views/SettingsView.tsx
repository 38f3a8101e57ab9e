import { useEffect } from 'react';
import { useKeel } from '../store/store';
import { FoldersSection } from './settings/FoldersSection';
import { LimitsSection } from './settings/LimitsSection';
import { ModelSection } from './settings/ModelSection';
import { RetentionSection } from './settings/RetentionSection';

function General() {
  const status = useKeel((s) => s.status);
  if (!status) return <p>Waiting for Keel…</p>;
  return (
    <dl>
      <dt>Data folder</dt>
      <dd data-testid="data-dir">{status.dataDir}</dd>
      <dt>Mode</dt>
      <dd>{status.mode === 'desktop' ? 'Desktop app' : 'Headless server'}</dd>
      <dt>Keel version</dt>
      <dd>{status.appVersion}</dd>
      <dt>Schema</dt>
      <dd>
        {status.databaseSchemaVersion ?? '—'} (this build knows {status.schemaVersion})
      </dd>
    </dl>
  );
}

export function SettingsView() {
  const refresh = useKeel((s) => s.refreshSettings);
  const connection = useKeel((s) => s.connection);
  const error = useKeel((s) => s.settingsError);
  const notice = useKeel((s) => s.settingsNotice);
  useEffect(() => {
    if (connection === 'connected') void refresh();
  }, [connection, refresh]);
  return (
    <section className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="notice-bar" role="status">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <General />
      <FoldersSection />
      <ModelSection />
      <LimitsSection />
      <RetentionSection />
    </section>
  );
}

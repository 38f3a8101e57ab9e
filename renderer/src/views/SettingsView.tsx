import { useEffect, type ComponentType } from 'react';
import { SETTINGS_SECTIONS, settingsHref, type SettingsSection } from '../routes';
import { useKeel } from '../store/store';
import { AppsSettings } from './settings/apps/AppsSettings';
import { CalendarSettings } from './settings/calendar/CalendarSettings';
import { EmailSettings } from './settings/email/EmailSettings';
import { ImapSettings } from './settings/imap/ImapSettings';
import { McpSettings } from './settings/mcp/McpSettings';
import { DataFolderSetting } from './settings/DataFolderSetting';
import { DeskSection } from './settings/DeskSection';
import { FoldersSection } from './settings/FoldersSection';
import { LimitsSection } from './settings/LimitsSection';
import { ModelSection } from './settings/ModelSection';
import { ModelsSettings } from './settings/models/ModelsSettings';
import { RetentionSection } from './settings/RetentionSection';

function General() {
  const status = useKeel((s) => s.status);
  if (!status) return <p>Waiting for Keel…</p>;
  return (
    <dl>
      <dt>Data folder</dt>
      <dd>
        <DataFolderSetting dataDir={status.dataDir} />
      </dd>
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

function GeneralSettings() {
  const refresh = useKeel((s) => s.refreshSettings);
  const connection = useKeel((s) => s.connection);
  const error = useKeel((s) => s.settingsError);
  const notice = useKeel((s) => s.settingsNotice);
  useEffect(() => {
    if (connection === 'connected') void refresh();
  }, [connection, refresh]);
  return (
    <>
      <div className="notice-bar" role="status">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <General />
      <DeskSection />
      <FoldersSection />
      <ModelSection />
      <LimitsSection />
      <RetentionSection />
    </>
  );
}

const TABS: [SettingsSection, string][] = [
  ['general', 'General'],
  ['models', 'Models'],
  ['email', 'E-mail'],
  ['intake', 'Incoming mail'],
  ['calendar', 'Calendar'],
  ['apps', 'Apps'],
  ['mcp', 'MCP servers'],
];

const SECTIONS: Record<Exclude<SettingsSection, 'general'>, ComponentType> = {
  models: ModelsSettings,
  email: EmailSettings,
  intake: ImapSettings,
  calendar: CalendarSettings,
  apps: AppsSettings,
  mcp: McpSettings,
};

const isSection = (s: string | undefined): s is SettingsSection => (SETTINGS_SECTIONS as readonly string[]).includes(s ?? '');

/** `#/settings` general (data, folders, embeddings, limits, retention), `#/settings/<section>` the others (models, e-mail, intake, calendar, apps, MCP). */
export function SettingsView() {
  const first = useKeel((s) => s.route.path[0]);
  const section: SettingsSection = isSection(first) ? first : 'general';
  const Section = section === 'general' ? GeneralSettings : SECTIONS[section];
  return (
    <section className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map(([id, label]) => (
          <a key={id} href={settingsHref(id)} aria-current={section === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <Section />
    </section>
  );
}

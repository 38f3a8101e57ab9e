import type { InstalledApp } from '../../../../../shared/domain/apps';
import { agentHref } from '../../../routes';
import { formatDate } from '../../../util/format';
import { AppRecords } from './AppRecords';
import { AppSettingsForm } from './AppSettingsForm';
import { UninstallControl } from './UninstallControl';

const none = <span className="meta">none</span>;
const codes = (items: string[]) => (items.length ? <div className="code-list">{items.map((x) => <code key={x}>{x}</code>)}</div> : none);
const sourceText = (s: string) => (s.startsWith('bundled:') ? 'comes with Keel' : s);

/** One installed app: what it registered, what it holds, its settings, and uninstalling it. */
export function InstalledAppCard({ app }: { app: InstalledApp }) {
  return (
    <li className="card app-card" data-testid="installed-app" data-id={app.id}>
      <header>
        <h3 id={`app-${app.id}-title`}>
          {app.name} <span className="pill small" data-testid="installed-version">{app.version}</span>
        </h3>
        <span className="meta small-text">updated {formatDate(app.updatedAt)}</span>
      </header>
      <p className="meta">{app.description}</p>
      <dl className="facts compact">
        <dt>From</dt>
        <dd className="mono">{sourceText(app.source)}</dd>
        <dt>Installed</dt>
        <dd>{formatDate(app.installedAt)}</dd>
        <dt>Allowed to</dt>
        <dd>{codes(app.permissions)}</dd>
        <dt>Agents</dt>
        <dd>
          {app.agents.length ? (
            <span className="code-list">
              {app.agents.map((a) => (
                <a key={a} href={agentHref(a)} className="agent-name">
                  {a}
                </a>
              ))}
            </span>
          ) : (
            none
          )}
        </dd>
        <dt>Workflows</dt>
        <dd>{codes(app.workflows)}</dd>
        <dt>Schedules</dt>
        <dd>{codes(app.schedules)}</dd>
        <dt>Records</dt>
        <dd data-testid="app-records">
          <AppRecords app={app} />
        </dd>
      </dl>
      <AppSettingsForm app={app} />
      <div className="app-card-actions">
        <UninstallControl app={app} />
      </div>
    </li>
  );
}

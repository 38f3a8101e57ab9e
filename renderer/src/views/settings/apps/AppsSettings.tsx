import { useState } from 'react';
import type { AppSource } from '../../../../../shared/domain/apps';
import { useWhenConnected } from '../../../app/useWhenConnected';
import { useKeel } from '../../../store/store';
import { BundledApps } from './BundledApps';
import { ConsentDialog } from './ConsentDialog';
import { InstalledAppCard } from './InstalledAppCard';
import { InstallFromFolder } from './InstallFromFolder';

function Installed() {
  const apps = useKeel((s) => s.installedApps);
  return (
    <section aria-labelledby="installed-title">
      <h2 id="installed-title">Installed apps</h2>
      {apps.length === 0 ? (
        <p className="meta" data-testid="no-apps">
          No app is installed yet.
        </p>
      ) : (
        <ul className="app-list">
          {apps.map((a) => (
            <InstalledAppCard key={a.id} app={a} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Settings → Apps: the bundled apps and apps from a folder, installed with consent; the installed ones with their settings. */
export function AppsSettings() {
  const refresh = useKeel((s) => s.refreshApps);
  const loaded = useKeel((s) => s.appsLoaded);
  const error = useKeel((s) => s.appsError);
  const notice = useKeel((s) => s.appsNotice);
  const [reviewing, setReviewing] = useState<AppSource | null>(null);
  useWhenConnected(refresh, [refresh]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="apps-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <p className="meta">
        An app adds agents, workflows, schedules and record types that work together (bookkeeping, client work). Before installing, you see everything it asks for; it gets no
        more than you allow.
      </p>
      {loaded ? (
        <>
          <BundledApps onReview={setReviewing} />
          <InstallFromFolder onReview={setReviewing} />
          <Installed />
        </>
      ) : (
        !error && <p className="meta">Loading…</p>
      )}
      {reviewing && <ConsentDialog source={reviewing} onClose={() => setReviewing(null)} />}
    </>
  );
}

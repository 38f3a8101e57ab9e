import type { AppSource } from '../../../../../shared/domain/apps';
import type { BundledApp } from '../../../store/apps-slice';
import { useKeel } from '../../../store/store';

/** Newer, same or older: versions are "major.minor.patch". */
function compare(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function Offer({ app, onReview }: { app: BundledApp; onReview: (s: AppSource) => void }) {
  const review = () => onReview({ bundled: app.id });
  if (app.installed === null) {
    return (
      <button type="button" onClick={review}>
        Install {app.name} {app.version}…
      </button>
    );
  }
  const c = compare(app.version, app.installed);
  if (c > 0) {
    return (
      <span className="offer">
        <span className="meta">{app.installed} installed</span>
        <button type="button" onClick={review}>
          Upgrade {app.name} to {app.version}…
        </button>
      </span>
    );
  }
  return <span className="ok">{c === 0 ? `Installed (${app.installed})` : `${app.installed} installed, newer than this one`}</span>;
}

/** The apps that come with Keel, each installed or upgraded through the consent dialog. */
export function BundledApps({ onReview }: { onReview: (s: AppSource) => void }) {
  const apps = useKeel((s) => s.bundledApps);
  return (
    <section aria-labelledby="bundled-title">
      <h2 id="bundled-title">Apps that come with Keel</h2>
      {apps.length === 0 ? (
        <p className="meta">This Keel ships no apps.</p>
      ) : (
        <ul className="app-list">
          {apps.map((a) => (
            <li key={a.id} className="app-offer" data-testid="bundled-app" data-id={a.id}>
              <div className="app-offer-head">
                <strong>{a.name}</strong>
                <span className="pill small">{a.version}</span>
                <span className="spacer" />
                <Offer app={a} onReview={onReview} />
              </div>
              <p className="meta small-text">{a.description}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

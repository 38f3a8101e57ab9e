import type { AppPreview } from '../../../../../shared/domain/apps';
import { RiskPill } from '../../../components/RiskPill';

/** Everything installing (or upgrading) would register and ask for, as the operator reads it before consenting. */
export function PreviewDetails({ preview: p }: { preview: AppPreview }) {
  const upgrade = p.installed !== null && p.installed !== p.version;
  return (
    <div className="app-preview">
      <p>{p.description}</p>
      <h3 id="consent-permissions">It asks permission to</h3>
      {p.permissions.length === 0 ? (
        <p className="meta" data-testid="consent-no-permissions">
          Nothing outside Keel: it asks for no adapter action (no e-mail, files, web or calendar). It works only with Keel's own memory, agents and its records.
        </p>
      ) : (
        <ul className="plain consent-permissions" aria-labelledby="consent-permissions">
          {p.permissions.map((x) => (
            <li key={x.permission} data-testid="consent-permission" data-permission={x.permission}>
              <code>{x.permission}</code> <RiskPill risk={x.risk} suffix=" risk" />
              {upgrade && x.new && <span className="pill small new-permission">new in {p.version}</span>}
            </li>
          ))}
        </ul>
      )}
      {p.adapters.length > 0 && (
        <>
          <h3>Adapters it needs</h3>
          <ul className="plain">
            {p.adapters.map((a) => (
              <li key={a.name}>
                <code>{a.name}</code> version {a.major}.x {a.available ? <span className="meta">(this Keel has {a.available})</span> : <span className="error">(missing here)</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3 id="consent-agents">Agents it adds</h3>
      {p.agents.length === 0 ? (
        <p className="meta">None.</p>
      ) : (
        <ul className="plain" aria-labelledby="consent-agents">
          {p.agents.map((a) => (
            <li key={a.name} data-testid="consent-agent" data-name={a.name}>
              <strong>{a.name}</strong>: {a.role}
              {a.permissions.length > 0 && (
                <span className="meta">
                  {' '}
                  May call {a.permissions.map((x) => <code key={x}>{x} </code>)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>Schedules and subscriptions</h3>
      {p.schedules.length === 0 ? (
        <p className="meta">None: it runs only when started.</p>
      ) : (
        <ul className="plain">
          {p.schedules.map((s) => (
            <li key={s.name} data-testid="consent-schedule">
              <strong>{s.name}</strong> <span className="meta">{s.trigger}</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Records it keeps</h3>
      <div data-testid="consent-entities">{p.entities.length ? <div className="code-list">{p.entities.map((e) => <code key={e}>{e}</code>)}</div> : <p className="meta">None.</p>}</div>
      {upgrade && (
        <>
          <h3>Data migrations</h3>
          {p.migrations.length === 0 ? (
            <p className="meta">None: its records stay as they are.</p>
          ) : (
            <ul className="plain">
              {p.migrations.map((m, i) => (
                <li key={i} data-testid="consent-migration">
                  <code>{m.entity}</code> records changed for {m.to} ({m.ops} change{m.ops === 1 ? '' : 's'} each)
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import type { InstalledApp } from '../../../../../shared/domain/apps';
import type { SettingValue } from '../../../store/apps-slice';
import { useKeel } from '../../../store/store';
import type { Outcome } from '../../../util/outcome';

type Draft = Record<string, string | boolean>;

const toDraft = (values: Record<string, SettingValue>): Draft => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'boolean' ? v : String(v)]));

/** The draft as the types the app declared (its current values say which); a number that is not one is named. */
function toValues(app: InstalledApp, d: Draft): { values: Record<string, SettingValue> } | { error: string } {
  const values: Record<string, SettingValue> = {};
  for (const [key, was] of Object.entries(app.settings)) {
    const v = d[key];
    if (typeof was === 'number') {
      const n = Number(String(v).trim());
      if (String(v).trim() === '' || !Number.isFinite(n)) return { error: `${app.settingLabels[key] ?? key} is a number.` };
      values[key] = n;
    } else values[key] = v ?? was;
  }
  return { values };
}

/** An installed app's settings, each edited by its type (text, number, on/off). */
export function AppSettingsForm({ app }: { app: InstalledApp }) {
  const save = useKeel((s) => s.setAppSettings);
  const [d, setD] = useState(() => toDraft(app.settings));
  const [state, setState] = useState<'idle' | 'saving' | Outcome<InstalledApp>>('idle');
  const storedKey = JSON.stringify(app.settings);
  useEffect(() => setD(toDraft(app.settings)), [storedKey]);
  const edit = (key: string, value: string | boolean) => {
    setD({ ...d, [key]: value });
    setState('idle');
  };
  const keys = Object.keys(app.settings);
  if (!keys.length) return null;
  const parsed = toValues(app, d);
  const changed = 'values' in parsed && JSON.stringify(parsed.values) !== storedKey;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!('values' in parsed)) return;
    setState('saving');
    setState(await save(app.id, parsed.values));
  };
  const id = (key: string) => `app-${app.id}-setting-${key}`;
  return (
    <form className="settings-grid app-settings" aria-label={`${app.name} settings`} onSubmit={(e) => void submit(e)}>
      {keys.map((key) => {
        const was = app.settings[key];
        return typeof was === 'boolean' ? (
          <label key={key} className="wide checkbox">
            <input type="checkbox" checked={d[key] === true} onChange={(e) => edit(key, e.target.checked)} /> {app.settingLabels[key] ?? key}
          </label>
        ) : (
          <span key={key} className="contents">
            <label htmlFor={id(key)}>{app.settingLabels[key] ?? key}</label>
            <input
              id={id(key)}
              inputMode={typeof was === 'number' ? 'decimal' : undefined}
              value={String(d[key] ?? '')}
              onChange={(e) => edit(key, e.target.value)}
              aria-invalid={typeof was === 'number' && 'error' in parsed && parsed.error.startsWith(key)}
            />
          </span>
        );
      })}
      <span />
      <div className="actions">
        <button type="submit" disabled={!changed || state === 'saving'}>
          {state === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <span role="status" className="small-text">
          {'error' in parsed ? <span className="error">{parsed.error}</span> : typeof state === 'object' ? state.ok ? <span className="ok">Saved.</span> : <span className="error">{state.error}</span> : null}
        </span>
      </div>
    </form>
  );
}

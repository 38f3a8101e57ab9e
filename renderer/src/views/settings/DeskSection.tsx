import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Risk, type Budget } from '../../../../shared/domain/kernel';
import { Theme } from '../../../../shared/domain/inbox';
import { keelClient } from '../../api/client';
import { useKeel } from '../../store/store';
import { formatUsd } from '../../util/format';

const THEME_LABEL: Record<Theme, string> = { system: 'Follow the system', light: 'Light', dark: 'Dark' };

/** A whole number in a range, or the sentence that says what is wrong. */
function wholeNumber(text: string, min: number, max: number, what: string): { value: number } | { error: string } {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) return { error: `${what} is a whole number from ${min} to ${max}.` };
  return { value: n };
}

function Appearance() {
  const prefs = useKeel((s) => s.preferences);
  const save = useKeel((s) => s.savePreferences);
  if (!prefs) return null;
  return (
    <fieldset className="settings-fieldset">
      <legend>Theme</legend>
      {Theme.options.map((t) => (
        <label key={t} className="radio">
          <input type="radio" name="theme" value={t} checked={prefs.theme === t} onChange={() => void save({ theme: t }, `Theme: ${THEME_LABEL[t].toLowerCase()}.`)} /> {THEME_LABEL[t]}
        </label>
      ))}
    </fieldset>
  );
}

/** In a browser, pop-ups need the browser's permission, asked on a click. */
function BrowserPermission() {
  const [state, setState] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  if (keelClient().transport === 'ipc' || state === 'granted') return null;
  if (state === 'unsupported') return <p className="meta">This browser cannot show notifications; the count in the title and the navigation still follows.</p>;
  return (
    <p>
      {state === 'denied' ? 'This browser blocks notifications from Keel; allow them in the site settings.' : 'This browser asks before Keel may show notifications.'}{' '}
      {state === 'default' && (
        <button type="button" className="secondary" onClick={() => void Notification.requestPermission().then(setState)}>
          Allow notifications
        </button>
      )}
    </p>
  );
}

function Notifications() {
  const prefs = useKeel((s) => s.preferences);
  const save = useKeel((s) => s.savePreferences);
  if (!prefs) return null;
  const n = prefs.notifications;
  return (
    <fieldset className="settings-fieldset">
      <legend>Notifications</legend>
      <label className="checkbox">
        <input type="checkbox" checked={n.enabled} onChange={(e) => void save({ notifications: { enabled: e.target.checked } }, e.target.checked ? 'Notifications on.' : 'Notifications off.')} /> Notify me of new approvals and
        escalations
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={n.doNotDisturb} disabled={!n.enabled} onChange={(e) => void save({ notifications: { doNotDisturb: e.target.checked } }, e.target.checked ? 'Do not disturb: no pop-ups; counts still follow.' : 'Do not disturb is off.')} /> Do
        not disturb (no pop-ups; counts still show)
      </label>
      <BrowserPermission />
    </fieldset>
  );
}

function NumberSetting({ id, label, unit, value, min, max, onSave, hint }: { id: string; label: string; unit: string; value: number; min: number; max: number; onSave: (n: number) => void; hint: string }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = wholeNumber(text, min, max, label);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if ('value' in parsed) onSave(parsed.value);
  };
  return (
    <form className="settings-grid" aria-label={label} onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <span>
        <input id={id} inputMode="numeric" size={6} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={'error' in parsed} aria-describedby={`${id}-help`} /> {unit}{' '}
        <button type="submit" className="secondary" disabled={'error' in parsed || Number(text) === value}>
          Save
        </button>
      </span>
      <span />
      <span id={`${id}-help`} className={'error' in parsed ? 'error' : 'meta'} role={'error' in parsed ? 'alert' : undefined}>
        {'error' in parsed ? parsed.error : hint}
      </span>
    </form>
  );
}

function Approvals() {
  const { prefs, limits } = useKeel(useShallow((s) => ({ prefs: s.preferences, limits: s.kernelLimits })));
  const { savePreferences, saveRiskThreshold, saveConcurrency } = useKeel.getState();
  if (!prefs || !limits) return null;
  return (
    <>
      <div className="settings-grid">
        <label htmlFor="risk-threshold">Ask me before effects of</label>
        <select id="risk-threshold" value={limits.riskThreshold} onChange={(e) => void saveRiskThreshold(e.target.value as Risk)}>
          {Risk.options.map((r) => (
            <option key={r} value={r}>
              {r} risk and above
            </option>
          ))}
        </select>
      </div>
      <NumberSetting id="undo-seconds" label="Undo window" unit="seconds" value={prefs.undoSeconds} min={0} max={60} onSave={(n) => void savePreferences({ undoSeconds: n }, n ? `Decisions wait ${n} s before their run goes on.` : 'Decisions take effect at once.')} hint="How long u can take a decision back before its run goes on (0: at once)." />
      <NumberSetting id="concurrency" label="Runs at once" unit="runs" value={limits.concurrency} min={1} max={64} onSave={(n) => void saveConcurrency(n)} hint="All agents together; each agent has its own limit in Agents." />
    </>
  );
}

const PERIODLY = { day: 'daily', month: 'monthly' } as const;

const capText = (b: Budget | undefined) => (b?.maxUsd === null || b?.maxUsd === undefined ? '' : String(b.maxUsd));

function BudgetRow({ agent, day, month }: { agent: string; day?: Budget; month?: Budget }) {
  const saveBudget = useKeel((s) => s.saveBudget);
  const [caps, setCaps] = useState({ day: capText(day), month: capText(month) });
  useEffect(() => setCaps({ day: capText(day), month: capText(month) }), [day, month]);
  const problem = (['day', 'month'] as const).map((p) => (caps[p].trim() === '' || (Number.isFinite(Number(caps[p])) && Number(caps[p]) >= 0) ? null : `The ${PERIODLY[p]} cap is an amount in USD, or empty for none.`)).find(Boolean);
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    for (const period of ['day', 'month'] as const) {
      const text = caps[period].trim();
      const before = period === 'day' ? day : month;
      if (text === capText(before)) continue;
      void saveBudget({ scope: 'agent', name: agent, period, maxUsd: text === '' ? null : Number(text), maxTokens: before?.maxTokens ?? null });
    }
  };
  return (
    <tr>
      <th scope="row">{agent}</th>
      {(['day', 'month'] as const).map((p) => {
        const b = p === 'day' ? day : month;
        return (
          <td key={p}>
            <input aria-label={`${agent}: ${PERIODLY[p]} cap in USD`} form={`budget-${agent}`} inputMode="decimal" size={7} value={caps[p]} placeholder="none" onChange={(e) => setCaps({ ...caps, [p]: e.target.value })} aria-invalid={problem?.includes(p) ?? false} />
            <span className="meta"> spent {formatUsd(b?.spentUsd ?? 0)}</span>
          </td>
        );
      })}
      <td>
        <form id={`budget-${agent}`} onSubmit={save}>
          <button type="submit" className="secondary">
            Save
          </button>
        </form>
        {problem && (
          <span className="error" role="alert">
            {problem}
          </span>
        )}
      </td>
    </tr>
  );
}

function Budgets() {
  const { agents, budgets } = useKeel(useShallow((s) => ({ agents: s.agents, budgets: s.budgets })));
  const find = (name: string, period: 'day' | 'month') => budgets.find((b) => b.scope === 'agent' && b.name === name && b.period === period);
  return (
    <table className="budgets" aria-label="Budgets per agent">
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Per day (USD)</th>
          <th scope="col">Per month (USD)</th>
          <th scope="col">
            <span className="sr-only">Save</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <BudgetRow key={a.name} agent={a.name} day={find(a.name, 'day')} month={find(a.name, 'month')} />
        ))}
      </tbody>
    </table>
  );
}

/** How the operator works: theme, notifications, approvals and undo, concurrency, budgets. Kept in the core. */
export function DeskSection() {
  const { refreshDesk, refreshAgents } = useKeel.getState();
  const connection = useKeel((s) => s.connection);
  const { error, notice } = useKeel(useShallow((s) => ({ error: s.deskError, notice: s.deskNotice })));
  useEffect(() => {
    if (connection !== 'connected') return;
    void refreshDesk();
    void refreshAgents();
  }, [connection, refreshDesk, refreshAgents]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="desk-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <section aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance and notifications</h2>
        <Appearance />
        <Notifications />
      </section>
      <section aria-labelledby="approvals-title">
        <h2 id="approvals-title">Approvals and runs</h2>
        <Approvals />
      </section>
      <section aria-labelledby="budgets-title">
        <h2 id="budgets-title">Budgets</h2>
        <p className="meta">A run that would spend past a cap pauses and asks you in the Inbox.</p>
        <Budgets />
      </section>
    </>
  );
}

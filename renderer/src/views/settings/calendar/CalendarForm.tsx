import { useEffect, useState, type FormEvent } from 'react';
import { CalendarSettingsInput, type CalendarInfo, type CalendarSettingsView } from '../../../../../shared/domain/calendar';
import { useKeel } from '../../../store/store';
import { CalendarCheckResult } from './CalendarCheckResult';

interface Draft {
  backend: 'caldav' | 'ics';
  serverUrl: string;
  username: string;
  password: string;
  /** '' : the first calendar that holds events. */
  calendarUrl: string;
  folder: string;
}

const toDraft = (s: CalendarSettingsView | null): Draft => ({
  backend: s?.backend ?? 'caldav',
  serverUrl: s?.backend === 'caldav' ? s.serverUrl : '',
  username: s?.backend === 'caldav' ? s.username : '',
  password: '',
  calendarUrl: s?.backend === 'caldav' ? (s.calendarUrl ?? '') : '',
  folder: s?.backend === 'ics' ? s.folder : 'calendar',
});

/** The candidate as the API would take it, checked by the same schema: the problem of each field by name. */
function check(d: Draft): { input: CalendarSettingsInput | null; problems: Record<string, string> } {
  const candidate: CalendarSettingsInput =
    d.backend === 'ics'
      ? { backend: 'ics', folder: d.folder }
      : { backend: 'caldav', serverUrl: d.serverUrl, username: d.username.trim(), ...(d.calendarUrl ? { calendarUrl: d.calendarUrl } : {}), ...(d.password ? { password: d.password } : {}) };
  const parsed = CalendarSettingsInput.safeParse(candidate);
  if (parsed.success) return { input: candidate, problems: {} };
  const problems: Record<string, string> = {};
  for (const i of parsed.error.issues) problems[String(i.path[0] ?? '')] ??= i.message;
  return { input: null, problems };
}

/** The calendars to choose from: those the last test found, else the stored choice. */
function useCalendars(stored: string): CalendarInfo[] {
  const check = useKeel((s) => s.calendarCheck);
  const found = check?.result?.ok ? check.result.calendars : [];
  if (found.length) return found;
  return stored ? [{ url: stored, name: stored }] : [];
}

/** CalDAV (server, user, password only sent when typed, calendar) or .ics files; tried before saving. */
export function CalendarForm() {
  const stored = useKeel((s) => s.calendarSettings);
  const test = useKeel((s) => s.testCalendar);
  const save = useKeel((s) => s.saveCalendar);
  const clearCheck = useKeel((s) => s.clearCalendarCheck);
  const testing = useKeel((s) => s.calendarCheck?.state === 'running');
  const [d, setD] = useState(() => toDraft(stored));
  const [saving, setSaving] = useState(false);
  const storedKey = JSON.stringify(stored);
  useEffect(() => setD(toDraft(stored)), [storedKey]);
  const calendars = useCalendars(d.calendarUrl);
  const set = (patch: Partial<Draft>, keepCheck = false) => {
    setD({ ...d, ...patch });
    if (!keepCheck) clearCheck();
  };
  const { input, problems } = check(d);
  const problem = (field: keyof Draft) => (d[field] !== '' ? problems[field] : undefined);
  const hasPassword = stored?.backend === 'caldav' && stored.hasPassword;
  const needsPassword = d.backend === 'caldav' && !hasPassword && !d.password;
  const ready = input !== null && !needsPassword;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setSaving(true);
    if (await save(input)) setD((x) => ({ ...x, password: '' }));
    setSaving(false);
  };
  return (
    <section aria-labelledby="calendar-title">
      <h2 id="calendar-title">Calendar</h2>
      <p className="meta">
        Agents put events (follow-ups, meetings) in this calendar. Use your calendar server’s CalDAV address (Nextcloud, Fastmail, iCloud, Radicale…), or let Keel write one .ics
        file per event into a folder of its workspace that your calendar app imports.
      </p>
      <form className="settings-grid" aria-label="Calendar settings" onSubmit={(e) => void submit(e)}>
        <fieldset className="settings-fieldset wide">
          <legend>Where events go</legend>
          <label className="radio">
            <input type="radio" name="calendar-backend" checked={d.backend === 'caldav'} onChange={() => set({ backend: 'caldav' })} /> A CalDAV server
          </label>
          <label className="radio">
            <input type="radio" name="calendar-backend" checked={d.backend === 'ics'} onChange={() => set({ backend: 'ics' })} /> .ics files in the workspace
          </label>
        </fieldset>
        {d.backend === 'caldav' ? (
          <>
            <label htmlFor="cal-url">Server URL</label>
            <span className="stack">
              <input id="cal-url" value={d.serverUrl} onChange={(e) => set({ serverUrl: e.target.value })} placeholder="https://dav.example.com/" spellCheck={false} aria-invalid={problem('serverUrl') !== undefined} aria-describedby="cal-url-hint" />
              <span id="cal-url-hint" className={problem('serverUrl') ? 'error small-text' : 'meta small-text'}>
                {problem('serverUrl') ?? 'https:// (plain http only for a server on this machine).'}
              </span>
            </span>
            <label htmlFor="cal-user">User name</label>
            <input id="cal-user" value={d.username} onChange={(e) => set({ username: e.target.value })} autoComplete="off" spellCheck={false} />
            <label htmlFor="cal-password">Password</label>
            <span className="stack">
              <input id="cal-password" type="password" value={d.password} onChange={(e) => set({ password: e.target.value })} autoComplete="new-password" placeholder={hasPassword ? 'leave blank to keep the stored one' : 'required'} />
              {hasPassword && (
                <span className="meta small-text" data-testid="cal-password-stored">
                  A password is stored ({stored.passwordMasked}).
                </span>
              )}
            </span>
            <label htmlFor="cal-calendar">Calendar</label>
            <span className="stack">
              <select id="cal-calendar" value={d.calendarUrl} onChange={(e) => set({ calendarUrl: e.target.value }, true)}>
                <option value="">The first one that holds events</option>
                {calendars.map((c) => (
                  <option key={c.url} value={c.url}>
                    {c.name}
                  </option>
                ))}
              </select>
              <span className="meta small-text">Test the connection to list the account’s calendars.</span>
            </span>
          </>
        ) : (
          <>
            <label htmlFor="cal-folder">Folder</label>
            <span className="stack">
              <input id="cal-folder" value={d.folder} onChange={(e) => set({ folder: e.target.value })} spellCheck={false} aria-invalid={problems.folder !== undefined} aria-describedby="cal-folder-hint" />
              <span id="cal-folder-hint" className={problems.folder ? 'error small-text' : 'meta small-text'}>
                {problems.folder ?? (
                  <>
                    A folder inside Keel’s workspace, e.g. <code>calendar</code>: one .ics file per event.
                  </>
                )}
              </span>
            </span>
          </>
        )}
        <span />
        <div className="actions">
          <button type="button" className="secondary" disabled={!ready || testing} onClick={() => input && void test(input)}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" disabled={!ready || saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        <span />
        <div role="status">
          <CalendarCheckResult chosen={d.calendarUrl || null} />
        </div>
      </form>
    </section>
  );
}

import type { CalendarErrorCode } from '../../../../../shared/domain/calendar';
import { useKeel } from '../../../store/store';

export const CALENDAR_PROBLEM: Record<CalendarErrorCode, string> = {
  not_configured: 'The calendar is not set up',
  no_password: 'No password',
  auth_failed: 'The server refused the user name or password',
  forbidden: 'The server does not allow this account to do that',
  cannot_connect: 'Cannot reach the server',
  tls: 'The secure connection failed',
  not_found: 'Not found',
  no_calendar: 'No calendar for events',
  conflict: 'Changed on the server meanwhile',
  rejected: 'The server refused',
  temporary: 'The server is busy; try again',
  bad_response: 'The server answered something Keel does not understand',
  io: 'The folder cannot be used',
  other: 'It did not work',
};

/** What "Test connection" found: the account's calendars (the one events go to marked: the one chosen, else the server's first), the folder, or what failed. */
export function CalendarCheckResult({ chosen }: { chosen: string | null }) {
  const check = useKeel((s) => s.calendarCheck);
  if (!check) return null;
  if (check.state === 'running') return <p className="meta">Connecting…</p>;
  const r = check.result!;
  if (!r.ok) {
    return (
      <p className="error" data-testid="calendar-check" data-code={r.code}>
        <strong>{CALENDAR_PROBLEM[r.code]}:</strong> {r.message}
      </p>
    );
  }
  if (!r.calendars.length) {
    return (
      <p className="ok" data-testid="calendar-check">
        The folder can be written: events go to <code>{r.chosen}</code>. Nothing was changed.
      </p>
    );
  }
  return (
    <div className="ok" data-testid="calendar-check">
      <p>
        Connected and logged in; {r.calendars.length === 1 ? 'one calendar' : `${r.calendars.length} calendars`} found. Nothing was changed.
      </p>
      <ul className="plain">
        {r.calendars.map((c) => (
          <li key={c.url} data-testid="calendar-found">
            {c.name} <code className="meta">{c.url}</code>
            {c.url === (chosen ?? r.chosen) && <strong> ← events go here</strong>}
          </li>
        ))}
      </ul>
    </div>
  );
}

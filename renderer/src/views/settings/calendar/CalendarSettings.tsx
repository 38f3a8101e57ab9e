import { useWhenConnected } from '../../../app/useWhenConnected';
import { useKeel } from '../../../store/store';
import { CalendarForm } from './CalendarForm';

/** Settings → Calendar: where agents put events (a CalDAV server, or .ics files in the workspace). */
export function CalendarSettings() {
  const refresh = useKeel((s) => s.refreshCalendar);
  const loaded = useKeel((s) => s.calendarLoaded);
  const error = useKeel((s) => s.calendarError);
  const notice = useKeel((s) => s.calendarNotice);
  useWhenConnected(refresh, [refresh]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="calendar-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      {loaded ? <CalendarForm /> : !error && <p className="meta">Loading…</p>}
    </>
  );
}

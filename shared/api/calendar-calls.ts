import { z } from 'zod';
import { CalendarCheck, CalendarSettingsInput, CalendarSettingsView } from '../domain/calendar';

/** The calendar settings' calls and events, merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

export const calendarCalls = {
  'calendar.settings': call('The calendar settings (CalDAV or .ics files), the password masked; null before the calendar is set up.', z.strictObject({}), z.object({ settings: CalendarSettingsView.nullable() })),
  'calendar.saveSettings': call('Saves the calendar settings; the CalDAV password only when given.', CalendarSettingsInput, CalendarSettingsView),
  'calendar.test': call(
    'Connects, logs in and lists the calendars (CalDAV) or checks the folder (.ics), changing nothing: the given settings, or the stored ones.',
    z.strictObject({ settings: CalendarSettingsInput.optional() }),
    CalendarCheck,
  ),
} as const;

export const calendarEvents = {
  'calendar.changed': event('The calendar settings changed.', z.object({})),
} as const;

import type { StateCreator } from 'zustand';
import type { CalendarCheck, CalendarSettingsInput, CalendarSettingsView } from '../../../shared/domain/calendar';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export interface CalendarSlice {
  calendarSettings: CalendarSettingsView | null;
  calendarLoaded: boolean;
  /** The last "Test connection": running, or its answer. */
  calendarCheck: { state: 'running' | 'done'; result: CalendarCheck | null } | null;
  calendarError: string | null;
  calendarNotice: string | null;
  refreshCalendar(): Promise<void>;
  testCalendar(settings: CalendarSettingsInput): Promise<void>;
  saveCalendar(settings: CalendarSettingsInput): Promise<boolean>;
  clearCalendarCheck(): void;
}

/** The calendar Keel's agents write to: a CalDAV account (its password only ever masked) or .ics files. */
export const createCalendarSlice: StateCreator<KeelStore, [], [], CalendarSlice> = (set, get) => ({
  calendarSettings: null,
  calendarLoaded: false,
  calendarCheck: null,
  calendarError: null,
  calendarNotice: null,

  async refreshCalendar() {
    try {
      const { settings } = await keelClient().call('calendar.settings');
      set({ calendarSettings: settings, calendarLoaded: true });
    } catch (err) {
      set({ calendarError: errorMessage(err), calendarNotice: null });
    }
  },
  async testCalendar(settings) {
    set({ calendarCheck: { state: 'running', result: null } });
    try {
      set({ calendarCheck: { state: 'done', result: await keelClient().call('calendar.test', { settings }) } });
    } catch (err) {
      set({ calendarCheck: { state: 'done', result: { ok: false, code: 'other', message: errorMessage(err) } } });
    }
  },
  async saveCalendar(settings) {
    try {
      const saved = await keelClient().call('calendar.saveSettings', settings);
      const where = saved.backend === 'caldav' ? `${calendarNamed(get().calendarCheck?.result, saved.calendarUrl)}the CalDAV account ${saved.username} at ${saved.serverUrl}` : `.ics files in the workspace folder ${saved.folder}`;
      set({ calendarSettings: saved, calendarError: null, calendarNotice: `Calendar settings saved: events go to ${where}.` });
      return true;
    } catch (err) {
      set({ calendarError: errorMessage(err), calendarNotice: null });
      return false;
    }
  },
  clearCalendarCheck: () => set({ calendarCheck: null }),
});

/** "the calendar "Work" of " when the last test listed the chosen calendar by name. */
function calendarNamed(check: CalendarCheck | null | undefined, url: string | undefined): string {
  const name = check?.ok && url ? check.calendars.find((c) => c.url === url)?.name : undefined;
  return name ? `the calendar "${name}" of ` : '';
}

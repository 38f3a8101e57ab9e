import type { z } from 'zod';
import type { calendarCalls } from '../../../../shared/api/calendar-calls';
import type { CalendarSettingsStore } from './settings-store';

type Calls = typeof calendarCalls;
type Names = keyof Calls;
type Handler<N extends Names> = (c: CalendarSettingsStore, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The calendar settings' API calls, served in the core worker. */
export const calendarHandlers: { [N in Names]: Handler<N> } = {
  'calendar.settings': async (c) => ({ settings: await c.view() }),
  'calendar.saveSettings': (c, input) => c.save(input),
  'calendar.test': (c, { settings }) => c.test(settings),
};

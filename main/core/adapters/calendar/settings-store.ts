import { accessSync, constants } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { CalendarSettings, CalendarSettingsInput, type CalendarCheck, type CalendarSettingsView } from '../../../../shared/domain/calendar';
import { ApiError } from '../../../../shared/api/errors';
import type { Kernel } from '../../kernel/kernel';
import type { SecretStore } from '../../secrets/store';
import { StoredSetting } from '../stored-setting';
import { loadPassword } from './adapter';
import { CalDavHttp, listCalendars } from './caldav';
import { calendarError, isCalendarError } from './errors';
import { icsFolder } from './ics-files';

const SETTINGS_KEY = 'calendar.settings';
/** One CalDAV account per data folder, so one secret. */
export const CALDAV_PASSWORD_SECRET = 'calendar-caldav-password';
const CHECK_TIMEOUT_MS = 30_000;
const operator = { kind: 'operator' as const, name: 'operator' };

/**
 * The operator's calendar settings: stored as a kernel setting (changes in the ledger, without
 * the password), the CalDAV password in the secret store. The adapter reads `settings()` at
 * every action, so a change applies to the next one.
 */
export class CalendarSettingsStore {
  private readonly stored: StoredSetting<CalendarSettings>;

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; secrets: SecretStore; workspace: string; notify?: (event: string, payload: unknown) => void }) {
    this.stored = new StoredSetting(deps.db, SETTINGS_KEY, CalendarSettings);
  }

  settings(): Promise<CalendarSettings | null> {
    return this.stored.get();
  }

  async view(): Promise<CalendarSettingsView | null> {
    const s = await this.settings();
    if (!s) return null;
    if (s.backend === 'ics') return s;
    const { passwordSecretId, ...shown } = s;
    const masked = await this.deps.secrets.masked(passwordSecretId);
    return { ...shown, hasPassword: masked !== null, passwordMasked: masked };
  }

  /** Saves the settings; the CalDAV password only when given (leaving it out keeps the stored one). */
  async save(input: CalendarSettingsInput): Promise<CalendarSettingsView> {
    const { settings, password } = this.resolve(input);
    if (settings.backend === 'caldav' && password === undefined && !(await this.deps.secrets.has(CALDAV_PASSWORD_SECRET))) {
      throw new ApiError({ code: 'invalid_input', message: `Enter the CalDAV password for ${settings.username}.` });
    }
    if (password !== undefined) await this.deps.secrets.set(CALDAV_PASSWORD_SECRET, password);
    const shown = settings.backend === 'ics' ? settings : { backend: settings.backend, serverUrl: settings.serverUrl, username: settings.username, calendarUrl: settings.calendarUrl ?? null };
    await this.stored.save(this.deps.kernel, settings, { type: 'calendar.settings_saved', actor: operator, data: { ...shown, passwordChanged: password !== undefined } });
    this.deps.notify?.('calendar.changed', {});
    return (await this.view())!;
  }

  /** Connects, logs in and lists the calendars (CalDAV), or checks the folder can be written (.ics): the given settings (before saving) or the stored ones. */
  async test(input?: CalendarSettingsInput): Promise<CalendarCheck> {
    const resolved = input ? this.resolve(input) : { settings: await this.settings(), password: undefined };
    const s = resolved.settings;
    if (!s) return { ok: false, code: 'not_configured', message: 'The calendar is not set up yet: choose a CalDAV server or .ics files first.' };
    try {
      if (s.backend === 'ics') {
        const folder = icsFolder(this.deps.workspace, s);
        accessSync(folder, constants.W_OK);
        return { ok: true, calendars: [], chosen: folder };
      }
      const password = resolved.password ?? (await loadPassword(this.deps.secrets, s.passwordSecretId, s.username));
      const calendars = await listCalendars(new CalDavHttp(s, password, AbortSignal.timeout(CHECK_TIMEOUT_MS)));
      if (!calendars.length) throw calendarError('no_calendar', `The CalDAV account "${s.username}" has no calendar for events. Create one in your calendar app first.`);
      const chosen = s.calendarUrl ? calendars.find((c) => sameUrl(c.url, s.calendarUrl!)) : calendars[0];
      if (!chosen) throw calendarError('not_found', `${s.calendarUrl} is not one of the calendars of "${s.username}"; choose one of: ${calendars.map((c) => c.name).join(', ')}.`);
      return { ok: true, calendars, chosen: chosen.url };
    } catch (err) {
      if (isCalendarError(err)) return { ok: false, code: err.details.code, message: err.message };
      if ((err as NodeJS.ErrnoException).code) return { ok: false, code: 'io', message: (err as Error).message };
      throw err;
    }
  }

  private resolve(input: CalendarSettingsInput): { settings: CalendarSettings; password: string | undefined } {
    const parsed = CalendarSettingsInput.parse(input);
    if (parsed.backend === 'ics') return { settings: parsed, password: undefined };
    const { password, ...rest } = parsed;
    return { settings: CalendarSettings.parse({ ...rest, passwordSecretId: CALDAV_PASSWORD_SECRET }), password };
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/?$/, '/') === b.replace(/\/?$/, '/');

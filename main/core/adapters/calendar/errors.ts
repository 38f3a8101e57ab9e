import type { CalendarErrorCode } from '../../../../shared/domain/calendar';
import { KernelError } from '../../kernel/errors';

/** Worth trying again later on its own: the server or the network may be back. Everything else needs a person. */
const TRANSIENT: ReadonlySet<CalendarErrorCode> = new Set(['cannot_connect', 'temporary', 'other']);

/** A calendar failure with its `details.code`; transient or permanent by the code unless said otherwise. */
export function calendarError(code: CalendarErrorCode, message: string, extra: Record<string, unknown> & { transient?: boolean } = {}): KernelError {
  const { transient, ...details } = extra;
  return new KernelError((transient ?? TRANSIENT.has(code)) ? 'transient' : 'permanent', message, { code, ...details });
}

export function isCalendarError(err: unknown): err is KernelError & { details: { code: CalendarErrorCode } } {
  return err instanceof KernelError && typeof err.details?.code === 'string';
}

/** Servers rarely echo credentials, but an error message must never be the place one leaks. */
export function redact(text: string, user: string, password: string): string {
  if (!password) return text;
  const forms = [password, Buffer.from(password).toString('base64'), Buffer.from(`${user}:${password}`).toString('base64'), encodeURIComponent(password)];
  return forms.reduce((t, f) => t.split(f).join('••••'), text);
}

import { calendarQuery, createAccount, fetchCalendars, propfind } from 'tsdav';
import type { CalDavSettings, CalendarInfo } from '../../../../shared/domain/calendar';
import type { KernelError } from '../../kernel/errors';
import { resourceName, type CalendarBackend, type CreateOutcome, type StoredEvent } from './backend';
import { calendarError, isCalendarError, redact } from './errors';

const REQUEST_TIMEOUT_MS = 30_000;
const ICS_TYPE = 'text/calendar; charset=utf-8';
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * One account's HTTP: Basic auth on every request, only to the configured server (same
 * origin: a server that points elsewhere gets an error, never the password), each request
 * with a timeout and the step's abort signal. Failures become calendar errors with a code.
 */
export class CalDavHttp {
  private readonly origin: string;
  /** Statuses seen, for discovery done by tsdav, which turns failures into "cannot find …". */
  readonly seen = new Set<number>();

  constructor(
    readonly settings: CalDavSettings,
    private readonly password: string,
    private readonly signal: AbortSignal,
  ) {
    this.origin = new URL(settings.serverUrl).origin;
  }

  reaches(url: string): boolean {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  /** A fetch for tsdav and for Keel's own requests. */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!this.reaches(url)) {
      throw calendarError('bad_response', `The CalDAV server sent Keel to ${safeOrigin(url)}, another server than ${this.origin}; Keel sends your password only to the server in the settings. If that is your calendar server, enter ${safeOrigin(url)} as the server URL.`);
    }
    const headers = new Headers(init.headers);
    headers.set('authorization', `Basic ${Buffer.from(`${this.settings.username}:${this.password}`).toString('base64')}`);
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      const res = await fetch(url, { ...init, headers, signal: AbortSignal.any([this.signal, timeout]) });
      this.seen.add(res.status);
      return res;
    } catch (err) {
      throw this.networkError(err, url, timeout.aborted);
    }
  };

  async request(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    return this.fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  }

  private networkError(err: unknown, url: string, timedOut: boolean): KernelError {
    if (isCalendarError(err)) return err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const code = e.cause?.code ?? (e as NodeJS.ErrnoException).code ?? '';
    const said = this.redact(e.cause?.message ?? e.message);
    const at = safeOrigin(url);
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return timedOut
        ? calendarError('cannot_connect', `The CalDAV server ${at} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s; Keel will try again.`)
        : calendarError('other', `The request to ${at} was interrupted (the step timed out or Keel is stopping).`);
    }
    if (TLS_CODES.test(code)) {
      return calendarError('tls', `TLS with the CalDAV server ${at} failed (${said}). A certificate error means the server's certificate is not trusted by this machine.`);
    }
    return calendarError('cannot_connect', `Cannot connect to the CalDAV server ${at} (${said}). Check the server URL, or try again later.`);
  }

  /** A refusal as a code and a sentence; `what` says what Keel was doing. */
  async httpError(res: Response, what: string): Promise<KernelError> {
    const body = this.redact((await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 300));
    const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const url = res.url || this.settings.serverUrl;
    if (res.status === 401) return calendarError('auth_failed', `The CalDAV server ${this.origin} refused the login for "${this.settings.username}" (${status}). Check the user name and the password in the calendar settings.`, { status: 401 });
    if (res.status === 403) return calendarError('forbidden', `The CalDAV server refused ${what} (${status}): "${this.settings.username}" may not do that at ${url}.`, { status: 403 });
    if (res.status === 404 || res.status === 410) return calendarError('not_found', `${capital(what)} failed: ${url} does not exist on the CalDAV server (${status}). Check the calendar in the settings.`, { status: res.status });
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfterMs = retryAfter(res.headers.get('retry-after'));
      return calendarError('temporary', `The CalDAV server is not able to take ${what} now (${status}${body ? `: ${body}` : ''}); Keel will try again.`, { status: res.status, ...(retryAfterMs ? { retryAfterMs } : {}) });
    }
    return calendarError('rejected', `The CalDAV server refused ${what} (${status}${body ? `: ${body}` : ''}).`, { status: res.status });
  }

  redact(text: string): string {
    return redact(text, this.settings.username, this.password);
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(an invalid URL)';
  }
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}

/**
 * Logs in (one PROPFIND, so a wrong password costs one failed attempt, not one per discovery
 * path) and lists the account's calendars that hold events, through tsdav's discovery
 * (well-known URL, principal, calendar home).
 */
export async function listCalendars(http: CalDavHttp): Promise<CalendarInfo[]> {
  const [probe] = await propfind({ url: http.settings.serverUrl, props: { 'd:current-user-principal': {} }, depth: '0', fetch: http.fetch });
  if (probe?.status === 401) throw await http.httpError(new Response(null, { status: 401 }), 'the login');
  if (probe && probe.status >= 500) throw calendarError('temporary', `The CalDAV server ${http.settings.serverUrl} answered ${probe.status} ${probe.statusText ?? ''}; Keel will try again.`);
  let account: Awaited<ReturnType<typeof createAccount>>;
  try {
    account = await createAccount({ account: { serverUrl: http.settings.serverUrl, accountType: 'caldav' }, fetch: http.fetch });
  } catch (err) {
    if (isCalendarError(err)) throw err;
    if (http.seen.has(401)) throw await http.httpError(new Response(null, { status: 401 }), 'the login');
    throw calendarError('not_found', `${http.settings.serverUrl} does not look like a CalDAV server: Keel found no calendars for "${http.settings.username}" there (${http.redact((err as Error).message)}). Check the server URL.`);
  }
  const calendars = await fetchCalendars({ account, fetch: http.fetch });
  return calendars
    .filter((c) => !c.components?.length || c.components.includes('VEVENT'))
    .map((c) => ({ url: c.url, name: typeof c.displayName === 'string' && c.displayName ? c.displayName : decodeURIComponent(new URL(c.url).pathname.split('/').filter(Boolean).pop() ?? c.url) }));
}

/** The calendar events go to: the one in the settings, else the account's first (looked up once per account). */
export async function chooseCalendar(http: CalDavHttp, cache: Map<string, string>): Promise<string> {
  const s = http.settings;
  if (s.calendarUrl) return withSlash(s.calendarUrl);
  const key = `${s.serverUrl}\n${s.username}`;
  const known = cache.get(key);
  if (known) return known;
  const [first] = await listCalendars(http);
  if (!first) throw calendarError('no_calendar', `The CalDAV account "${s.username}" at ${s.serverUrl} has no calendar for events. Create one in your calendar app, then try again.`);
  cache.set(key, withSlash(first.url));
  return withSlash(first.url);
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

const looksLikeIcs = (res: Response, text: string) => /text\/calendar/i.test(res.headers.get('content-type') ?? '') || /^\s*BEGIN:VCALENDAR/i.test(text);

/** Events as resources of one CalDAV calendar: create with If-None-Match, replace with If-Match. */
export function caldavBackend(http: CalDavHttp, calendarUrl: string): CalendarBackend {
  return {
    kind: 'caldav',
    refFor: (uid) => new URL(encodeURIComponent(resourceName(uid)), calendarUrl).href,
    reaches: (ref) => http.reaches(ref),
    describe: (ref) => ({ url: ref }),

    async create(ref, text): Promise<CreateOutcome> {
      const res = await http.request('PUT', ref, { 'content-type': ICS_TYPE, 'if-none-match': '*' }, text);
      if (res.ok) {
        await res.body?.cancel();
        return { kind: 'created', etag: res.headers.get('etag') };
      }
      if (res.status === 412) {
        await res.body?.cancel();
        return { kind: 'exists' };
      }
      if (res.status === 409 || res.status === 403) {
        const body = await res.clone().text().catch(() => '');
        if (/no-uid-conflict/i.test(body)) return { kind: 'uid_taken' };
      }
      throw await http.httpError(res, 'storing the event');
    },

    async read(ref): Promise<StoredEvent | null> {
      const res = await http.request('GET', ref, { accept: 'text/calendar' });
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) throw await http.httpError(res, 'reading the event');
      const text = await res.text();
      if (!looksLikeIcs(res, text)) throw calendarError('bad_response', `The CalDAV server answered ${ref} with ${res.headers.get('content-type') ?? 'no content type'}, not an iCalendar event.`);
      return { ref, text, etag: res.headers.get('etag') };
    },

    async replace(ref, text, etag) {
      // Without an ETag (a server that gives none) the write cannot be conditional: Keel just read it, so the window is small.
      const res = await http.request('PUT', ref, { 'content-type': ICS_TYPE, ...(etag ? { 'if-match': etag } : {}) }, text);
      if (res.status === 412 || res.status === 404) {
        await res.body?.cancel();
        return { ok: false };
      }
      if (!res.ok) throw await http.httpError(res, 'changing the event');
      await res.body?.cancel();
      return { ok: true, etag: res.headers.get('etag') };
    },

    async find(uid) {
      const filters = {
        'comp-filter': {
          _attributes: { name: 'VCALENDAR' },
          'comp-filter': { _attributes: { name: 'VEVENT' }, 'prop-filter': { _attributes: { name: 'UID' }, 'text-match': { _attributes: { collation: 'i;octet' }, _text: uid } } },
        },
      };
      const found = await calendarQuery({ url: calendarUrl, props: { 'd:getetag': {} }, filters, depth: '1', fetch: http.fetch });
      const failed = found.find((r) => !r.ok && (r.status === 401 || r.status === 403 || r.status >= 500));
      if (failed) throw await http.httpError(new Response(null, { status: failed.status, statusText: failed.statusText }), 'searching the calendar');
      for (const r of found) {
        if (!r.ok || !r.href) continue;
        const url = new URL(r.href, calendarUrl).href;
        if (url !== calendarUrl && http.reaches(url)) return url;
      }
      return null;
    },
  };
}

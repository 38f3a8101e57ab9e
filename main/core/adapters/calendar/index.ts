export { calendarAdapter, cancelCreatedEvent, eventUidFor, type CalendarDeps } from './adapter';
export { CalendarSettingsStore, CALDAV_PASSWORD_SECRET } from './settings-store';
export { parseEvent, type ParsedEvent } from './ical';

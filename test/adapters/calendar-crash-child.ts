/**
 * The process the calendar crash test kills: opens a data folder like Keel does, stores the
 * CalDAV password, starts one create_event run and runs it. The test sets KEEL_FAULT so the
 * adapter kills this process right after the server accepted the PUT.
 */
import { openDatabase } from '../../main/core/db/database';
import { Kernel } from '../../main/core/kernel/kernel';
import { startRun } from '../../main/core/kernel/operator';
import { caldavSettings, calendarFor, createOne, PASSWORD, SECRET_ID } from './calendar-fixtures';

const [dataDir, serverUrl, calendarUrl] = process.argv.slice(2) as [string, string, string];
const { db } = await openDatabase(dataDir);
const { adapter, secrets } = calendarFor(db, dataDir, () => caldavSettings(serverUrl, calendarUrl));
await secrets.set(SECRET_ID, PASSWORD);
const kernel = new Kernel({ db, workflows: [createOne], adapters: [adapter] });
await kernel.start();
const event = { title: 'Kick-off, Northwind', start: '2025-06-02T09:00:00+02:00', end: '2025-06-02T10:00:00+02:00', timezone: 'Europe/Berlin' };
const { id } = await startRun(kernel, { workflow: 'cal.create', input: { event }, idempotencyKey: 'crash-calendar' });
console.log(`RUN ${id}`);
await kernel.idle();
await kernel.stop();
await db.close();
console.log('DONE');

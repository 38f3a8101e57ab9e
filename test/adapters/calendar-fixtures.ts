/** What the calendar tests and their crash child share: the account, the adapter, the workflows. */
import type { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { z } from 'zod';
import { calendarAdapter, cancelCreatedEvent } from '../../main/core/adapters/calendar';
import { permanent } from '../../main/core/kernel/errors';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { keyFileCipher } from '../../main/core/secrets/cipher';
import { SecretStore } from '../../main/core/secrets/store';
import type { CalendarEventResult, CalendarSettings } from '../../shared/domain/calendar';

export const USER = 'keel';
export const PASSWORD = 'calendar horse battery 9';
export const SECRET_ID = 'caldav.password';

export function caldavSettings(serverUrl: string, calendarUrl?: string): CalendarSettings {
  return { backend: 'caldav', serverUrl, username: USER, passwordSecretId: SECRET_ID, ...(calendarUrl ? { calendarUrl } : {}) };
}

/** The adapter on a data folder's database, with the key-file cipher of that folder and its workspace. */
export function calendarFor(db: PGlite, dataDir: string, settings: () => CalendarSettings | null) {
  const secrets = new SecretStore(db, keyFileCipher(dataDir));
  return { secrets, adapter: calendarAdapter({ db, secrets, workspace: join(dataDir, 'workspace'), settings: async () => settings() }) };
}

const EventInput = z.object({ event: z.record(z.string(), z.unknown()) });
const retry = { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100 };

/** Creates one event (undone by cancelling it); escalates when it cannot. */
export const createOne = defineWorkflow({
  name: 'cal.create',
  version: 1,
  input: EventInput,
  permissions: ['calendar.*'],
  defaults: { onExhausted: 'escalate', retry },
  run: (ctx, { event }) => ctx.effect<CalendarEventResult>('calendar', 'create_event', event, { compensate: cancelCreatedEvent() }),
});

/** Creates an event, then the next step fails for good: the saga cancels the event. */
export const createThenFail = defineWorkflow({
  name: 'cal.rollback',
  version: 1,
  input: EventInput,
  permissions: ['calendar.create_event', 'calendar.cancel_event'],
  defaults: { onExhausted: 'compensate', retry: { maxAttempts: 1 } },
  async run(ctx, { event }) {
    await ctx.effect<CalendarEventResult>('calendar', 'create_event', event, { compensate: cancelCreatedEvent() });
    await ctx.step('send the invitation', () => {
      throw permanent('the client declined the meeting');
    });
  },
});

/** Creates an event, then waits for the operator: cancelling the run with compensate cancels the event. */
export const createThenWait = defineWorkflow({
  name: 'cal.hold',
  version: 1,
  input: EventInput,
  permissions: ['calendar.create_event'],
  defaults: { onExhausted: 'escalate', retry },
  async run(ctx, { event }) {
    const created = await ctx.effect<CalendarEventResult>('calendar', 'create_event', event, { compensate: cancelCreatedEvent() });
    await ctx.approval({ title: 'Confirm the booking?', proposal: { uid: created.uid } });
    return created;
  },
});

export const moveOne = defineWorkflow({
  name: 'cal.move',
  version: 1,
  input: z.object({ uid: z.string(), start: z.string(), end: z.string() }),
  permissions: ['calendar.move_event'],
  defaults: { onExhausted: 'escalate', retry },
  run: (ctx, args) => ctx.effect<CalendarEventResult>('calendar', 'move_event', args),
});

export const cancelOne = defineWorkflow({
  name: 'cal.cancel',
  version: 1,
  input: z.object({ uid: z.string() }),
  permissions: ['calendar.cancel_event'],
  defaults: { onExhausted: 'escalate', retry },
  run: (ctx, args) => ctx.effect<CalendarEventResult>('calendar', 'cancel_event', args),
});

export const calendarWorkflows = [createOne, createThenFail, createThenWait, moveOne, cancelOne];

/** For a real Core's `workflowModules`. */
export const workflows = calendarWorkflows;

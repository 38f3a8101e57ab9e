import { z } from 'zod';
import { InboxCounts, InboxItem, Preferences } from '../domain/inbox';

/** The inbox as one list, taking a decision back, and the operator's preferences. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

export const inboxCalls = {
  'inbox.list': call(
    'Pending approvals, open escalations and dead letters as one list, riskiest and oldest first, with the counts.',
    z.strictObject({ limit: z.number().int().min(1).max(1000).default(200) }),
    z.object({ items: z.array(InboxItem), counts: InboxCounts }),
  ),
  'approvals.undo': call(
    'Takes a decision back while its run has not gone on (within the undo window); the approval is pending again.',
    z.strictObject({ id: z.string().min(1).max(100) }),
    z.object({ ok: z.literal(true) }),
  ),
  'preferences.get': call('Theme, notifications and the undo window.', z.strictObject({}), Preferences),
  'preferences.set': call(
    'Changes some preferences; the rest stay as they are.',
    z.strictObject({
      theme: Preferences.shape.theme.optional(),
      notifications: Preferences.shape.notifications.partial().strict().optional(),
      undoSeconds: Preferences.shape.undoSeconds.optional(),
    }),
    Preferences,
  ),
} as const;

export const inboxEvents = {
  'preferences.changed': event('The operator changed a preference.', Preferences),
} as const;

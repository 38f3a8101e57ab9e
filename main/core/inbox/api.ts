import type { z } from 'zod';
import type { inboxCalls } from '../../../shared/api/inbox-calls';
import type { InboxService } from './inbox-service';

type Calls = typeof inboxCalls;
type Handler<N extends keyof Calls> = (s: InboxService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The desk's API calls: the inbox list, undo, preferences. */
export const inboxHandlers: { [N in keyof Calls]: Handler<N> } = {
  'inbox.list': (s, { limit }) => s.list(limit),
  async 'approvals.undo'(s, { id }) {
    await s.undo(id);
    return { ok: true };
  },
  'preferences.get': async (s) => s.preferences.get(),
  'preferences.set': (s, patch) => s.preferences.save(patch),
};

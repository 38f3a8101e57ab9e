import type { z } from 'zod';
import type { imapCalls } from '../../../../shared/api/imap-calls';
import type { ImapService } from './service';

type Calls = typeof imapCalls;
type Names = keyof Calls;
type Handler<N extends Names> = (imap: ImapService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The intake's API calls, served in the core worker. */
export const imapHandlers: { [N in Names]: Handler<N> } = {
  'imap.settings': async (imap) => ({ settings: await imap.settings.view() }),
  'imap.saveSettings': (imap, input) => imap.settings.save(input),
  'imap.test': (imap, input) => imap.settings.test(input),
  'imap.status': (imap) => imap.status(),
  'imap.messages': async (imap, { accountId, limit }) => ({ messages: await imap.messages(accountId, limit) }),
};

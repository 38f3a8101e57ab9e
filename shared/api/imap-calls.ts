import { z } from 'zod';
import { ImapAccountId, ImapAccountInput, ImapCheck, ImapMessage, ImapSettingsInput, ImapSettingsView, ImapStatus } from '../domain/imap';

/** The calls and events of e-mail intake (IMAP), merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

export const imapCalls = {
  'imap.settings': call('The IMAP intake settings, passwords masked; null before intake is set up.', z.strictObject({}), z.object({ settings: ImapSettingsView.nullable() })),
  'imap.saveSettings': call(
    'Saves the IMAP intake settings (every account; a password only when given, else the stored one is kept). Applied at once: changed accounts reconnect.',
    ImapSettingsInput,
    ImapSettingsView,
  ),
  'imap.test': call(
    'Connects, logs in and lists the folders without fetching mail: the given account (before saving), or a stored one by id.',
    z.strictObject({ account: ImapAccountInput.optional(), accountId: ImapAccountId.optional() }),
    ImapCheck,
  ),
  'imap.status': call('Each watched folder: connected (idle or polling), waiting to reconnect or login refused; last success, last error, messages taken in.', z.strictObject({}), ImapStatus),
  'imap.messages': call(
    'Messages taken in, newest first, with their documents and the triage run each started.',
    z.strictObject({ accountId: ImapAccountId.optional(), limit: z.number().int().min(1).max(1000).default(100) }),
    z.object({ messages: z.array(ImapMessage) }),
  ),
} as const;

export const imapEvents = {
  'imap.changed': event('The IMAP settings or a folder\'s connection changed, or a message was taken in.', z.object({ accountId: z.string().nullable() })),
} as const;

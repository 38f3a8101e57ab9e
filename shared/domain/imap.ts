import { z } from 'zod';

/** E-mail intake over IMAP (DESIGN.md §6) as the API and the core see it, declared once. */

/** An account's id is part of every message's key, so it never changes once chosen. */
export const ImapAccountId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes (at most 40)');

/** A folder as the server names it ("INBOX", "Archive/2026"); one line, no control characters. */
export const ImapFolder = z.string().trim().min(1).max(300).regex(/^[^\u0000-\u001f\u007f]+$/, 'a folder name on one line');

/** At most this many folders per account: one connection each, and servers cap connections per user (Dovecot: 10). */
export const MAX_FOLDERS = 8;

/**
 * One IMAP account. The password is not here: it lives in the secret store under
 * `passwordSecretId`, so these settings can be shown, stored and logged.
 */
export const ImapAccount = z.strictObject({
  id: ImapAccountId,
  /** What the operator calls it ("Work"). */
  label: z.string().trim().max(100).regex(/^[^\r\n]*$/, 'one line').default(''),
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address'),
  port: z.number().int().min(1).max(65_535),
  /** true: TLS from the first byte (usually port 993). false: STARTTLS (usually 143), required unless the host is this machine. */
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  folders: z.array(ImapFolder).min(1).max(MAX_FOLDERS).default(['INBOX']),
  enabled: z.boolean().default(true),
  /** How often each folder is checked when the server has no IDLE, and as a safety net when it has. */
  pollSeconds: z.number().int().min(5).max(3600).default(120),
  /** When a folder is first watched, the newest this many messages already in it are taken in too (0: only mail that arrives from then on). */
  backfill: z.number().int().min(0).max(500).default(0),
  passwordSecretId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/),
});
export type ImapAccount = z.infer<typeof ImapAccount>;

export const DEFAULT_MAX_MESSAGE_MB = 25;

export const ImapSettings = z.strictObject({
  /** Intake on or off for every account. */
  enabled: z.boolean(),
  /** A larger message is taken in as its headers and a note saying so (it stays on the server). */
  maxMessageMb: z.number().int().min(1).max(100).default(DEFAULT_MAX_MESSAGE_MB),
  accounts: z.array(ImapAccount).max(10),
});
export type ImapSettings = z.infer<typeof ImapSettings>;

/** What the operator enters for an account: no id yet for a new one, the password when it changes. */
export const ImapAccountInput = ImapAccount.omit({ passwordSecretId: true, id: true }).extend({
  id: ImapAccountId.optional(),
  password: z.string().min(1).max(1000).optional(),
});
export type ImapAccountInput = z.input<typeof ImapAccountInput>;

export const ImapSettingsInput = ImapSettings.extend({ accounts: z.array(ImapAccountInput).max(10) });
export type ImapSettingsInput = z.input<typeof ImapSettingsInput>;

/** An account as shown: the password only masked ("••••ab12"), never itself. */
export const ImapAccountView = ImapAccount.omit({ passwordSecretId: true }).extend({ hasPassword: z.boolean(), passwordMasked: z.string().nullable() });
export const ImapSettingsView = ImapSettings.extend({ accounts: z.array(ImapAccountView) });
export type ImapSettingsView = z.infer<typeof ImapSettingsView>;

export const ImapErrorCode = z.enum([
  'not_configured',
  'no_password',
  'auth_failed', // the server refused the login: not retried in a loop
  'cannot_connect', // network, DNS, refused, timeouts: retried with backoff
  'tls',
  'folder_missing',
  'dropped', // the connection broke mid-way: reconnected, nothing is taken twice
  'server', // the server answered NO/BAD to a command
  'other',
]);
export type ImapErrorCode = z.infer<typeof ImapErrorCode>;

export const ImapCheck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), folders: z.array(z.object({ path: z.string(), specialUse: z.string().nullable() })), idle: z.boolean() }),
  z.object({ ok: z.literal(false), code: ImapErrorCode, message: z.string() }),
]);
export type ImapCheck = z.infer<typeof ImapCheck>;

const Iso = z.string();

/**
 * One watched folder's connection: `idle` (the server pushes new mail), `polling` (checked
 * every pollSeconds), `connecting`, `waiting` (to reconnect after an error, see nextAttemptAt),
 * `auth_failed` (retried rarely, fix the password), `stopped` (intake or the account is off).
 */
export const ImapFolderState = z.enum(['connecting', 'idle', 'polling', 'waiting', 'auth_failed', 'stopped']);
export type ImapFolderState = z.infer<typeof ImapFolderState>;

export const ImapFolderStatus = z.object({
  folder: z.string(),
  state: ImapFolderState,
  /** Connections opened since Keel started (a reconnect adds one). */
  connects: z.number().int(),
  lastSuccessAt: Iso.nullable(),
  lastError: z.object({ code: ImapErrorCode, message: z.string(), at: Iso }).nullable(),
  nextAttemptAt: Iso.nullable(),
  /** Something the operator should know that is not an error (the server renumbered the folder). */
  notice: z.string().nullable(),
  /** Messages taken in from this folder, ever. */
  taken: z.number().int(),
  uidValidity: z.string().nullable(),
  highestUid: z.number().int().nullable(),
});
export type ImapFolderStatus = z.infer<typeof ImapFolderStatus>;

export const ImapAccountStatus = z.object({ id: z.string(), label: z.string(), user: z.string(), host: z.string(), enabled: z.boolean(), folders: z.array(ImapFolderStatus) });
export const ImapStatus = z.object({ enabled: z.boolean(), accounts: z.array(ImapAccountStatus) });
export type ImapStatus = z.infer<typeof ImapStatus>;

/** How a message was taken in: whole, as its headers (too large), or not again (its Message-ID was taken in before the folder was renumbered). */
export const ImapOutcome = z.enum(['taken', 'headers_only', 'seen_before']);
export type ImapOutcome = z.infer<typeof ImapOutcome>;

export const ImapAttachment = z.object({
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  /** Its own document; null when Keel does not read the type (it is named in the message's document). */
  documentId: z.string().nullable(),
  /** The same bytes were already in memory as this document: linked, not stored twice. */
  sameAs: z.string().nullable(),
});
export type ImapAttachment = z.infer<typeof ImapAttachment>;

export const ImapMessage = z.object({
  accountId: z.string(),
  folder: z.string(),
  uidValidity: z.string(),
  uid: z.number().int(),
  messageId: z.string().nullable(),
  subject: z.string().nullable(),
  size: z.number().int(),
  outcome: ImapOutcome,
  documentId: z.string().nullable(),
  attachments: z.array(ImapAttachment),
  takenAt: Iso,
  /** The triage run of the message's document, once ingestion has stored it. */
  triageRunId: z.string().nullable(),
  triageStartedAt: Iso.nullable(),
});
export type ImapMessage = z.infer<typeof ImapMessage>;

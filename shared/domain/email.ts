import { z } from 'zod';

/** E-mail (DESIGN.md §6) as the API and the core see it, declared once. */

/**
 * How Keel reaches the operator's SMTP server. The password is not here: it lives in the
 * secret store under `passwordSecretId`, so these settings can be shown, stored and logged.
 */
export const SmtpSettings = z.strictObject({
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address'),
  port: z.number().int().min(1).max(65_535),
  /** true: TLS from the first byte (usually port 465). false: STARTTLS (usually 587), required unless the host is this machine. */
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  /** The sender's address; its domain also names the Message-IDs Keel makes. */
  from: z.email(),
  /** Shown as the sender's name ("Ada Lovelace <ada@example.com>"). */
  fromName: z.string().max(200).regex(/^[^\r\n]*$/, 'one line').optional(),
  passwordSecretId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

/** What the operator enters: the settings and, when it changes, the password. */
export const EmailSettingsInput = SmtpSettings.omit({ passwordSecretId: true }).extend({ password: z.string().min(1).max(1000).optional() });
export type EmailSettingsInput = z.infer<typeof EmailSettingsInput>;

/** The settings as shown: the password only masked ("••••ab12"), never itself. */
export const EmailSettingsView = SmtpSettings.omit({ passwordSecretId: true }).extend({ hasPassword: z.boolean(), passwordMasked: z.string().nullable() });
export type EmailSettingsView = z.infer<typeof EmailSettingsView>;

export const SmtpErrorCode = z.enum(['not_configured', 'no_password', 'auth_failed', 'cannot_connect', 'tls', 'rejected', 'temporary', 'uncertain', 'other']);
export type SmtpErrorCode = z.infer<typeof SmtpErrorCode>;

export const ConnectionCheck = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), code: SmtpErrorCode, message: z.string() })]);
export type ConnectionCheck = z.infer<typeof ConnectionCheck>;

/** A send whose outcome Keel cannot know (the process died while the server was answering). */
export const UncertainSend = z.object({
  idempotencyKey: z.string(),
  messageId: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  createdAt: z.string(),
});
export type UncertainSend = z.infer<typeof UncertainSend>;

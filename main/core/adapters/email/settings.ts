import { z } from 'zod';

/**
 * How Keel reaches the operator's SMTP server. The password is not here: it lives in the
 * SecretStore under `passwordSecretId`, so these settings can be shown, stored and logged.
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
  fromName: z.string().max(200).regex(/^[^\r\n]*$/).optional(),
  passwordSecretId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

/** A server on this machine (a local relay or bridge): the only place credentials may go without TLS. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

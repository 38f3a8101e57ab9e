/** What the e-mail tests and their crash child share: the workflow and the settings. */
import type { PGlite } from '@electric-sql/pglite';
import { z } from 'zod';
import { emailAdapter, emailCorrection, type EmailDeps, type SendResult, type SmtpSettings } from '../../main/core/adapters/email';
import { keyFileCipher } from '../../main/core/secrets/cipher';
import { SecretStore } from '../../main/core/secrets/store';
import { defineWorkflow } from '../../main/core/kernel/workflow';

export const PASSWORD = 'correct horse battery staple 7';

export function smtpSettings(port: number, extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: '127.0.0.1', port, secure: false, user: 'keel', from: 'ada@example.com', fromName: 'Ada Lovelace', passwordSecretId: 'smtp.password', ...extra };
}

/** The adapter on a data folder's database, with the key-file cipher of that folder. */
export function emailFor(db: PGlite, dataDir: string, settings: () => SmtpSettings | null, proposeCorrection?: EmailDeps['proposeCorrection']) {
  const secrets = new SecretStore(db, keyFileCipher(dataDir));
  return { secrets, adapter: emailAdapter({ db, secrets, settings: async () => settings(), proposeCorrection }) };
}

export const MailInput = z.object({ to: z.array(z.string()), cc: z.array(z.string()).optional(), subject: z.string(), text: z.string() });

/** Sends one e-mail; escalates (pauses for the operator) when a send cannot be completed. */
export const sendOne = defineWorkflow({
  name: 'mail.one',
  version: 1,
  input: MailInput,
  permissions: ['email.send'],
  defaults: { onExhausted: 'escalate', retry: { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 100 } },
  async run(ctx, input) {
    return ctx.effect<SendResult>('email', 'send', input);
  },
});

/** Sends, then fails: the saga rolls back by sending the declared correction. */
export const sendThenFail = defineWorkflow({
  name: 'mail.rollback',
  version: 1,
  input: MailInput,
  permissions: ['email.send'],
  defaults: { onExhausted: 'compensate', retry: { maxAttempts: 1 } },
  async run(ctx, input) {
    await ctx.effect<SendResult>('email', 'send', input, { compensate: emailCorrection('Please disregard my previous message: it went out by mistake.') });
    await ctx.step('book the meeting', () => {
      throw new Error('the calendar is full');
    });
  },
});

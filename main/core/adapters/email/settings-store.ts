import type { PGlite } from '@electric-sql/pglite';
import { EmailSettingsInput, SmtpSettings, type ConnectionCheck, type EmailSettingsView, type UncertainSend } from '../../../../shared/domain/email';
import { ApiError } from '../../../../shared/api/errors';
import type { Kernel } from '../../kernel/kernel';
import { resolveEscalation } from '../../kernel/operator';
import type { SecretStore } from '../../secrets/store';
import { StoredSetting } from '../stored-setting';
import { allowResend, confirmOutboxSent, listUncertainSends } from './outbox';
import { testConnection } from './smtp';

const SETTINGS_KEY = 'email.smtp';
/** One SMTP account per data folder, so one secret. */
export const SMTP_PASSWORD_SECRET = 'email-smtp-password';
const operator = { kind: 'operator' as const, name: 'operator' };

/**
 * The operator's SMTP settings: stored as a kernel setting (changes in the ledger, without
 * the password), the password in the secret store. The adapter reads `settings()` at every
 * send, so a change applies to the next message.
 */
export class EmailSettingsStore {
  private readonly stored: StoredSetting<SmtpSettings>;

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; secrets: SecretStore; notify?: (event: string, payload: unknown) => void }) {
    this.stored = new StoredSetting(deps.db, SETTINGS_KEY, SmtpSettings);
  }

  settings(): Promise<SmtpSettings | null> {
    return this.stored.get();
  }

  async view(): Promise<EmailSettingsView | null> {
    const s = await this.settings();
    if (!s) return null;
    const { passwordSecretId, ...shown } = s;
    const masked = await this.deps.secrets.masked(passwordSecretId);
    return { ...shown, hasPassword: masked !== null, passwordMasked: masked };
  }

  /** Saves the settings; the password only when given (leaving it out keeps the stored one). */
  async save(input: EmailSettingsInput): Promise<EmailSettingsView> {
    const { password, ...rest } = EmailSettingsInput.parse(input);
    const settings = SmtpSettings.parse({ ...rest, passwordSecretId: SMTP_PASSWORD_SECRET });
    if (password === undefined && !(await this.deps.secrets.has(SMTP_PASSWORD_SECRET))) {
      throw new ApiError({ code: 'invalid_input', message: `Enter the SMTP password for ${settings.user}.` });
    }
    if (password !== undefined) await this.deps.secrets.set(SMTP_PASSWORD_SECRET, password);
    await this.stored.save(this.deps.kernel, settings, { type: 'email.settings_saved', actor: operator, data: { host: settings.host, port: settings.port, secure: settings.secure, user: settings.user, from: settings.from, passwordChanged: password !== undefined } });
    this.deps.notify?.('email.changed', {});
    return (await this.view())!;
  }

  /** Connects and logs in, sending nothing: the given settings (before saving) or the stored ones. */
  async test(input?: EmailSettingsInput): Promise<ConnectionCheck> {
    if (input) {
      const { password, ...rest } = EmailSettingsInput.parse(input);
      return testConnection(SmtpSettings.parse({ ...rest, passwordSecretId: SMTP_PASSWORD_SECRET }), this.deps.secrets, { password });
    }
    const s = await this.settings();
    if (!s) return { ok: false, code: 'not_configured', message: 'E-mail is not set up yet: enter your SMTP server first.' };
    return testConnection(s, this.deps.secrets);
  }

  async uncertain(): Promise<UncertainSend[]> {
    return (await listUncertainSends(this.deps.db)).map((e) => ({ idempotencyKey: e.idempotencyKey, messageId: e.messageId, from: e.envelope.from, to: e.envelope.to, subject: e.envelope.subject, createdAt: e.createdAt }));
  }

  /** The operator checked: it was sent. The paused run goes on, completing without sending. */
  async confirmSent(key: string): Promise<void> {
    await confirmOutboxSent(this.deps.db, key);
    await this.logOutbox('email.send_confirmed', key);
    await this.resumeWaiting(key, 'the e-mail arrived (confirmed by the operator)');
  }

  /** The operator checked: it was not sent. The paused run goes on and sends it. */
  async allowResend(key: string): Promise<void> {
    await allowResend(this.deps.db, key);
    await this.logOutbox('email.resend_allowed', key);
    await this.resumeWaiting(key, 'the e-mail did not arrive: send it again (the operator)');
  }

  /** The run paused on this uncertain send is retried: deciding was all it waited for. */
  private async resumeWaiting(key: string, note: string): Promise<void> {
    const { rows } = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM kernel_escalations WHERE status = 'open' AND reason->'details'->>'idempotencyKey' = $1`,
      [key],
    );
    for (const r of rows) await resolveEscalation(this.deps.kernel, r.id, { action: 'retry', note });
  }

  private async logOutbox(type: string, key: string): Promise<void> {
    await this.deps.kernel.commit(async (_tx, log) => log({ type, actor: operator, data: { idempotencyKey: key } }));
    this.deps.notify?.('email.changed', {});
  }
}

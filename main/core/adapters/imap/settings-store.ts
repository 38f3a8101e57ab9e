import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';
import { ImapAccount, ImapAccountInput, ImapSettings, ImapSettingsInput, type ImapCheck, type ImapSettingsView } from '../../../../shared/domain/imap';
import type { Kernel } from '../../kernel/kernel';
import type { SecretStore } from '../../secrets/store';
import { StoredSetting } from '../stored-setting';
import { testImap } from './connection';

const SETTINGS_KEY = 'imap.settings';
const operator = { kind: 'operator' as const, name: 'operator' };

/** Each account's password in the secret store, never in the settings, the ledger or a log. */
export const passwordSecretFor = (accountId: string) => `imap-password-${accountId}`;

/** A readable, stable id for a new account ("work-3fa2"): it is part of every message's key. */
function newAccountId(a: { label?: string; user: string }, taken: Set<string>): string {
  const stem = (a.label || a.user.split('@')[0] || 'account').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'account';
  for (;;) {
    const id = `${stem}-${randomBytes(2).toString('hex')}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The operator's IMAP accounts: stored as the kernel setting `imap.settings` (changes in the
 * ledger, without passwords), each password in the secret store. `onSaved` lets the intake
 * service reconnect what changed; `passwordRevision` tells it a password changed.
 */
export class ImapSettingsStore {
  private readonly stored: StoredSetting<ImapSettings>;
  private readonly revisions = new Map<string, number>();
  onSaved: (() => Promise<void>) | null = null;

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; secrets: SecretStore; notify?: (event: string, payload: unknown) => void }) {
    this.stored = new StoredSetting(deps.db, SETTINGS_KEY, ImapSettings);
  }

  settings(): Promise<ImapSettings | null> {
    return this.stored.get();
  }

  /** Changes each time the account's password is saved, so its connection starts again with the new one. */
  passwordRevision(accountId: string): number {
    return this.revisions.get(accountId) ?? 0;
  }

  password(accountId: string): Promise<string | null> {
    return this.deps.secrets.get(passwordSecretFor(accountId));
  }

  async view(): Promise<ImapSettingsView | null> {
    const s = await this.settings();
    if (!s) return null;
    const accounts = [];
    for (const { passwordSecretId, ...shown } of s.accounts) {
      const masked = await this.deps.secrets.masked(passwordSecretId).catch(() => null);
      accounts.push({ ...shown, hasPassword: masked !== null, passwordMasked: masked });
    }
    return { ...s, accounts };
  }

  /** Saves every account (a new one gets its id here); a password only when given, else the stored one stays. */
  async save(input: ImapSettingsInput): Promise<ImapSettingsView> {
    const given = ImapSettingsInput.parse(input);
    const before = await this.settings();
    const ids = new Set(given.accounts.flatMap((a) => (a.id ? [a.id] : [])));
    if (ids.size !== given.accounts.filter((a) => a.id).length) throw new ApiError({ code: 'invalid_input', message: 'Two accounts have the same id.' });
    const passwords = new Map<string, string>();
    const accounts: ImapAccount[] = [];
    for (const { password, ...a } of given.accounts) {
      const id = a.id ?? newAccountId(a, ids);
      ids.add(id);
      if (password !== undefined) passwords.set(id, password);
      else if (!(await this.deps.secrets.has(passwordSecretFor(id)))) throw new ApiError({ code: 'invalid_input', message: `Enter the IMAP password for ${a.user} at ${a.host}.` });
      // The same folder twice would be two connections racing for the same messages.
      accounts.push(ImapAccount.parse({ ...a, id, folders: [...new Set(a.folders)], passwordSecretId: passwordSecretFor(id) }));
    }
    const settings = ImapSettings.parse({ ...given, accounts });
    for (const [id, password] of passwords) {
      await this.deps.secrets.set(passwordSecretFor(id), password);
      this.revisions.set(id, this.passwordRevision(id) + 1);
    }
    const shown = settings.accounts.map(({ passwordSecretId: _, ...a }) => ({ ...a, passwordChanged: passwords.has(a.id) }));
    await this.stored.save(this.deps.kernel, settings, { type: 'imap.settings_saved', actor: operator, data: { enabled: settings.enabled, maxMessageMb: settings.maxMessageMb, accounts: shown } });
    // A removed account's password goes with it (its messages' records stay: they are history).
    for (const old of before?.accounts ?? []) if (!ids.has(old.id)) await this.deps.secrets.delete(old.passwordSecretId);
    await this.onSaved?.();
    this.deps.notify?.('imap.changed', { accountId: null });
    return (await this.view())!;
  }

  /** Connects, logs in and lists folders: the given account (before saving; its stored password when none is given), or a stored one. */
  async test(input: { account?: ImapAccountInput; accountId?: string }): Promise<ImapCheck> {
    if (input.account) {
      const { password, ...a } = ImapAccountInput.parse(input.account);
      const pass = password ?? (a.id ? await this.password(a.id) : null);
      if (!pass) return { ok: false, code: 'no_password', message: `Enter the IMAP password for ${a.user} at ${a.host}.` };
      return testImap(a, pass);
    }
    const s = await this.settings();
    const account = input.accountId ? s?.accounts.find((a) => a.id === input.accountId) : s?.accounts[0];
    if (!account) return { ok: false, code: 'not_configured', message: input.accountId ? `There is no IMAP account "${input.accountId}".` : 'E-mail intake is not set up yet: add an IMAP account first.' };
    const pass = await this.password(account.id);
    if (!pass) return { ok: false, code: 'no_password', message: `No IMAP password is stored for ${account.user} at ${account.host}. Enter it in the intake settings.` };
    return testImap(account, pass);
  }
}

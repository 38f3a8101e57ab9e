import type { StateCreator } from 'zustand';
import type { ImapAccountInput, ImapCheck, ImapSettingsInput, ImapSettingsView, ImapStatus } from '../../../shared/domain/imap';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type ImapCheckState = { state: 'running' | 'done'; result: ImapCheck | null };

export interface ImapSlice {
  imapSettings: ImapSettingsView | null;
  imapStatus: ImapStatus | null;
  imapLoaded: boolean;
  /** "Test connection" per account form (its id, or the key of a new one). */
  imapChecks: Record<string, ImapCheckState>;
  imapError: string | null;
  imapNotice: string | null;
  refreshImap(): Promise<void>;
  refreshImapStatus(): Promise<void>;
  /** Tries an account as entered (before saving), or a stored one by its id. */
  testImap(key: string, target: { account: ImapAccountInput } | { accountId: string }): Promise<void>;
  saveImap(settings: ImapSettingsInput, notice: string): Promise<boolean>;
  clearImapCheck(key: string): void;
}

/** E-mail intake over IMAP: the accounts and folders watched (passwords only masked), and each folder's connection. */
export const createImapSlice: StateCreator<KeelStore, [], [], ImapSlice> = (set) => {
  const fail = (err: unknown) => set({ imapError: errorMessage(err), imapNotice: null });
  const check = (key: string, c: ImapCheckState | null) =>
    set((s) => {
      const { [key]: _, ...rest } = s.imapChecks;
      return { imapChecks: c ? { ...rest, [key]: c } : rest };
    });
  return {
    imapSettings: null,
    imapStatus: null,
    imapLoaded: false,
    imapChecks: {},
    imapError: null,
    imapNotice: null,

    async refreshImap() {
      const client = keelClient();
      try {
        const [{ settings }, status] = await Promise.all([client.call('imap.settings'), client.call('imap.status')]);
        set({ imapSettings: settings, imapStatus: status, imapLoaded: true });
      } catch (err) {
        fail(err);
      }
    },
    async refreshImapStatus() {
      try {
        set({ imapStatus: await keelClient().call('imap.status') });
      } catch (err) {
        fail(err);
      }
    },
    async testImap(key, target) {
      check(key, { state: 'running', result: null });
      try {
        check(key, { state: 'done', result: await keelClient().call('imap.test', target) });
      } catch (err) {
        check(key, { state: 'done', result: { ok: false, code: 'other', message: errorMessage(err) } });
      }
    },
    async saveImap(settings, notice) {
      try {
        const saved = await keelClient().call('imap.saveSettings', settings);
        set({ imapSettings: saved, imapError: null, imapNotice: notice });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    clearImapCheck: (key) => check(key, null),
  };
};

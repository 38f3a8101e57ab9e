import type { StateCreator } from 'zustand';
import type { ConnectionCheck, EmailSettingsInput, EmailSettingsView, UncertainSend } from '../../../shared/domain/email';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export interface EmailSlice {
  emailSettings: EmailSettingsView | null;
  emailLoaded: boolean;
  uncertainSends: UncertainSend[];
  /** The last "Test connection": running, or its answer. */
  emailCheck: { state: 'running' | 'done'; result: ConnectionCheck | null } | null;
  emailError: string | null;
  emailNotice: string | null;
  refreshEmail(): Promise<void>;
  testEmail(settings: EmailSettingsInput): Promise<void>;
  saveEmail(settings: EmailSettingsInput): Promise<boolean>;
  confirmSent(idempotencyKey: string): Promise<void>;
  allowResend(idempotencyKey: string): Promise<void>;
  clearEmailCheck(): void;
}

/** The SMTP account (its password only ever masked) and the sends whose outcome is uncertain. */
export const createEmailSlice: StateCreator<KeelStore, [], [], EmailSlice> = (set, get) => {
  const fail = (err: unknown) => set({ emailError: errorMessage(err), emailNotice: null });
  const outbox = async (fn: () => Promise<unknown>, notice: string) => {
    try {
      await fn();
      // The pushed email.changed reloads the settings and the outbox.
      set({ emailError: null, emailNotice: notice });
    } catch (err) {
      fail(err);
    }
  };
  return {
    emailSettings: null,
    emailLoaded: false,
    uncertainSends: [],
    emailCheck: null,
    emailError: null,
    emailNotice: null,

    async refreshEmail() {
      const client = keelClient();
      try {
        const [{ settings }, { sends }] = await Promise.all([client.call('email.settings'), client.call('email.uncertain')]);
        set({ emailSettings: settings, uncertainSends: sends, emailLoaded: true });
      } catch (err) {
        fail(err);
      }
    },
    async testEmail(settings) {
      set({ emailCheck: { state: 'running', result: null } });
      try {
        set({ emailCheck: { state: 'done', result: await keelClient().call('email.test', { settings }) } });
      } catch (err) {
        set({ emailCheck: { state: 'done', result: { ok: false, code: 'other', message: errorMessage(err) } } });
      }
    },
    async saveEmail(settings) {
      try {
        const saved = await keelClient().call('email.saveSettings', settings);
        set({ emailSettings: saved, emailError: null, emailNotice: `E-mail settings saved: Keel sends as ${saved.from} through ${saved.host}.` });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    confirmSent: (key) => outbox(() => keelClient().call('email.confirmSent', { idempotencyKey: key }), 'Recorded as sent: the paused run goes on and finishes without sending it again.'),
    allowResend: (key) => outbox(() => keelClient().call('email.allowResend', { idempotencyKey: key }), 'Resend allowed: the paused run goes on and sends the message again.'),
    clearEmailCheck: () => set({ emailCheck: null }),
  };
};

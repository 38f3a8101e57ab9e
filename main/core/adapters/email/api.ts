import type { z } from 'zod';
import type { agentsCalls } from '../../../../shared/api/agents-calls';
import type { EmailSettingsStore } from './settings-store';

type Calls = typeof agentsCalls;
type Names = Extract<keyof Calls, `email.${string}`>;
type Handler<N extends Names> = (e: EmailSettingsStore, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;
const OK = { ok: true } as const;

/** The e-mail settings' and outbox's API calls, served in the core worker. */
export const emailHandlers: { [N in Names]: Handler<N> } = {
  'email.settings': async (e) => ({ settings: await e.view() }),
  'email.saveSettings': (e, input) => e.save(input),
  'email.test': (e, { settings }) => e.test(settings),
  'email.uncertain': async (e) => ({ sends: await e.uncertain() }),
  async 'email.confirmSent'(e, { idempotencyKey }) {
    await e.confirmSent(idempotencyKey);
    return OK;
  },
  async 'email.allowResend'(e, { idempotencyKey }) {
    await e.allowResend(idempotencyKey);
    return OK;
  },
};

import type { z } from 'zod';
import type { agentsCalls } from '../../../shared/api/agents-calls';
import type { ModelService } from './model-service';

type Calls = typeof agentsCalls;
type Names = Extract<keyof Calls, `models.${string}`>;
type Handler<N extends Names> = (m: ModelService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;
const OK = { ok: true } as const;

/** The model settings' API calls (providers, tiers, canaries, prices, usage), served in the core worker. */
export const modelsHandlers: { [N in Names]: Handler<N> } = {
  'models.providers': async (m) => ({ providers: await m.providers() }),
  'models.saveProvider': (m, { provider, apiKey }) => m.saveProvider({ ...provider, hasKey: false }, apiKey),
  async 'models.removeProvider'(m, { id }) {
    await m.removeProvider(id);
    return OK;
  },
  'models.testProvider': (m, { provider, model }) => m.check({ provider, model }),
  'models.tiers': async (m) => ({ tiers: await m.tiers() }),
  'models.setTier': (m, { tier, model }) => m.setTier(tier, model),
  'models.stageCanary': (m, { tier, model, share }) => m.stageCanary(tier, model, share),
  'models.promoteCanary': (m, { tier }) => m.promoteCanary(tier),
  'models.rollbackCanary': (m, { tier }) => m.rollbackCanary(tier),
  'models.compare': (m, { tier }) => m.compare(tier),
  'models.prices': async (m) => ({ prices: await m.prices() }),
  'models.setPrice': (m, price) => m.setPrice(price),
  'models.usage': (m, { since }) => m.usage(since ?? null),
};

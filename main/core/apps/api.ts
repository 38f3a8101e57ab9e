import type { z } from 'zod';
import type { appsCalls } from '../../../shared/api/apps-calls';
import type { AppsService } from './apps-service';

type Calls = typeof appsCalls;
type Names = keyof Calls;
type Handler<N extends Names> = (a: AppsService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;

/** The apps' API calls, served in the core worker. */
export const appsHandlers: { [N in Names]: Handler<N> } = {
  'apps.list': async (a) => ({ apps: await a.list() }),
  'apps.bundled': async (a) => ({ apps: a.bundled() }),
  'apps.preview': async (a, { source }) => a.preview(source),
  'apps.install': (a, { source, consent }) => a.install(source, consent),
  'apps.uninstall': (a, { id, keepData, cancelRuns }) => a.uninstall(id, { keepData, cancelRuns }),
  'apps.setSettings': (a, { id, values }) => a.setSettings(id, values),
  'apps.records': (a, { id, entity, limit }) => a.latestRecords(id, entity, limit),
};

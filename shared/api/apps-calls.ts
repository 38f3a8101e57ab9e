import { z } from 'zod';
import { AppPreview, AppRecord, AppSource, InstalledApp } from '../domain/apps';

/** Apps: preview, install with consent, upgrade, uninstall, settings, records; merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });
const AppId = z.string().min(1).max(40);
const SettingValue = z.union([z.string().max(10_000), z.number(), z.boolean()]);

export const appsCalls = {
  'apps.list': call('Installed apps with what each registered and holds.', z.strictObject({}), z.object({ apps: z.array(InstalledApp) })),
  'apps.bundled': call('The apps Keel ships, with the version each would install.', z.strictObject({}), z.object({ apps: z.array(z.object({ id: z.string(), name: z.string(), version: z.string(), description: z.string(), installed: z.string().nullable() })) })),
  'apps.preview': call('What installing or upgrading an app would register and the permissions it asks for; problems listed, nothing changed.', z.strictObject({ source: AppSource }), AppPreview),
  'apps.install': call(
    'Installs or upgrades an app. consent must list every permission the app asks for (shown by apps.preview); an upgrade migrates its records, runs in flight keep their version.',
    z.strictObject({ source: AppSource, consent: z.array(z.string().max(200)).max(200) }),
    InstalledApp,
  ),
  'apps.uninstall': call(
    'Removes an app and everything it registered (agents, workflows, schedules, subscriptions); its records kept or removed. Runs in flight are refused unless cancelRuns.',
    z.strictObject({ id: AppId, keepData: z.boolean(), cancelRuns: z.boolean().optional() }),
    z.object({ cancelledRuns: z.number().int(), removedRecords: z.number().int() }),
  ),
  'apps.setSettings': call("Changes an installed app's settings (checked against the types its manifest declares).", z.strictObject({ id: AppId, values: z.record(z.string(), SettingValue) }), InstalledApp),
  'apps.records': call(
    "An app's records of one entity, the most recently changed first (at most limit), and how many it has.",
    z.strictObject({ id: AppId, entity: z.string().min(1).max(40), limit: z.number().int().min(1).max(1000).default(200) }),
    z.object({ records: z.array(AppRecord), total: z.number().int() }),
  ),
} as const;

export const appsEvents = {
  'apps.changed': event('An app was installed, upgraded, uninstalled, its settings changed, or one of its runs stored a record.', z.object({ id: z.string() })),
} as const;

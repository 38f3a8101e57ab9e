import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../../shared/api/contract';
import type { AppPreview, AppSource, InstalledApp } from '../../../shared/domain/apps';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import { attempt, type Outcome } from '../util/outcome';
import type { KeelStore } from './store';

export type BundledApp = CallOutput<'apps.bundled'>['apps'][number];
export type Uninstalled = CallOutput<'apps.uninstall'>;
export type SettingValue = string | number | boolean;

export interface AppsSlice {
  bundledApps: BundledApp[];
  installedApps: InstalledApp[];
  appsLoaded: boolean;
  /** Loading the lists failed; actions report their own errors next to their controls. */
  appsError: string | null;
  /** A sentence confirming the last install, upgrade or uninstall, for the polite live region. */
  appsNotice: string | null;
  refreshApps(): Promise<void>;
  previewApp(source: AppSource): Promise<Outcome<AppPreview>>;
  /** Installs (or upgrades) with exactly the permissions the operator saw in the preview. */
  installApp(source: AppSource, consent: string[]): Promise<Outcome<InstalledApp>>;
  uninstallApp(id: string, keepData: boolean, cancelRuns?: boolean): Promise<Outcome<Uninstalled>>;
  setAppSettings(id: string, values: Record<string, SettingValue>): Promise<Outcome<InstalledApp>>;
}

const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

/** Apps (declarative packages): the bundled ones, those installed, and the operator's consent to each. */
export const createAppsSlice: StateCreator<KeelStore, [], [], AppsSlice> = (set, get) => {
  const replace = (app: InstalledApp) => set((s) => ({ installedApps: s.installedApps.map((a) => (a.id === app.id ? app : a)) }));
  return {
    bundledApps: [],
    installedApps: [],
    appsLoaded: false,
    appsError: null,
    appsNotice: null,

    async refreshApps() {
      const client = keelClient();
      try {
        const [bundled, installed] = await Promise.all([client.call('apps.bundled'), client.call('apps.list')]);
        set({ bundledApps: bundled.apps, installedApps: installed.apps, appsLoaded: true, appsError: null });
      } catch (err) {
        set({ appsError: errorMessage(err) });
      }
    },
    previewApp: (source) => attempt(() => keelClient().call('apps.preview', { source })),
    async installApp(source, consent) {
      const before = get().installedApps;
      const out = await attempt(() => keelClient().call('apps.install', { source, consent }));
      if (out.ok) {
        const app = out.value;
        const was = before.find((a) => a.id === app.id)?.version;
        set({ appsNotice: was && was !== app.version ? `${app.name} upgraded from ${was} to ${app.version}.` : `${app.name} ${app.version} installed.` });
        // The pushed apps.changed reloads both lists; this makes the change visible at once.
        await get().refreshApps();
      }
      return out;
    },
    async uninstallApp(id, keepData, cancelRuns) {
      const name = get().installedApps.find((a) => a.id === id)?.name ?? id;
      const out = await attempt(() => keelClient().call('apps.uninstall', { id, keepData, ...(cancelRuns ? { cancelRuns } : {}) }));
      if (out.ok) {
        const { cancelledRuns, removedRecords } = out.value;
        const parts = [keepData ? 'its records were kept' : `${records(removedRecords)} removed`, ...(cancelledRuns ? [`${cancelledRuns} run${cancelledRuns === 1 ? '' : 's'} cancelled`] : [])];
        set({ appsNotice: `${name} uninstalled: ${parts.join(', ')}.` });
        await get().refreshApps();
      }
      return out;
    },
    async setAppSettings(id, values) {
      const out = await attempt(() => keelClient().call('apps.setSettings', { id, values }));
      if (out.ok) {
        replace(out.value);
        set({ appsNotice: `${out.value.name}'s settings saved.` });
      }
      return out;
    },
  };
};

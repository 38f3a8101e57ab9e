import type { StateCreator } from 'zustand';
import type { CallInput } from '../../../shared/api/contract';
import type { MemorySettings } from '../../../shared/api/memory-calls';
import type { WatchedFolder } from '../../../shared/domain/documents';
import type { EmbeddingState } from '../../../shared/domain/memory';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type SettingsPatch = CallInput<'memory.setSettings'>;

export interface SettingsSlice {
  memorySettings: MemorySettings | null;
  folders: WatchedFolder[];
  embedding: EmbeddingState | null;
  settingsError: string | null;
  /** A sentence confirming the last save, for the polite live region. */
  settingsNotice: string | null;
  refreshSettings(): Promise<void>;
  refreshFolders(): Promise<void>;
  setEmbedding(state: EmbeddingState): void;
  saveSettings(patch: SettingsPatch, notice: string): Promise<boolean>;
  addFolder(path: string): Promise<boolean>;
  removeFolder(id: string): Promise<void>;
  installModel(): Promise<void>;
}

/** Memory settings (limits, retention, embedding model) and watched folders. */
export const createSettingsSlice: StateCreator<KeelStore, [], [], SettingsSlice> = (set, get) => {
  const fail = (err: unknown) => set({ settingsError: errorMessage(err), settingsNotice: null });
  return {
    memorySettings: null,
    folders: [],
    embedding: null,
    settingsError: null,
    settingsNotice: null,

    async refreshSettings() {
      const client = keelClient();
      try {
        const [memorySettings, embedding] = await Promise.all([client.call('memory.getSettings'), client.call('embeddings.status')]);
        set({ memorySettings, embedding });
        await get().refreshFolders();
      } catch (err) {
        fail(err);
      }
    },
    async refreshFolders() {
      try {
        set({ folders: (await keelClient().call('folders.list')).folders });
      } catch (err) {
        fail(err);
      }
    },
    setEmbedding: (embedding) => set({ embedding }),

    async saveSettings(patch, notice) {
      try {
        set({ memorySettings: await keelClient().call('memory.setSettings', patch), settingsError: null, settingsNotice: notice });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    async addFolder(path) {
      try {
        const { folder } = await keelClient().call('folders.add', { path });
        set({ settingsError: null, settingsNotice: `Watching ${folder.path}.` });
        await get().refreshFolders();
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    },
    async removeFolder(id) {
      try {
        await keelClient().call('folders.remove', { id });
        set({ settingsError: null, settingsNotice: 'Folder no longer watched; its documents stay.' });
        await get().refreshFolders();
      } catch (err) {
        fail(err);
      }
    },
    async installModel() {
      try {
        set({ embedding: await keelClient().call('embeddings.install'), settingsError: null, settingsNotice: 'Downloading the model…' });
      } catch (err) {
        fail(err);
      }
    },
  };
};

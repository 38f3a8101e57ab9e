import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../../shared/api/contract';
import type { Entity, EntityType } from '../../../shared/domain/memory';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type EntityPageData = CallOutput<'entities.get'>;

export interface EntityFilter {
  type: EntityType | null;
  query: string;
}

export interface EntitiesSlice {
  entities: Entity[];
  entitiesLoaded: boolean;
  entityFilter: EntityFilter;
  entitiesError: string | null;
  entityPage: { id: string; data: EntityPageData | null; error: string | null } | null;
  refreshEntities(): Promise<void>;
  setEntityFilter(patch: Partial<EntityFilter>): void;
  openEntity(id: string): Promise<void>;
  /** Reloads the open entity page if the pushed change is about it (or names no entity). */
  entityChanged(id: string): void;
  revertEntity(id: string, version: number): Promise<void>;
  createEntity(type: EntityType, name: string): Promise<Entity | null>;
}

/** The small knowledge graph: entities by type or name, and one entity's page. */
export const createEntitiesSlice: StateCreator<KeelStore, [], [], EntitiesSlice> = (set, get) => {
  let listGen = 0;
  let pageGen = 0;
  const fail = (err: unknown) => set({ entitiesError: errorMessage(err) });

  return {
    entities: [],
    entitiesLoaded: false,
    entityFilter: { type: null, query: '' },
    entitiesError: null,
    entityPage: null,

    async refreshEntities() {
      const g = ++listGen;
      const { type, query } = get().entityFilter;
      try {
        const { entities } = await keelClient().call('entities.list', { limit: 200, ...(type ? { type } : {}), ...(query.trim() ? { query: query.trim() } : {}) });
        if (g === listGen) set({ entities, entitiesLoaded: true, entitiesError: null });
      } catch (err) {
        if (g === listGen) fail(err);
      }
    },
    setEntityFilter(patch) {
      set({ entityFilter: { ...get().entityFilter, ...patch } });
      void get().refreshEntities();
    },

    async openEntity(id) {
      const g = ++pageGen;
      if (get().entityPage?.id !== id) set({ entityPage: { id, data: null, error: null } });
      try {
        const data = await keelClient().call('entities.get', { id });
        if (g === pageGen) set({ entityPage: { id, data, error: null } });
      } catch (err) {
        if (g === pageGen) set({ entityPage: { id, data: get().entityPage?.data ?? null, error: errorMessage(err) } });
      }
    },
    entityChanged(id) {
      const page = get().entityPage;
      if (page && (page.id === id || !id)) void get().openEntity(page.id);
    },
    async revertEntity(id, version) {
      try {
        await keelClient().call('entities.revert', { id, version });
        await get().openEntity(id);
      } catch (err) {
        fail(err);
      }
    },
    async createEntity(type, name) {
      try {
        const { entity } = await keelClient().call('entities.upsert', { type, name });
        await get().refreshEntities();
        return entity;
      } catch (err) {
        fail(err);
        return null;
      }
    },
  };
};

import type { StateCreator } from 'zustand';
import type { ConnectionState } from '../api/client';
import type { KeelStore } from './store';

export interface ConnectionSlice {
  connection: ConnectionState;
  setConnection(state: ConnectionState): void;
}

export const createConnectionSlice: StateCreator<KeelStore, [], [], ConnectionSlice> = (set) => ({
  connection: 'connecting',
  setConnection: (connection) => set({ connection }),
});

import { create } from 'zustand';
import { keelClient } from '../api/client';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createNavigationSlice, type NavigationSlice, viewFromHash } from './navigation-slice';
import { createSystemSlice, type SystemSlice } from './system-slice';

export type KeelStore = ConnectionSlice & SystemSlice & NavigationSlice;

/** One bound store made of typed slices; components read it with selectors. */
export const useKeel = create<KeelStore>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createSystemSlice(...a),
  ...createNavigationSlice(...a),
}));

/** Wires pushed events and connection changes from the core into the store. */
export function connectStore(): () => void {
  const client = keelClient();
  const offs = [
    client.onConnection((state) => {
      useKeel.getState().setConnection(state);
      if (state === 'connected') void useKeel.getState().refreshStatus();
    }),
    client.on('system.statusChanged', (status) => useKeel.getState().setStatus(status)),
  ];
  const onHash = () => useKeel.setState({ view: viewFromHash(location.hash) });
  window.addEventListener('hashchange', onHash);
  return () => {
    offs.forEach((off) => off());
    window.removeEventListener('hashchange', onHash);
  };
}

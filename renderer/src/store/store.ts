import { create } from 'zustand';
import { keelClient } from '../api/client';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createNavigationSlice, type NavigationSlice, viewFromHash } from './navigation-slice';
import { createInboxSlice, type InboxSlice } from './inbox-slice';
import { createSystemSlice, type SystemSlice } from './system-slice';
import { createTimelineSlice, type TimelineSlice } from './timeline-slice';

export type KeelStore = ConnectionSlice & SystemSlice & NavigationSlice & InboxSlice & TimelineSlice;

/** One bound store made of typed slices; components read it with selectors. */
export const useKeel = create<KeelStore>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createSystemSlice(...a),
  ...createNavigationSlice(...a),
  ...createInboxSlice(...a),
  ...createTimelineSlice(...a),
}));

/** Coalesces bursts of pushed events into one reload per frame of work. */
function coalesce(fn: () => Promise<void>): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      void fn();
    });
  };
}

/** Wires pushed events and connection changes from the core into the store. */
export function connectStore(): () => void {
  const client = keelClient();
  const store = useKeel.getState;
  const inbox = coalesce(() => store().refreshInbox());
  const timeline = coalesce(() => store().refreshTimeline());
  const offs = [
    client.onConnection((state) => {
      store().setConnection(state);
      if (state !== 'connected') return;
      void store().refreshStatus();
      inbox();
      timeline();
    }),
    client.on('system.statusChanged', (status) => store().setStatus(status)),
    client.on('approvals.changed', inbox),
    client.on('escalations.changed', inbox),
    client.on('deadLetters.changed', inbox),
    client.on('ledger.appended', timeline),
  ];
  const onHash = () => useKeel.setState({ view: viewFromHash(location.hash) });
  window.addEventListener('hashchange', onHash);
  return () => {
    offs.forEach((off) => off());
    window.removeEventListener('hashchange', onHash);
  };
}

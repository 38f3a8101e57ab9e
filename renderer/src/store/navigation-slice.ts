import type { StateCreator } from 'zustand';
import { isViewId, type ViewId } from '../views/registry';
import type { KeelStore } from './store';

export interface NavigationSlice {
  view: ViewId;
  navigate(view: ViewId): void;
}

/** The view lives in the URL hash (#/timeline) so a reload or a shared link keeps it. */
export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return isViewId(id) ? id : 'inbox';
}

export const createNavigationSlice: StateCreator<KeelStore, [], [], NavigationSlice> = (set) => ({
  view: viewFromHash(location.hash),
  navigate(view) {
    if (location.hash !== `#/${view}`) location.hash = `#/${view}`;
    set({ view });
  },
});

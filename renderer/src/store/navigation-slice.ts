import type { StateCreator } from 'zustand';
import { href, routeFromHash, type Route } from '../routes';
import type { ViewId } from '../views/registry';
import type { KeelStore } from './store';

export interface NavigationSlice {
  view: ViewId;
  route: Route;
  navigate(view: ViewId): void;
  /** Goes to a hash built by `routes.ts` (`#/documents/<id>`). */
  go(hash: string): void;
  /** Follows the URL hash after the browser changed it (links, back button). */
  syncRoute(): void;
}

/** The view lives in the URL hash (#/timeline) so a reload or a shared link keeps it. */
export function viewFromHash(hash: string): ViewId {
  return routeFromHash(hash).view;
}

export const createNavigationSlice: StateCreator<KeelStore, [], [], NavigationSlice> = (set, get) => {
  const initial = routeFromHash(location.hash);
  return {
    view: initial.view,
    route: initial,
    navigate: (view) => get().go(href(view)),
    go(hash) {
      if (location.hash !== hash) location.hash = hash;
      get().syncRoute();
    },
    syncRoute() {
      const route = routeFromHash(location.hash);
      set({ view: route.view, route });
    },
  };
};

import Store from 'electron-store';
import type { Bounds } from './window';

interface Preferences {
  windowBounds: Bounds;
  notifications: boolean;
}

const DEFAULT_BOUNDS: Bounds = { width: 1200, height: 800 };

/** Window bounds and UI preferences, kept by electron-store in the user data folder. */
export function openPreferences() {
  const store = new Store<Preferences>({
    name: 'preferences',
    defaults: { windowBounds: DEFAULT_BOUNDS, notifications: true },
    schema: {
      windowBounds: {
        type: 'object',
        properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number', minimum: 200 }, height: { type: 'number', minimum: 200 } },
        required: ['width', 'height'],
      },
      notifications: { type: 'boolean' },
    },
    clearInvalidConfig: true,
  });
  return {
    bounds: () => store.get('windowBounds'),
    saveBounds: (bounds: Bounds) => store.set('windowBounds', bounds),
    notificationsEnabled: () => store.get('notifications'),
  };
}

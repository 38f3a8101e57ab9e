import { useEffect } from 'react';
import { useKeyboardCommands } from '../commands/bindings';
import { ShortcutsDialog } from '../commands/ShortcutsDialog';
import { connectStore, useKeel } from '../store/store';
import { ViewOutlet } from '../views/ViewOutlet';
import { DropOverlay } from './DropOverlay';
import { Nav } from './Nav';
import { StatusBar } from './StatusBar';
import { UploadTray } from './UploadTray';
import { useBrowserNotifications } from './useBrowserNotifications';
import { useTheme } from './useTheme';

/** The window title carries the count of what waits for the operator (the tray does too, in the desktop app). */
function useTitleCount(): void {
  const total = useKeel((s) => s.inboxCounts.total);
  useEffect(() => {
    document.title = total > 0 ? `Keel (${total})` : 'Keel';
  }, [total]);
}

export function App() {
  useEffect(() => connectStore(), []);
  useKeyboardCommands();
  useTitleCount();
  useTheme();
  useBrowserNotifications();
  return (
    <div className="frame">
      <Nav />
      <main className="content">
        <ViewOutlet />
      </main>
      <StatusBar />
      <UploadTray />
      <DropOverlay />
      <ShortcutsDialog />
    </div>
  );
}

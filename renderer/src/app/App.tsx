import { useEffect } from 'react';
import { connectStore } from '../store/store';
import { ViewOutlet } from '../views/ViewOutlet';
import { DropOverlay } from './DropOverlay';
import { Nav } from './Nav';
import { StatusBar } from './StatusBar';
import { UploadTray } from './UploadTray';

export function App() {
  useEffect(() => connectStore(), []);
  return (
    <div className="frame">
      <Nav />
      <main className="content">
        <ViewOutlet />
      </main>
      <StatusBar />
      <UploadTray />
      <DropOverlay />
    </div>
  );
}

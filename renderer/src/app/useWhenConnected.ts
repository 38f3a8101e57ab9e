import { useEffect } from 'react';
import { useKeel } from '../store/store';

/**
 * Runs `load` once connected, and again after every reconnect: a view mounted before the
 * socket is up (a reload) or while it is down would otherwise keep its failed first load.
 */
export function useWhenConnected(load: () => unknown, deps: readonly unknown[]): void {
  const connected = useKeel((s) => s.connection === 'connected');
  useEffect(() => {
    if (connected) void load();
    // `load` is recreated by callers each render; `deps` say when it means something new.
  }, [connected, ...deps]);
}

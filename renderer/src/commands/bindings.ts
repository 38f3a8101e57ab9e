import { useEffect, useLayoutEffect, useRef } from 'react';
import { commandsForKey, type CommandId } from './registry';

/** The handlers of the mounted views, the most recently bound first. */
const bound = new Map<CommandId, (() => void)[]>();

/**
 * Binds a command while the calling component is mounted (and `enabled`); buttons call the same
 * function. Bound as the view is committed, before it is painted: a key pressed as soon as the
 * view shows reaches it.
 */
export function useCommand(id: CommandId, run: () => void, enabled = true): void {
  const latest = useRef(run);
  latest.current = run;
  useLayoutEffect(() => {
    if (!enabled) return;
    const handler = () => latest.current();
    bound.set(id, [handler, ...(bound.get(id) ?? [])]);
    return () => {
      bound.set(id, (bound.get(id) ?? []).filter((h) => h !== handler));
    };
  }, [id, enabled]);
}

export const isBound = (id: CommandId): boolean => (bound.get(id)?.length ?? 0) > 0;

/** Runs a command by id (a button, a key, a menu); false when no view binds it now. */
export function runCommand(id: CommandId): boolean {
  const handler = bound.get(id)?.[0];
  handler?.();
  return handler !== undefined;
}

/** The one keyboard listener: a key runs the first bound command it means. */
export function useKeyboardCommands(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = commandsForKey(e).find(isBound);
      if (!id) return;
      e.preventDefault();
      runCommand(id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

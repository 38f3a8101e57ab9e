/**
 * Runs `fn` at most once per `ms` however often it is asked, and never twice at once: a
 * burst of a thousand pushed events becomes a handful of reloads, the last one after the
 * burst, so what is shown ends up current.
 */
export function throttle(fn: () => Promise<void>, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    timer ??= setTimeout(() => void run(), ms);
  };
  return schedule;
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Time as the kernel sees it. The system clock in production; tests drive a manual clock so
 * that schedules and durable sleeps are checked without waiting.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once at (or after) `at` (ms since epoch); returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    // Long waits are chained: setTimeout overflows past 2^31 ms.
    let timer: NodeJS.Timeout;
    const arm = () => {
      const wait = at - Date.now();
      if (wait <= 0) return fn();
      timer = setTimeout(arm, Math.min(wait, 2 ** 30));
      timer.unref?.();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void }[] = [];
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  at(at: number, fn: () => void): () => void {
    const timer = { at, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  /** Moves time forward to `to`, firing due timers in order. */
  set(to: number): void {
    this.current = to;
    const due = this.timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > to);
    for (const t of due) t.fn();
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
}

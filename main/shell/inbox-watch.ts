import type { CallOutput, EventName } from '../../shared/api/contract';
import type { InboxItem, InboxItemKind, Preferences } from '../../shared/domain/inbox';
import type { Core } from '../core/host/core';

/** What the watch needs of the core: the same `call` and `subscribe` every transport uses. */
export type InboxSource = Pick<Core, 'call' | 'subscribe'>;

/** One OS notification; clicking it opens the app at `route`. */
export interface InboxNotice {
  title: string;
  body: string;
  agent: string | null;
  route: string;
}

export interface InboxWatchOutputs {
  /** The tray's count; follows the inbox whatever the notification preferences say. */
  setWaiting(count: number): void;
  notify(notice: InboxNotice): void;
}

export interface InboxWatchOptions {
  /** Events within this delay share one `inbox.list` call. */
  refreshDelayMs?: number;
  /** After a failed call, the next try (the tray count stays as it was meanwhile). */
  retryMs?: number;
  /** New items counted together for grouping. */
  groupWindowMs?: number;
  /** Up to this many new items in a window notify one by one; more become one notice. */
  maxSingles?: number;
  limit?: number;
  now?: () => number;
  log?: (message: string) => void;
}

/** The renderer's route to the inbox, at one item when given (as renderer/src/routes.ts writes it). */
export function inboxRoute(itemId?: string): string {
  return itemId === undefined ? '#/inbox' : `#/inbox/${encodeURIComponent(itemId)}`;
}

const INBOX_EVENTS = new Set<EventName>(['approvals.changed', 'escalations.changed', 'deadLetters.changed']);
const KIND_TITLE: Record<InboxItemKind, string> = {
  approval: 'Approval needed',
  escalation: 'A run needs you',
  dead_letter: 'A run was parked',
};
const KIND_NOUN: Record<InboxItemKind, [one: string, many: string]> = {
  approval: ['approval', 'approvals'],
  escalation: ['escalation', 'escalations'],
  dead_letter: ['dead letter', 'dead letters'],
};
/** Ids remembered beyond the current list, so an item that leaves and comes back is not new. */
const SEEN_CAP = 5000;

export function itemNotice(item: InboxItem): InboxNotice {
  return { title: item.title.trim() || KIND_TITLE[item.kind], body: item.summary, agent: item.agent, route: inboxRoute(item.id) };
}

export function groupNotice(kinds: Map<InboxItemKind, number>): InboxNotice {
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  const parts = [...kinds].map(([kind, n]) => `${n} ${KIND_NOUN[kind][n === 1 ? 0 : 1]}`);
  return { title: `${total} items wait for you`, body: parts.join(' · '), agent: null, route: inboxRoute() };
}

interface GroupWindow {
  kinds: Map<InboxItemKind, number>;
  count: number;
  /** The count the last grouped notice showed; 0 while items still go one by one. */
  announced: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Keeps the tray count and the OS notifications in step with the inbox. Pushed
 * approvals/escalations/deadLetters events only say "something changed", so each burst of
 * them becomes one `inbox.list` call; items whose id was not seen before are new and may pop
 * up. Items already there at start-up only count. Plain class, no Electron: the shell hands
 * it the core and a tray/notifier, tests hand it fakes.
 */
export class InboxWatch {
  private readonly refreshDelayMs: number;
  private readonly retryMs: number;
  private readonly groupWindowMs: number;
  private readonly maxSingles: number;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly seen = new Set<string>();
  /** When the first successful list was asked for; null until then (that list is the baseline). */
  private baselineAt: number | null = null;
  private notifications: Preferences['notifications'] | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private refreshing = false;
  private dirty = false;
  private window: GroupWindow | null = null;
  private lastError: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly core: InboxSource,
    private readonly out: InboxWatchOutputs,
    options: InboxWatchOptions = {},
  ) {
    this.refreshDelayMs = options.refreshDelayMs ?? 500;
    this.retryMs = options.retryMs ?? 30_000;
    this.groupWindowMs = options.groupWindowMs ?? 10_000;
    this.maxSingles = options.maxSingles ?? 3;
    this.limit = options.limit ?? 50;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.warn(`[shell] ${message}`));
  }

  /** Subscribes and takes the baseline at once (call when the core's database is ready). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.core.subscribe((event, payload) => this.onEvent(event, payload));
    this.schedule(0);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.window) clearTimeout(this.window.timer);
    this.timer = null;
    this.window = null;
  }

  private onEvent(event: EventName, payload: unknown): void {
    if (event === 'preferences.changed') this.notifications = (payload as Preferences).notifications;
    else if (INBOX_EVENTS.has(event)) this.schedule(this.refreshDelayMs);
  }

  /** One pending refresh at a time; events during a call ask for one more after it. */
  private schedule(delayMs: number): void {
    if (!this.unsubscribe) return;
    if (this.refreshing) {
      this.dirty = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    this.refreshing = true;
    let ok = false;
    try {
      ok = await this.refreshOnce();
    } catch (err) {
      this.log(`the inbox watch failed: ${(err as Error).message}`);
    } finally {
      this.refreshing = false;
    }
    if (this.dirty || !ok) this.schedule(this.dirty ? this.refreshDelayMs : this.retryMs);
    this.dirty = false;
  }

  private async refreshOnce(): Promise<boolean> {
    const askedAt = this.now();
    if (!this.notifications) await this.loadPreferences();
    const result = await this.core.call('inbox.list', { limit: this.limit });
    if (!this.unsubscribe) return true; // stopped meanwhile
    if (!result.ok) {
      // Said once per distinct failure: a core without the call yet must not flood the log.
      if (result.error.message !== this.lastError) this.log(`the inbox could not be read: ${result.error.message}`);
      this.lastError = result.error.message;
      return false;
    }
    this.lastError = null;
    const { items, counts } = result.output as CallOutput<'inbox.list'>;
    this.out.setWaiting(counts.total);
    const fresh = this.takeFresh(items, askedAt);
    if (fresh.length > 0 && this.mayPopUp()) this.announce(fresh);
    return true;
  }

  private async loadPreferences(): Promise<void> {
    const result = await this.core.call('preferences.get', {});
    // A preferences.changed pushed while this call was under way is newer: it wins.
    if (result.ok) this.notifications ??= (result.output as Preferences).notifications;
  }

  /**
   * Until the preferences are known nothing pops up: better a missed pop-up than one that
   * breaks Do not disturb. The tray count does not wait for them.
   */
  private mayPopUp(): boolean {
    return this.notifications !== null && this.notifications.enabled && !this.notifications.doNotDisturb;
  }

  /**
   * The items not seen before, remembering all of them. The first list is the baseline and
   * yields nothing; later, an item created before the baseline is not new either: it was
   * there at start-up but below the list's limit, and surfaces only because others went.
   */
  private takeFresh(items: InboxItem[], askedAt: number): InboxItem[] {
    const baseline = this.baselineAt;
    this.baselineAt ??= askedAt;
    const fresh = baseline === null ? [] : items.filter((i) => !this.seen.has(i.id) && !(Date.parse(i.createdAt) < baseline));
    for (const item of items) this.remember(item.id);
    return fresh;
  }

  private remember(id: string): void {
    this.seen.delete(id); // re-inserted last: the oldest ids are dropped first
    this.seen.add(id);
    if (this.seen.size > SEEN_CAP) this.seen.delete(this.seen.values().next().value as string);
  }

  /**
   * Up to `maxSingles` new items in a window notify one by one; the item that goes past
   * that turns the window into one grouped notice ("5 items wait for you"), and items after
   * it wait for the window's end, which says the final count once, if it grew.
   */
  private announce(fresh: InboxItem[]): void {
    const window = this.openWindow();
    window.count += fresh.length;
    for (const item of fresh) window.kinds.set(item.kind, (window.kinds.get(item.kind) ?? 0) + 1);
    if (window.announced === 0 && window.count <= this.maxSingles) {
      for (const item of fresh) this.out.notify(itemNotice(item));
    } else if (window.announced === 0) {
      window.announced = window.count;
      this.out.notify(groupNotice(window.kinds));
    }
  }

  private openWindow(): GroupWindow {
    if (this.window) return this.window;
    const timer = setTimeout(() => this.closeWindow(), this.groupWindowMs);
    this.window = { kinds: new Map(), count: 0, announced: 0, timer };
    return this.window;
  }

  private closeWindow(): void {
    const window = this.window;
    this.window = null;
    if (window && window.announced > 0 && window.count > window.announced && this.mayPopUp()) this.out.notify(groupNotice(window.kinds));
  }
}

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ApiResult } from '../../shared/api/errors';
import type { EventName } from '../../shared/api/contract';
import { DEFAULT_PREFERENCES, type InboxItem, type InboxItemKind, type Preferences } from '../../shared/domain/inbox';

vi.mock('electron', () => import('../support/electron-double'));

const { BrowserWindow, Notification } = await import('../support/electron-double');
const { InboxWatch, inboxRoute } = await import('../../main/shell/inbox-watch');
const { showInboxNotice } = await import('../../main/shell/notifications');
const { revealWindow } = await import('../../main/shell/window');
type Notice = import('../../main/shell/inbox-watch').InboxNotice;

const EVENT_OF: Record<InboxItemKind, EventName> = {
  approval: 'approvals.changed',
  escalation: 'escalations.changed',
  dead_letter: 'deadLetters.changed',
};

let nextId = 1;
function item(kind: InboxItemKind, agent: string | null = 'writer'): InboxItem {
  const id = `${kind}_${nextId++}`;
  return {
    id,
    kind,
    subkind: kind === 'approval' ? 'effect' : 'step_failed',
    title: `Title of ${id}`,
    summary: `Summary of ${id}`,
    agent,
    app: null,
    workflow: 'wf',
    risk: 'high',
    runId: `run_${id}`,
    stepNo: 1,
    failure: null,
    createdAt: new Date(Date.now()).toISOString(),
  };
}

/** The core as the watch sees it: inbox.list over `items`, preferences, pushed events. */
class FakeCore {
  items: InboxItem[] = [];
  prefs: Preferences = structuredClone(DEFAULT_PREFERENCES);
  calls: string[] = [];
  listFailure: string | null = null;
  prefsFail = false;
  /** When set, inbox.list answers only once it resolves (a call in flight). */
  gate: Promise<void> | null = null;
  private listener: ((event: EventName, payload: unknown) => void) | null = null;

  async call(method: unknown, input: unknown): Promise<ApiResult> {
    this.calls.push(method as string);
    if (method === 'preferences.get') {
      return this.prefsFail ? { ok: false, error: { code: 'unavailable', message: 'not yet' } } : { ok: true, output: structuredClone(this.prefs) };
    }
    expect(method).toBe('inbox.list');
    expect(input).toEqual({ limit: 50 });
    if (this.gate) await this.gate;
    if (this.listFailure) return { ok: false, error: { code: 'internal', message: this.listFailure } };
    const count = (k: InboxItemKind) => this.items.filter((i) => i.kind === k).length;
    const counts = { approvals: count('approval'), escalations: count('escalation'), deadLetters: count('dead_letter'), total: this.items.length };
    return { ok: true, output: { items: this.items.slice(0, 50), counts } };
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }

  emit(event: EventName, payload: unknown = { id: 'x' }): void {
    this.listener?.(event, payload);
  }

  add(...items: InboxItem[]): void {
    this.items.push(...items);
    for (const i of items) this.emit(EVENT_OF[i.kind], { id: i.id });
  }

  setPrefs(notifications: Partial<Preferences['notifications']>): void {
    this.prefs = { ...this.prefs, notifications: { ...this.prefs.notifications, ...notifications } };
    this.emit('preferences.changed', this.prefs);
  }

  listCalls(): number {
    return this.calls.filter((c) => c === 'inbox.list').length;
  }
}

let core: FakeCore;
let notices: Notice[];
let waiting: number[];
let logs: string[];
let watch: InstanceType<typeof InboxWatch>;

function startWatch(outputs?: { notify?: (n: Notice) => void }): void {
  watch = new InboxWatch(core as never, { setWaiting: (n) => waiting.push(n), notify: outputs?.notify ?? ((n) => notices.push(n)) }, { log: (m) => logs.push(m) });
  watch.start();
}
/** Lets timers and the fake core's answers run; the watch's refresh delay is 500 ms. */
const settle = (ms = 600) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2025-05-01T09:00:00Z'));
  core = new FakeCore();
  notices = [];
  waiting = [];
  logs = [];
});
afterEach(() => {
  watch?.stop();
  vi.useRealTimers();
});

describe('inbox watch: tray count', () => {
  test('items there at start-up only count: no notification', async () => {
    core.items.push(item('approval'), item('escalation'), item('dead_letter'));
    startWatch();
    await settle(0);
    expect(waiting.at(-1)).toBe(3);
    expect(notices).toEqual([]);
  });

  test('the count follows the inbox as items come and go', async () => {
    startWatch();
    await settle(0);
    expect(waiting.at(-1)).toBe(0);
    const a = item('approval');
    core.add(a, item('approval'));
    await settle();
    expect(waiting.at(-1)).toBe(2);
    core.items = core.items.filter((i) => i !== a);
    core.emit('approvals.changed');
    await settle();
    expect(waiting.at(-1)).toBe(1);
  });

  test('a burst of 100 events makes one call, and events during a call make one more', async () => {
    startWatch();
    await settle(0);
    expect(core.listCalls()).toBe(1);
    for (let n = 0; n < 100; n++) core.emit(EVENT_OF[(['approval', 'escalation', 'dead_letter'] as const)[n % 3]!]);
    await settle();
    expect(core.listCalls()).toBe(2);

    let open!: () => void;
    core.gate = new Promise((resolve) => (open = resolve));
    core.emit('approvals.changed');
    await settle();
    expect(core.listCalls()).toBe(3); // in flight, held by the gate
    for (let n = 0; n < 100; n++) core.emit('escalations.changed');
    core.gate = null;
    open();
    await settle();
    expect(core.listCalls()).toBe(4);
    await settle(5_000);
    expect(core.listCalls()).toBe(4);
  });

  test('other events do not read the inbox', async () => {
    startWatch();
    await settle(0);
    core.emit('runs.changed');
    core.emit('ledger.appended' as EventName);
    await settle();
    expect(core.listCalls()).toBe(1);
  });

  test('a failing inbox is said once and tried again later; the first success is the baseline', async () => {
    core.listFailure = 'inbox.list is not there yet';
    core.items.push(item('approval'));
    startWatch();
    await settle(0);
    await settle(30_000);
    expect(core.listCalls()).toBe(2);
    expect(logs).toEqual(['the inbox could not be read: inbox.list is not there yet']);
    expect(waiting).toEqual([]);
    core.listFailure = null;
    await settle(30_000);
    expect(waiting.at(-1)).toBe(1);
    expect(notices).toEqual([]);
    await settle(60_000);
    expect(core.listCalls()).toBe(3); // no more retries once it works
  });
});

describe('inbox watch: notifications', () => {
  test('a new approval notifies with its title, summary and agent, pointing at its item', async () => {
    startWatch();
    await settle(0);
    const a = item('approval', 'bookkeeper');
    core.add(a);
    await settle();
    expect(notices).toEqual([{ title: a.title, body: a.summary, agent: 'bookkeeper', route: `#/inbox/${a.id}` }]);
    // Seen once is enough: further changes to the same item do not notify again.
    core.emit('approvals.changed', { id: a.id });
    await settle();
    expect(notices).toHaveLength(1);
  });

  test('clicking the notification shows the open window at #/inbox/<id> without reloading it', async () => {
    const win = new BrowserWindow({});
    const open = (route: string) => revealWindow(win as never, route);
    startWatch({ notify: (n) => showInboxNotice(n, open, 'linux') });
    await settle(0);
    const e = item('escalation', null);
    core.add(e);
    await settle();
    expect(Notification).toHaveBeenLastCalledWith({ title: e.title, body: e.summary });
    const note = Notification.mock.instances.at(-1) as unknown as { emit: (event: string) => void };
    note.emit('click');
    expect(win.webContents.executeJavaScript).toHaveBeenCalledWith(`location.hash = "#/inbox/${e.id}"`);
    expect(win.loadURL).not.toHaveBeenCalled();
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
  });

  test('ids with reserved characters are escaped in the route', () => {
    expect(inboxRoute('a/b c#d')).toBe('#/inbox/a%2Fb%20c%23d');
    expect(inboxRoute()).toBe('#/inbox');
  });

  test('Do not disturb and disabled notifications suppress pop-ups; the count still follows', async () => {
    core.prefs.notifications.doNotDisturb = true;
    startWatch();
    await settle(0);
    core.add(item('approval'));
    await settle();
    expect(waiting.at(-1)).toBe(1);
    expect(notices).toEqual([]);

    core.setPrefs({ doNotDisturb: false, enabled: false });
    core.add(item('dead_letter'));
    await settle();
    expect(waiting.at(-1)).toBe(2);
    expect(notices).toEqual([]);

    // Turning them back on does not replay what arrived meanwhile; the next new item pops up.
    core.setPrefs({ enabled: true });
    core.emit('approvals.changed');
    await settle();
    expect(notices).toEqual([]);
    const next = item('escalation');
    core.add(next);
    await settle();
    expect(notices.map((n) => n.route)).toEqual([`#/inbox/${next.id}`]);
  });

  test('while the preferences cannot be read nothing pops up, but the count shows', async () => {
    core.prefsFail = true;
    startWatch();
    await settle(0);
    core.add(item('approval'));
    await settle();
    expect(waiting.at(-1)).toBe(1);
    expect(notices).toEqual([]);
    core.prefsFail = false;
    core.add(item('approval'));
    await settle();
    expect(notices).toHaveLength(1);
  });

  test('more than 3 new items at once become one grouped notice that opens the inbox', async () => {
    startWatch();
    await settle(0);
    core.add(item('approval'), item('approval'), item('approval'), item('escalation'), item('dead_letter'));
    await settle();
    expect(notices).toEqual([{ title: '5 items wait for you', body: '3 approvals · 1 escalation · 1 dead letter', agent: null, route: '#/inbox' }]);
    await settle(20_000);
    expect(notices).toHaveLength(1); // nothing more arrived: the window closes quietly
  });

  test('within one window: singles up to 3, then one grouped notice, then one final count at its end', async () => {
    startWatch();
    await settle(0);
    core.add(item('approval'), item('approval'));
    await settle(); // t ≈ 0.6 s: window opens
    expect(notices.map((n) => n.route.startsWith('#/inbox/'))).toEqual([true, true]);
    await settle(2_000);
    core.add(item('escalation'), item('escalation'));
    await settle(); // 4 in the window: grouped
    expect(notices.at(-1)).toMatchObject({ title: '4 items wait for you', route: '#/inbox' });
    expect(notices).toHaveLength(3);
    core.add(item('dead_letter'));
    await settle();
    core.add(item('dead_letter'));
    await settle();
    expect(notices).toHaveLength(3); // held for the window's end
    await settle(10_000);
    expect(notices).toHaveLength(4);
    expect(notices.at(-1)).toMatchObject({ title: '6 items wait for you', body: '2 approvals · 2 escalations · 2 dead letters' });
  });

  test('new items in separate windows each notify on their own', async () => {
    startWatch();
    await settle(0);
    core.add(item('approval'), item('approval'));
    await settle();
    await settle(11_000);
    core.add(item('approval'), item('approval'));
    await settle();
    expect(notices).toHaveLength(4);
    expect(notices.every((n) => /^#\/inbox\/approval_\d+$/.test(n.route))).toBe(true);
  });

  test('an item older than start-up that surfaces when others leave the list is not new', async () => {
    const old = Array.from({ length: 51 }, () => item('approval')); // one more than the list shows
    core.items.push(...old);
    vi.setSystemTime(Date.now() + 1_000);
    startWatch();
    await settle(0);
    expect(waiting.at(-1)).toBe(51);
    vi.setSystemTime(Date.now() + 60_000);
    core.items.shift(); // the 51st now shows
    core.emit('approvals.changed');
    await settle();
    expect(waiting.at(-1)).toBe(50);
    expect(notices).toEqual([]);
  });

  test('stopping ends the subscription and pending timers', async () => {
    startWatch();
    await settle(0);
    watch.stop();
    core.add(item('approval'));
    await settle(60_000);
    expect(core.listCalls()).toBe(1);
    expect(notices).toEqual([]);
  });
});

import { useEffect, useRef } from 'react';
import type { InboxItem } from '../../../shared/domain/inbox';
import { keelClient } from '../api/client';
import { href } from '../routes';
import { useKeel } from '../store/store';

/** More new items than this at once make one grouped notification. */
const GROUP_AT = 4;

function show(title: string, body: string, target: string, tag: string): void {
  const n = new Notification(title, { body, tag });
  n.onclick = () => {
    window.focus();
    useKeel.getState().go(target);
    n.close();
  };
}

/**
 * In a browser, new approvals and escalations raise Web Notifications (the desktop app's shell
 * raises OS ones instead). Items already there when the page opens do not; "do not disturb"
 * and a denied permission keep quiet, and a burst becomes one notification.
 */
export function useBrowserNotifications(): void {
  const items = useKeel((s) => s.inboxItems);
  const loaded = useKeel((s) => s.inboxLoaded);
  const prefs = useKeel((s) => s.preferences);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!loaded) return;
    const before = seen.current;
    seen.current = new Set([...(before ?? []), ...items.map((i) => i.id)]);
    if (!before || keelClient().transport === 'ipc' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (!prefs?.notifications.enabled || prefs.notifications.doNotDisturb) return;
    const fresh: InboxItem[] = items.filter((i) => !before.has(i.id));
    if (fresh.length >= GROUP_AT) return show(`Keel: ${fresh.length} items wait for you`, fresh.map((i) => i.title).slice(0, 3).join(' · '), href('inbox'), 'keel-group');
    for (const i of fresh) show(`Keel: ${i.title}`, `${i.summary}${i.agent ? ` (${i.agent})` : ''}`, href('inbox', [i.id]), i.id);
  }, [items, loaded, prefs]);
}

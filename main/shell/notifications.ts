import { Notification, type NotificationConstructorOptions } from 'electron';
import type { InboxNotice } from './inbox-watch';

export interface Escalation {
  title: string;
  body: string;
}

/**
 * Notifications still on screen. Electron loses a notification's click handler when the
 * object is garbage-collected (the OS keeps showing it), so each is held until clicked or
 * closed; the cap bounds the ones the operator never touches.
 */
const live = new Set<Notification>();
const LIVE_CAP = 50;

function keep(note: Notification): () => void {
  live.add(note);
  if (live.size > LIVE_CAP) live.delete(live.values().next().value as Notification);
  return () => live.delete(note);
}

/** An OS notification for something that needs the operator; clicking it opens the app. */
export function notifyEscalation(escalation: Escalation, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  const note = new Notification({ title: escalation.title, body: escalation.body, urgency: 'critical' });
  const forget = keep(note);
  note.on('click', () => {
    forget();
    onClick();
  });
  note.on('close', forget);
  note.show();
  return true;
}

/** macOS has a subtitle line for the agent; elsewhere the agent goes on a line under the summary. */
export function noticeOptions(notice: InboxNotice, platform: NodeJS.Platform = process.platform): NotificationConstructorOptions {
  if (platform === 'darwin') return { title: notice.title, body: notice.body, ...(notice.agent ? { subtitle: notice.agent } : {}) };
  return { title: notice.title, body: notice.agent ? `${notice.body}\nAgent: ${notice.agent}` : notice.body };
}

/** An inbox notice as an OS notification; clicking it opens the app at the notice's route. */
export function showInboxNotice(notice: InboxNotice, open: (route: string) => void, platform: NodeJS.Platform = process.platform): boolean {
  if (!Notification.isSupported()) return false;
  const note = new Notification(noticeOptions(notice, platform));
  const forget = keep(note);
  note.on('click', () => {
    forget();
    open(notice.route);
  });
  note.on('close', forget);
  note.on('failed', forget);
  note.show();
  return true;
}

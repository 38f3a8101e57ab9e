import { Notification } from 'electron';

export interface Escalation {
  title: string;
  body: string;
}

/** An OS notification for something that needs the operator; clicking it opens the app. */
export function notifyEscalation(escalation: Escalation, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  const note = new Notification({ title: escalation.title, body: escalation.body, urgency: 'critical' });
  note.on('click', onClick);
  note.show();
  return true;
}

/** Which pushed core events deserve an OS notification, and what it says. */
export function noticeFor(event: string, payload: unknown): Escalation | null {
  const p = (payload ?? {}) as { status?: string; kind?: string; message?: string };
  if (event === 'approvals.changed' && p.status === 'pending') {
    return { title: 'Keel: approval needed', body: 'An agent is waiting for your decision in the Inbox.' };
  }
  if (event === 'escalations.changed' && p.status === 'open') {
    const title = p.kind === 'budget' ? 'Keel: budget cap reached' : p.kind === 'compensation_failed' ? 'Keel: an undo failed' : 'Keel: a run needs you';
    return { title, body: p.message ?? 'Open the Inbox to decide what happens next.' };
  }
  if (event === 'deadLetters.changed' && p.status === 'open') {
    return { title: 'Keel: a run was parked', body: 'It failed for good; retry, edit or discard it in the Inbox.' };
  }
  return null;
}

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

import { MAX_FOLDERS, type ImapAccountInput, type ImapSettingsView } from '../../../../../shared/domain/imap';

export type ImapAccountView = ImapSettingsView['accounts'][number];

/** An account form's fields as typed (numbers as text until they are checked). */
export interface AccountDraft {
  id?: string;
  label: string;
  host: string;
  port: string;
  secure: boolean;
  user: string;
  password: string;
  folders: string;
  enabled: boolean;
  pollSeconds: string;
  backfill: string;
}

export const toAccountDraft = (a: ImapAccountView | null): AccountDraft =>
  a
    ? { id: a.id, label: a.label, host: a.host, port: String(a.port), secure: a.secure, user: a.user, password: '', folders: a.folders.join(', '), enabled: a.enabled, pollSeconds: String(a.pollSeconds), backfill: String(a.backfill) }
    : { label: '', host: '', port: '993', secure: true, user: '', password: '', folders: 'INBOX', enabled: true, pollSeconds: '120', backfill: '0' };

const whole = (s: string, min: number, max: number) => (/^\d+$/.test(s.trim()) && Number(s) >= min && Number(s) <= max ? Number(s) : null);
export const HOST = /^[A-Za-z0-9.:[\]-]+$/;
export const folderList = (s: string) => s.split(/[,\n]/).map((f) => f.trim()).filter(Boolean);

/** Each field's problem, by field, in words; empty when the account can be tried and saved. */
export function draftProblems(d: AccountDraft, hasPassword: boolean): Partial<Record<keyof AccountDraft, string>> {
  const p: Partial<Record<keyof AccountDraft, string>> = {};
  if (!HOST.test(d.host.trim())) p.host = 'A host name or IP address.';
  if (whole(d.port, 1, 65_535) === null) p.port = 'A port from 1 to 65535.';
  if (!d.user.trim()) p.user = 'The user name the server expects.';
  if (!hasPassword && !d.password) p.password = 'The password is required.';
  const folders = folderList(d.folders);
  if (folders.length < 1 || folders.length > MAX_FOLDERS) p.folders = `One to ${MAX_FOLDERS} folders, separated by commas.`;
  if (whole(d.pollSeconds, 5, 3600) === null) p.pollSeconds = 'Seconds from 5 to 3600.';
  if (whole(d.backfill, 0, 500) === null) p.backfill = 'A number from 0 to 500.';
  return p;
}

export function toAccountInput(d: AccountDraft): ImapAccountInput {
  return {
    ...(d.id ? { id: d.id } : {}),
    label: d.label.trim(),
    host: d.host.trim(),
    port: Number(d.port),
    secure: d.secure,
    user: d.user.trim(),
    folders: folderList(d.folders),
    enabled: d.enabled,
    pollSeconds: Number(d.pollSeconds),
    backfill: Number(d.backfill),
    ...(d.password ? { password: d.password } : {}),
  };
}

/** A stored account sent back unchanged: its password stays the stored one. */
export const keepAccount = ({ hasPassword: _h, passwordMasked: _m, ...a }: ImapAccountView): ImapAccountInput => a;

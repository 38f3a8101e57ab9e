/** What the IMAP intake tests and the adapters benchmark share: messages to deliver, the account, and the questions they ask a core (no test framework here). */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { ImapAccountInput, ImapFolderStatus } from '../../shared/domain/imap';
import type { Dovecot } from '../support/dovecot';
import { DOCUMENTS } from '../support/fixtures';
import { until, type MemoryCore } from '../support/memory-core';

export const PASSWORD = 'correct horse battery 42';

export function account(server: Dovecot, extra: Partial<ImapAccountInput> = {}): ImapAccountInput {
  return { label: 'Work', host: server.host, port: server.port, secure: false, user: 'keel', password: PASSWORD, folders: ['INBOX'], pollSeconds: 60, ...extra };
}

/** A real RFC 822 message (nodemailer's composer), attachments read from the shared fixtures. */
export async function message(subject: string, options: { text?: string; attach?: string[]; bodyBytes?: number } = {}): Promise<Buffer> {
  const text = options.text ?? `Hello,\n\nthis is "${subject}". Please have a look.\n\nDana`;
  const composer = new MailComposer({
    from: 'Dana Whitfield <dana@northwind.example>',
    to: 'keel@example.com',
    subject,
    messageId: `<${randomUUID()}@northwind.example>`,
    date: new Date(),
    text: options.bodyBytes ? `${text}\n${'x'.repeat(options.bodyBytes)}` : text,
    attachments: (options.attach ?? []).map((name) => ({ filename: name, content: readFileSync(join(DOCUMENTS, name)) })),
  });
  return composer.compile().build();
}

export async function saveAccount(c: MemoryCore, server: Dovecot, extra: Partial<ImapAccountInput> = {}, settings: { maxMessageMb?: number } = {}) {
  return c.call('imap.saveSettings', { enabled: true, ...settings, accounts: [account(server, extra)] });
}

/** The one watched folder's status once `ready` says so. */
export async function folderWhen(c: MemoryCore, what: string, ready: (f: ImapFolderStatus) => boolean, timeoutMs = 30_000): Promise<ImapFolderStatus> {
  return until(
    what,
    async () => {
      const { accounts } = await c.call('imap.status');
      const f = accounts[0]?.folders[0];
      return f && ready(f) ? f : null;
    },
    timeoutMs,
  );
}

/** Waits until `n` messages were taken in and each one's document has started its triage run. */
export async function triagedMessages(c: MemoryCore, n: number, timeoutMs = 60_000) {
  return until(
    `${n} messages taken in and triaged`,
    async () => {
      const { messages } = await c.call('imap.messages', { limit: 1000 });
      return messages.length >= n && messages.every((m) => m.triageRunId) ? messages : null;
    },
    timeoutMs,
  );
}

/** Every triage run, with the document its trigger named. */
export async function triageRuns(c: MemoryCore): Promise<{ id: string; documentId: string | null }[]> {
  const { runs } = await c.call('runs.list', { workflow: 'agent.triage', limit: 500 });
  const out = [];
  for (const r of runs) {
    const { events } = await c.call('runs.get', { id: r.id });
    const started = events.find((e) => e.type === 'run.started')?.data as { trigger?: { payload?: { documentId?: string } } } | undefined;
    out.push({ id: r.id, documentId: started?.trigger?.payload?.documentId ?? null });
  }
  return out;
}

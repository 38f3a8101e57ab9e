import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kernel } from '../kernel/kernel';
import { createSchedule } from '../kernel/operator';
import type { MemoryService } from '../memory/memory';
import { DOCUMENT_INGESTED } from '../memory/documents/documents';

/**
 * The consultant example (DESIGN.md §1): a client with a remembered preferred tone, and
 * meeting notes about it. Ingesting the notes sets off triage → extractor → drafter, and
 * the draft waits in the approval inbox.
 */
export const EXAMPLE_CLIENT = {
  name: 'Northwind Studio',
  contact: 'Dana Whitfield',
  email: 'dana@northwind.example',
  preference: 'Dana Whitfield at Northwind Studio prefers a formal tone in e-mails.',
};

export function exampleNotes(date: string): string {
  return `# Meeting notes: ${EXAMPLE_CLIENT.name} website relaunch

Date: ${date}
Attendees: ${EXAMPLE_CLIENT.contact} (${EXAMPLE_CLIENT.name}), me

## Decisions
- Launch the new site on 2027-01-15.
- Keep the current hosting provider.

## Action items
- Dana: send the final logo files by Friday
- Prepare the revised proposal by 2026-12-04
- Schedule the content workshop

## Notes
- Northwind pays invoices net 30.
`;
}

export async function runConsultantExample(deps: { memory: MemoryService; kernel: Kernel; dataDir: string }): Promise<{ entityId: string; documentId: string; path: string }> {
  const client = await deps.memory.entities.upsert(
    { type: 'client', name: EXAMPLE_CLIENT.name, attributes: { contact: { value: EXAMPLE_CLIENT.contact, type: 'text' }, email: { value: EXAMPLE_CLIENT.email, type: 'email' } } },
    'operator',
  );
  const known = await deps.memory.memories.list({ kinds: ['preference'], entityId: client.id, limit: 50 });
  if (!known.memories.some((m) => m.text === EXAMPLE_CLIENT.preference)) {
    await deps.memory.memories.remember({ kind: 'preference', text: EXAMPLE_CLIENT.preference, entityId: client.id }, 'operator');
  }
  // Dated, so running the example again is a new document (the same bytes would be a duplicate).
  const now = new Date(deps.kernel.clock.now());
  const dir = join(deps.dataDir, 'examples');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `northwind-meeting-${now.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(path, exampleNotes(now.toISOString().slice(0, 16).replace('T', ' ')));
  const [outcome] = await deps.memory.documents.ingestPaths([path]);
  if (!outcome?.documentId) throw new Error(`The example notes could not be queued: ${JSON.stringify(outcome)}`);
  return { entityId: client.id, documentId: outcome.documentId, path };
}

export const AUTO_TRIAGE_SCHEDULE = 'Triage new documents';
const SEEDED_KEY = 'agents.autoTriageSeeded';

/**
 * Every stored document is triaged (and meeting notes go on to the extractor and drafter),
 * but for parts of another (an e-mail's attachments: the e-mail is the item triaged),
 * through an ordinary event schedule the operator can pause or delete like any other; it is
 * created once, so a deleted one stays deleted.
 */
export async function seedAutoTriage(kernel: Kernel): Promise<void> {
  const { rows } = await kernel.db.query('SELECT 1 FROM kernel_settings WHERE key = $1', [SEEDED_KEY]);
  if (rows.length) return;
  const exists = await kernel.db.query('SELECT 1 FROM kernel_schedules WHERE name = $1', [AUTO_TRIAGE_SCHEDULE]);
  if (!exists.rows.length) await createSchedule(kernel, { name: AUTO_TRIAGE_SCHEDULE, workflow: 'agent.triage', input: {}, trigger: { kind: 'event', event: DOCUMENT_INGESTED, where: { partOf: null } }, agent: 'triage' }, 'keel');
  await kernel.db.query(`INSERT INTO kernel_settings (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING`, [SEEDED_KEY]);
}

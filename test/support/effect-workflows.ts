import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './server-process';
import type { TestSocket } from './ws-client';

/**
 * Workflows the browser tests start through the API, one adapter effect each, written as a
 * module for the built server's --workflows (inside the project, so `zod` resolves).
 */
const SOURCE = `// Written by test/support/effect-workflows.ts: one effect each, through the kernel like any agent's.
import { z } from 'zod';
export const workflows = [
  {
    name: 'e2e.calendar_event',
    version: 1,
    input: z.object({ title: z.string() }),
    permissions: ['calendar.create_event'],
    defaults: { retry: { maxAttempts: 1 }, onExhausted: 'fail' },
    run: (ctx, { title }) => ctx.effect('calendar', 'create_event', { title, allDay: '2030-01-02' }),
  },
  {
    name: 'e2e.write_note',
    version: 1,
    input: z.object({ text: z.string() }),
    permissions: ['files.write'],
    defaults: { retry: { maxAttempts: 1 }, onExhausted: 'fail' },
    run: (ctx, { text }) => ctx.effect('files', 'write', { path: 'notes/connections.txt', content: text }),
  },
];
`;

/** Writes the module as `<name>.mjs` under test-results/e2e and returns its path. */
export function writeEffectWorkflows(name: string): string {
  const path = join(ROOT, 'test-results', 'e2e', `${name}.mjs`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, SOURCE);
  return path;
}

/** Starts a run through the API and waits until it has finished (the kernel pushes each status change). */
export async function runToEnd(socket: TestSocket, workflow: string, input: unknown): Promise<{ status: string; output: unknown; error: { message: string } | null }> {
  const { id } = await socket.output<{ id: string }>('runs.start', { workflow, input });
  await socket.waitForEvent((e) => e.event === 'runs.changed' && (e.payload as { id: string }).id === id && ['succeeded', 'failed'].includes((e.payload as { status: string }).status));
  return (await socket.output<{ run: { status: string; output: unknown; error: { message: string } | null } }>('runs.get', { id })).run;
}

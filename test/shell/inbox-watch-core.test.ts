import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InboxWatch, type InboxNotice } from '../../main/shell/inbox-watch';
import { startMemoryCore, type MemoryCore } from '../support/memory-core';

/**
 * The inbox watch against a real Core (worker, PGlite, the inbox fixture workflows): the
 * contract it relies on (inbox.list, preferences.get, the pushed events) as the core has it.
 * No timers are faked and nothing sleeps: each step waits for the output it expects.
 */
const WORKFLOWS = join(__dirname, '../fixtures/inbox-workflows.ts');
let mc: MemoryCore;
let watch: InboxWatch;
const notices: InboxNotice[] = [];
const counts: number[] = [];
const waiters: { pred: () => boolean; resolve: () => void }[] = [];

function until(pred: () => boolean): Promise<void> {
  if (pred()) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ pred, resolve }));
}
function check(): void {
  for (const w of [...waiters]) {
    if (!w.pred()) continue;
    waiters.splice(waiters.indexOf(w), 1);
    w.resolve();
  }
}

async function pendingDraft(subject: string): Promise<string> {
  const { id: runId } = await mc.call('runs.start', { workflow: 'inbox.draft', input: { subject } });
  const pushed = await mc.waitFor('approvals.changed', (p) => p.runId === runId && p.status === 'pending');
  return pushed.id;
}

beforeAll(async () => {
  mc = await startMemoryCore({ model: null, workflowModules: [WORKFLOWS] });
  watch = new InboxWatch(mc.core, {
    setWaiting: (n) => (counts.push(n), check()),
    notify: (n) => (notices.push(n), check()),
  });
});
afterAll(async () => {
  watch?.stop();
  await mc?.close();
});

describe('inbox watch on a real core', () => {
  test('counts what is there at start-up, notifies what comes after, stays quiet under Do not disturb', async () => {
    await pendingDraft('Before start-up');
    watch.start();
    await until(() => counts.at(-1) === 1);
    expect(notices).toEqual([]);

    const approvalId = await pendingDraft('After start-up');
    await until(() => notices.length === 1);
    expect(notices[0]).toEqual({
      title: 'Send “After start-up”?',
      body: expect.stringContaining('“After start-up”'),
      agent: 'desk-writer',
      route: `#/inbox/${encodeURIComponent(approvalId)}`,
    });
    expect(counts.at(-1)).toBe(2);

    await mc.call('preferences.set', { notifications: { doNotDisturb: true } });
    await mc.waitFor('preferences.changed', (p) => p.notifications.doNotDisturb);
    await pendingDraft('While in Do not disturb');
    // The count and any notice come from the same inbox.list answer, count first.
    await until(() => counts.at(-1) === 3);
    expect(notices).toHaveLength(1);
  });
});

import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { startRun } from '../../main/core/kernel/operator';
import { defineWorkflow } from '../../main/core/kernel/workflow';
import { fromDb, hashRow, type LedgerRow } from '../../main/core/kernel/ledger';
import { startKernel } from './harness';

const wf = defineWorkflow({
  name: 'three',
  version: 1,
  input: z.object({}),
  async run(ctx) {
    for (const s of ['a', 'b', 'c']) await ctx.step(s, () => s);
  },
});

describe('the ledger', () => {
  test('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const h = await startKernel({ workflows: [wf] });
    try {
      await startRun(h.k, { workflow: 'three', input: {} });
      await h.k.idle();
      await expect(h.db.query(`UPDATE kernel_ledger SET type = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE is refused/);
      await expect(h.db.query(`DELETE FROM kernel_ledger WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE is refused/);
      await expect(h.db.exec(`TRUNCATE kernel_ledger`)).rejects.toThrow(/append-only: TRUNCATE is refused/);
      expect(await h.k.ledger.verify(h.db)).toMatchObject({ ok: true, brokenAt: null });
    } finally {
      await h.close();
    }
  });

  test('an event altered behind the trigger is caught by verify at that event', async () => {
    const h = await startKernel({ workflows: [wf] });
    try {
      for (let i = 0; i < 3; i++) await startRun(h.k, { workflow: 'three', input: {} });
      await h.k.idle();
      const total = (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM kernel_ledger')).rows[0]!.n;
      const target = Math.floor(total / 2);
      // As a superuser bypassing the trigger, someone "corrects" a cost.
      await h.db.exec(`ALTER TABLE kernel_ledger DISABLE TRIGGER kernel_ledger_no_update`);
      await h.db.query(`UPDATE kernel_ledger SET cost_usd = 0.01 WHERE seq = $1`, [target]);
      await h.db.exec(`ALTER TABLE kernel_ledger ENABLE TRIGGER kernel_ledger_no_update`);
      const result = await h.k.ledger.verify(h.db);
      expect(result).toEqual({ ok: false, checked: target - 1, brokenAt: target, reason: `event ${target} was altered after it was written` });
    } finally {
      await h.close();
    }
  });

  test('a deleted event shows as a gap at its place', async () => {
    const h = await startKernel({ workflows: [wf] });
    try {
      await startRun(h.k, { workflow: 'three', input: {} });
      await h.k.idle();
      await h.db.exec(`ALTER TABLE kernel_ledger DISABLE TRIGGER kernel_ledger_no_update`);
      await h.db.query(`DELETE FROM kernel_ledger WHERE seq = 3`);
      await h.db.exec(`ALTER TABLE kernel_ledger ENABLE TRIGGER kernel_ledger_no_update`);
      expect(await h.k.ledger.verify(h.db)).toMatchObject({ ok: false, brokenAt: 3, reason: 'event 3 is missing (next is 4)' });
    } finally {
      await h.close();
    }
  });

  test('a forged event with a freshly computed hash still breaks the link to the next one', async () => {
    const h = await startKernel({ workflows: [wf] });
    try {
      await startRun(h.k, { workflow: 'three', input: {} });
      await h.k.idle();
      const { rows } = await h.db.query<LedgerRow & { at: Date }>('SELECT * FROM kernel_ledger WHERE seq = 2');
      const forged = { ...fromDb(rows[0]!), data: { name: 'forged' } };
      const { hash: _old, ...unhashed } = forged;
      await h.db.exec(`ALTER TABLE kernel_ledger DISABLE TRIGGER kernel_ledger_no_update`);
      await h.db.query(`UPDATE kernel_ledger SET data = $1, hash = $2 WHERE seq = 2`, [JSON.stringify(forged.data), hashRow(unhashed)]);
      await h.db.exec(`ALTER TABLE kernel_ledger ENABLE TRIGGER kernel_ledger_no_update`);
      expect(await h.k.ledger.verify(h.db)).toMatchObject({ ok: false, brokenAt: 3, reason: 'event 3 does not link to event 2' });
    } finally {
      await h.close();
    }
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import type { AppManifestInput } from '../../shared/domain/apps';
import type { Assembled } from '../../main/core/host/assemble';
import { startAssembledCore, type AssembledCore } from '../support/assembled-core';
import { decideApproval, resolveEscalation, startRun } from '../../main/core/kernel/operator';
import { until } from '../support/memory-core';
import { DOCUMENTS } from '../support/fixtures';
import { tempDir } from '../support/temp';

let open: AssembledCore | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

/** Keel's core on a fresh data folder (no auto-triage: these tests start their own runs). */
async function start(dir = tempDir()): Promise<{ c: AssembledCore; dir: string }> {
  open = await startAssembledCore(dir);
  return { c: open, dir };
}

/** An app folder holding this manifest (or raw bytes for the manifest file). */
function appFolder(manifest: AppManifestInput | Buffer | string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'keel-app.json'), typeof manifest === 'string' || Buffer.isBuffer(manifest) ? manifest : JSON.stringify(manifest, null, 2));
  return dir;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(ApiError);
  return err as ApiError;
}

async function runEnd(c: Assembled, runId: string, statuses = ['succeeded', 'failed', 'dead_lettered', 'cancelled', 'compensated', 'paused']) {
  return until(`run ${runId} to end`, async () => {
    const { rows } = await c.kernel.db.query<{ status: string; output: unknown; error: { message: string } | null; workflow_version: number }>('SELECT status, output, error, workflow_version FROM kernel_runs WHERE id = $1', [runId]);
    return rows[0] && statuses.includes(rows[0].status) ? rows[0] : undefined;
  });
}

async function pendingApproval(c: Assembled, runId: string) {
  return until('an approval', async () => (await c.kernel.db.query<{ id: string; kind: string }>(`SELECT id, kind FROM kernel_approvals WHERE run_id = $1 AND status = 'pending'`, [runId])).rows[0]);
}

/** A small app: notes written to the workspace and kept as records, on request or by event. */
function notesApp(version: string, extra: Partial<AppManifestInput> = {}): AppManifestInput {
  return {
    id: 'notes',
    name: 'Notes',
    version,
    description: 'Writes a note to the workspace and keeps it as a record.',
    permissions: ['files.write'],
    adapters: [{ name: 'files', major: 1 }],
    agents: [{ name: 'scribe', role: 'Writes notes.', instructions: 'Write the note you are given.', permissions: ['files.write'], approvals: ['files.write'] }],
    entities: [{ name: 'note', schema: { type: 'object', required: ['title', 'body'], properties: { title: { type: 'string' }, body: { type: 'string' } }, additionalProperties: false } }],
    workflows: [
      {
        name: 'write',
        agent: 'scribe',
        steps: [
          { id: 'file', effect: 'files.write', args: { path: 'notes/{{ input.title }}.txt', content: 'v1: {{ input.body }}' } },
          { id: 'keep', record: { entity: 'note', id: '{{ input.title }}', data: { title: '{{ input.title }}', body: '{{ input.body }}' } } },
        ],
        output: { kept: '{{ steps.keep.id }}' },
      },
    ],
    schedules: [{ name: 'on-request', workflow: 'write', trigger: { kind: 'event', event: 'notes.requested' } }],
    settings: [{ key: 'signature', label: 'Signature', type: 'string', default: '—' }],
    ...extra,
  };
}

async function filesAdapterMajor(c: Assembled): Promise<number> {
  return Number(c.kernel.adapters.get('files')!.version.split('.')[0]);
}

describe('apps: install, run, upgrade, uninstall', () => {
  it('installs only with consent to every permission it asks for, registers its parts, runs them, and uninstalling leaves nothing registered', async () => {
    const { c, dir } = await start();
    const major = await filesAdapterMajor(c);
    const folder = appFolder(notesApp('1.0.0', { adapters: [{ name: 'files', major }] }));

    const preview = c.apps.preview({ path: folder });
    expect(preview.problems).toEqual([]);
    expect(preview.permissions).toEqual([{ permission: 'files.write', risk: expect.any(String), new: true }]);
    expect(preview.agents).toEqual([{ name: 'notes-scribe', role: 'Writes notes.', permissions: ['files.write'] }]);

    const noConsent = await refusal(c.apps.install({ path: folder }, []));
    expect(noConsent.code).toBe('conflict');
    expect(noConsent.message).toContain('files.write');
    expect(await c.apps.list()).toEqual([]);

    const app = await c.apps.install({ path: folder }, ['files.write']);
    expect(app).toMatchObject({ id: 'notes', version: '1.0.0', agents: ['notes-scribe'], workflows: ['app.notes.write'], schedules: ['notes:on-request'] });
    expect(c.agents.registry.get('notes-scribe').permissions).toEqual(['files.write']);

    // The subscription starts a run; the agent always asks before writing (its approvals).
    expect(await c.kernel.emitEvent('notes.requested', null)).toBe(1);
    const { rows: started } = await c.kernel.db.query<{ id: string; agent: string; app: string }>(`SELECT id, agent, app FROM kernel_runs WHERE workflow = 'app.notes.write'`);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ agent: 'notes-scribe', app: 'notes' });
    // The event carried no title: the manifest's template gives "" and the record's id is refused, said plainly.
    const manual = await startRun(c.kernel, { workflow: 'app.notes.write', input: { title: 'hello', body: 'first note' } });
    await decideApproval(c.kernel, (await pendingApproval(c, manual.id)).id, { decision: 'approve' });
    const done = await runEnd(c, manual.id);
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ kept: 'hello' });
    expect(readFileSync(join(dir, 'workspace', 'notes', 'hello.txt'), 'utf8')).toBe('v1: first note');
    expect((await c.apps.recordsOf('notes', 'note')).map((r) => r.data)).toEqual([{ title: 'hello', body: 'first note' }]);
    await c.kernel.db.query(`UPDATE kernel_runs SET status = 'cancelled' WHERE id = $1`, [started[0]!.id]);

    const busy = await startRun(c.kernel, { workflow: 'app.notes.write', input: { title: 'later', body: 'x' } });
    await pendingApproval(c, busy.id);
    const refused = await refusal(c.apps.uninstall('notes', { keepData: false }));
    expect(refused.message).toMatch(/1 run\(s\) in flight/);

    const gone = await c.apps.uninstall('notes', { keepData: false, cancelRuns: true });
    expect(gone).toEqual({ cancelledRuns: 1, removedRecords: 1 });
    // Cancelled (not left dead-lettered): its workflow stayed registered until the run had ended.
    expect((await c.kernel.db.query<{ status: string }>('SELECT status FROM kernel_runs WHERE id = $1', [busy.id])).rows[0]!.status).toBe('cancelled');
    expect(await c.apps.list()).toEqual([]);
    expect(c.kernel.workflows.has('app.notes.write')).toBe(false);
    expect(c.agents.registry.list().map((a) => a.name)).not.toContain('notes-scribe');
    const left = await c.kernel.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM kernel_schedules WHERE app = 'notes') + (SELECT count(*) FROM agents WHERE name LIKE 'notes-%') + (SELECT count(*) FROM app_records WHERE app_id = 'notes') + (SELECT count(*) FROM app_versions WHERE app_id = 'notes') AS n`,
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(await c.kernel.emitEvent('notes.requested', null)).toBe(0);
    const { rows: ledger } = await c.kernel.db.query<{ type: string }>(`SELECT type FROM kernel_ledger WHERE type LIKE 'app.%' ORDER BY seq`);
    expect(ledger.map((r) => r.type)).toEqual(['app.installed', 'app.uninstalled']);
  });

  it('upgrades with a data migration while a run is in flight: the run finishes on the version it started on, new runs use the new one, records are migrated', async () => {
    const { c, dir } = await start();
    const major = await filesAdapterMajor(c);
    const adapters = [{ name: 'files', major }];
    await c.apps.install({ path: appFolder(notesApp('1.0.0', { adapters })) }, ['files.write']);
    const first = await startRun(c.kernel, { workflow: 'app.notes.write', input: { title: 'kept', body: 'old body' } });
    await decideApproval(c.kernel, (await pendingApproval(c, first.id)).id, { decision: 'approve' });
    expect((await runEnd(c, first.id)).status).toBe('succeeded');
    const inFlight = await startRun(c.kernel, { workflow: 'app.notes.write', input: { title: 'flight', body: 'started on 1.0.0' } });
    await pendingApproval(c, inFlight.id);

    // 1.1.0 renames body → text, adds a schema version field, and writes "v2:" notes.
    const v2 = notesApp('1.1.0', {
      adapters,
      entities: [{ name: 'note', schema: { type: 'object', required: ['title', 'text', 'format'], properties: { title: { type: 'string' }, text: { type: 'string' }, format: { const: 2 } }, additionalProperties: false } }],
      migrations: [{ to: '1.1.0', entity: 'note', ops: [{ rename: { from: 'body', to: 'text' } }, { set: { field: 'format', value: 2 } }] }],
      workflows: [
        {
          name: 'write',
          agent: 'scribe',
          steps: [
            { id: 'file', effect: 'files.write', args: { path: 'notes/{{ input.title }}.txt', content: 'v2: {{ input.body }} {{ settings.signature }}' } },
            { id: 'keep', record: { entity: 'note', id: '{{ input.title }}', data: { title: '{{ input.title }}', text: '{{ input.body }}', format: 2 } } },
          ],
        },
      ],
    });
    const preview = c.apps.preview({ path: appFolder(v2) });
    expect(preview).toMatchObject({ installed: '1.0.0', version: '1.1.0', migrations: [{ to: '1.1.0', entity: 'note', ops: 2 }] });
    await c.apps.install({ path: appFolder(v2) }, ['files.write']);
    expect((await c.apps.recordsOf('notes', 'note')).map((r) => r.data)).toEqual([{ title: 'kept', text: 'old body', format: 2 }]);

    await decideApproval(c.kernel, (await pendingApproval(c, inFlight.id)).id, { decision: 'approve' });
    const old = await runEnd(c, inFlight.id);
    // The run kept version 1 (it wrote "v1:"); its record, written in 1.0.0's shape, was
    // migrated to the installed version's shape as it was stored.
    expect(old).toMatchObject({ status: 'succeeded', workflow_version: 1 });
    expect(readFileSync(join(dir, 'workspace', 'notes', 'flight.txt'), 'utf8')).toBe('v1: started on 1.0.0');
    expect((await c.apps.recordsOf('notes', 'note')).find((r) => r.id === 'flight')!.data).toEqual({ title: 'flight', text: 'started on 1.0.0', format: 2 });

    const fresh = await startRun(c.kernel, { workflow: 'app.notes.write', input: { title: 'new', body: 'on 1.1.0' } });
    await decideApproval(c.kernel, (await pendingApproval(c, fresh.id)).id, { decision: 'approve' });
    const now = await runEnd(c, fresh.id);
    expect(now).toMatchObject({ status: 'succeeded', workflow_version: 2 });
    expect(readFileSync(join(dir, 'workspace', 'notes', 'new.txt'), 'utf8')).toBe('v2: on 1.1.0 —');

    // A migration that leaves a record the new schema refuses stops the upgrade: nothing changes.
    const bad = notesApp('1.2.0', {
      adapters,
      entities: [{ name: 'note', schema: { type: 'object', required: ['title', 'text', 'format', 'author'], properties: { author: { type: 'string' } } } }],
    });
    const err = await refusal(c.apps.install({ path: appFolder(bad) }, ['files.write']).catch((e: unknown) => Promise.reject(e instanceof ApiError ? e : new ApiError({ code: 'conflict', message: (e as Error).message }))));
    expect(err.message).toMatch(/note record (kept|new) does not fit the new schema.*author.*Nothing was changed/);
    expect((await c.apps.list())[0]!.version).toBe('1.1.0');
  });
});

describe('apps: an agent with its own instructions', () => {
  it('an ask step is a model task of the app’s agent: its answer checked against the step’s schema, recorded with the model call, and refused when it does not fit', async () => {
    const { c } = await start();
    const manifest = (fallback: unknown): AppManifestInput => ({
      id: 'sorter',
      name: 'Sorter',
      version: '1.0.0',
      description: 'Sorts a request into a queue.',
      agents: [{ name: 'clerk', role: 'Sorts requests.', instructions: 'You sort client requests into queues: billing, support or sales.' }],
      workflows: [
        {
          name: 'sort',
          agent: 'clerk',
          steps: [{ id: 'queue', ask: { prompt: 'Which queue does this request belong to?', content: '{{ input.text }}', output: { type: 'object', required: ['queue'], properties: { queue: { enum: ['billing', 'support', 'sales'] } } }, fallback } }],
          output: '{{ steps.queue.queue }}',
        },
      ],
    });
    await c.apps.install({ path: appFolder(manifest({ queue: '{{ input.guess | default: support }}' })) }, []);
    expect(c.agents.registry.get('sorter-clerk').instructions).toBe('You sort client requests into queues: billing, support or sales.');
    const ok = await startRun(c.kernel, { workflow: 'app.sorter.sort', input: { text: 'My invoice is wrong.', guess: 'billing' } });
    expect(await runEnd(c, ok.id)).toMatchObject({ status: 'succeeded', output: 'billing' });
    const { rows } = await c.kernel.db.query<{ data: { name: string; model: { provider: string } } }>(`SELECT data FROM kernel_ledger WHERE run_id = $1 AND type = 'step.completed' AND data ? 'model'`, [ok.id]);
    expect(rows[0]!.data).toMatchObject({ name: 'model:app.sorter.queue', model: { provider: 'builtin' } });

    const wrong = await startRun(c.kernel, { workflow: 'app.sorter.sort', input: { text: 'Hello', guess: 'gardening' } });
    const ended = await runEnd(c, wrong.id, ['succeeded', 'failed', 'dead_lettered', 'paused']);
    expect(ended.status).not.toBe('succeeded');
    expect(ended.error?.message).toMatch(/queue/);
  });
});

describe('apps: manifests with errors', () => {
  it('names each problem where it is', async () => {
    const { c } = await start();
    const broken = appFolder({
      id: 'Bad App',
      name: 'Broken',
      version: '1.0',
      description: 'x',
      permissions: ['email send'],
      agents: [{ name: 'a', role: 'r', instructions: 'i', permissions: [] }],
    } as unknown as AppManifestInput);
    const schema = await refusal(Promise.resolve().then(() => c.apps.preview({ path: broken })));
    expect(schema.code).toBe('invalid_input');
    expect(schema.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['id', 'version', 'permissions[0]']));
    expect(schema.message).toContain('version: a version like 1.2.0');

    const crossed = appFolder({
      id: 'crossed',
      name: 'Crossed',
      version: '1.0.0',
      description: 'refers to things that are not there',
      permissions: ['files.write'],
      adapters: [{ name: 'teleporter', major: 1 }],
      agents: [{ name: 'a', role: 'r', instructions: 'i', permissions: ['email.send'] }],
      entities: [{ name: 'thing', schema: { type: 'no-such-type' } }],
      workflows: [
        {
          name: 'w',
          agent: 'b',
          steps: [
            { id: 's', effect: 'files.write', args: {} },
            { id: 's', call: 'app:missing' },
            { id: 't', record: { entity: 'other', id: '1', data: {} } },
            { id: 'u', value: '{{ now | tomorrow }}' },
          ],
        },
      ],
      schedules: [{ name: 'x', workflow: 'nope', trigger: { kind: 'cron', expr: '0 8 * * *' } }],
    });
    const p = c.apps.preview({ path: crossed });
    expect(p.problems).toEqual(
      expect.arrayContaining([
        'agents[0] (a) asks for email.send, which the app\'s permissions do not list',
        'workflows[0] (w): there is no agent "b" in this app',
        'workflows[0] step "s" is declared twice',
        'workflows[0].steps[1] (s) calls workflow app:missing, which does not exist in this app',
        'workflows[0].steps[2] (t): there is no entity "other" in this app',
        'workflows[0] (w): there is no pipe "tomorrow" (there are addDays, addHours, date, month, iso, pluck, objects, first, count, default, lower, upper)',
        'schedules[0] (x): there is no workflow "nope" in this app',
        'adapter teleporter is needed and this Keel has none',
      ]),
    );
    expect(p.problems.some((x) => x.startsWith('entities[0] (thing).schema is not a JSON Schema'))).toBe(true);
    const install = await refusal(c.apps.install({ path: crossed }, ['files.write']));
    expect(install.issues?.length).toBe(p.problems.length);

    expect((await refusal(Promise.resolve().then(() => c.apps.preview({ path: tempDir() })))).code).toBe('not_found');
    expect((await refusal(Promise.resolve().then(() => c.apps.preview({ path: appFolder('{ "id": "x", ') })))).message).toMatch(/is not valid JSON/);
    expect((await refusal(Promise.resolve().then(() => c.apps.preview({ path: appFolder(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) })))).message).toMatch(/is not UTF-8 text/);
    expect((await refusal(Promise.resolve().then(() => c.apps.preview({ path: 'relative/folder' })))).message).toMatch(/absolute path/);
    expect(await c.apps.list()).toEqual([]);
  });
});

const INVOICES_CSV = `Invoice #,Customer,Issue date,Due date,Amount due,Currency
INV-1042,Northwind Studio,2026-09-20,2026-10-20,"1,200.00",EUR
INV-1043,Contoso Ltd,2026-09-25,2026-10-25,450.00,EUR
INV-1044,Fabrikam,2026-10-01,2026-10-31,"2,300.50",EUR
`;
const PAYMENTS_CSV = `Transaction ID,Booking date,Payer,Reference,Amount
TRX-9001,03/10/2026,NORTHWIND STUDIO GMBH,Payment INV-1042 thank you,"1,200.00"
TRX-9002,24/10/2026,Contoso,October services,400.00
TRX-9003,30/10/2026,Fabrikam Inc.,inv1044,"2,300.50"
`;

describe('the bundled apps', () => {
  it('bookkeeping: CSV files are filed for their month by subscription, and month-end reconciles them and escalates the mismatch', async () => {
    const { c, dir } = await start();
    expect(c.apps.bundled().map((a) => a.id).sort()).toEqual(['bookkeeping', 'client-work']);
    expect(c.apps.preview({ bundled: 'bookkeeping' }).problems).toEqual([]);
    await c.apps.install({ bundled: 'bookkeeping' }, []);

    const paths = Object.entries({ 'invoices-october.csv': INVOICES_CSV, 'bank-payments-october.csv': PAYMENTS_CSV, 'notes.txt': 'not a statement' }).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    await c.memory.documents.ingestPaths(paths);
    const filed = await until('both statements filed', async () => {
      const r = await c.apps.recordsOf('bookkeeping', 'statement');
      return r.length === 2 ? r : undefined;
    });
    const month = new Date().toISOString().slice(0, 7);
    expect(filed.map((r) => r.data as { kind: string; name: string; month: string }).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      expect.objectContaining({ kind: 'invoices', name: 'invoices-october.csv', month }),
      expect.objectContaining({ kind: 'payments', name: 'bank-payments-october.csv', month }),
    ]);

    const run = await startRun(c.kernel, { workflow: 'app.bookkeeping.month-end', input: { month } });
    const child = await until('the reconciler child run', async () => (await c.kernel.db.query<{ id: string }>(`SELECT id FROM kernel_runs WHERE parent_run_id = $1 AND workflow = 'agent.reconciler'`, [run.id])).rows[0]);
    const approval = await pendingApproval(c, child.id);
    expect(approval.kind).toBe('reconciliation');
    await decideApproval(c.kernel, approval.id, { decision: 'approve' });
    // Contoso paid 400.00 of 450.00: the reconciler escalates that mismatch with its evidence.
    const escalation = await until('the mismatch escalated', async () => (await c.kernel.db.query<{ id: string; message: string }>(`SELECT id, reason->>'message' AS message FROM kernel_escalations WHERE run_id = $1 AND status = 'open'`, [child.id])).rows[0]);
    expect(escalation.message).toMatch(/INV-1043|Contoso/);
    await resolveEscalation(c.kernel, escalation.id, { action: 'skip' });
    expect((await runEnd(c, run.id)).status).toBe('succeeded');
    const [log] = await c.apps.recordsOf('bookkeeping', 'reconciliation');
    expect(log).toMatchObject({ id: month, data: { month, invoiceFiles: 1, paymentFiles: 1 } });

    // A month with no files is reported, not guessed.
    const empty = await startRun(c.kernel, { workflow: 'app.bookkeeping.month-end', input: { month: '2020-01' } });
    const missing = await until('the missing files escalated', async () => (await c.kernel.db.query<{ message: string }>(`SELECT reason->>'message' AS message FROM kernel_escalations WHERE run_id = $1 AND status = 'open'`, [empty.id])).rows[0]);
    expect(missing.message).toMatch(/No invoices CSV was filed for 2020-01/);
  });

  it('bookkeeping: a CSV whose name says neither is filed by its columns (an invoices export, a German bank export, payments carrying an invoice column); a CSV about neither is left alone', async () => {
    const { c, dir } = await start();
    await c.apps.install({ bundled: 'bookkeeping' }, []);
    // Installing the same version again changes nothing and is not mistaken for a changed manifest.
    expect((await c.apps.install({ bundled: 'bookkeeping' }, [])).version).toBe((await c.apps.get('bookkeeping')).version);
    const files = {
      'export-2026-10.csv': INVOICES_CSV,
      'konto-2026-10.csv': 'Buchungstag;Valuta;Verwendungszweck;Betrag;Währung\n01.10.2026;01.10.2026;RE INV-1042 Northwind;1.200,00;EUR\n24.10.2026;24.10.2026;Contoso October;400,00;EUR\n',
      'stripe-10.csv': 'Transaction ID,Payer,Invoice,Amount\ntxn_1,Fabrikam Inc.,INV-1044,2300.50\n',
      // Values that mention invoices are not column names: a to-do list is not a statement.
      'to-do.csv': 'Task,Owner\nSend invoice to Contoso,Dana\nBook the bank appointment,Dana\n',
      'stanley-cups.csv': readFileSync(join(DOCUMENTS, 'stanley-cups.csv'), 'utf8'),
    };
    const paths = Object.entries(files).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    await c.memory.documents.ingestPaths(paths);
    await until('every CSV looked at', async () => {
      const { rows } = await c.kernel.db.query<{ status: string }>(`SELECT status FROM kernel_runs WHERE workflow = 'app.bookkeeping.file-statement'`);
      return rows.length === 5 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    });
    const filed = (await c.apps.recordsOf('bookkeeping', 'statement')).map((r) => r.data as { kind: string; name: string });
    expect(filed.map((r) => [r.name, r.kind]).sort()).toEqual([
      ['export-2026-10.csv', 'invoices'],
      ['konto-2026-10.csv', 'payments'],
      ['stripe-10.csv', 'payments'],
    ]);
    // The operator's view of them: the most recently changed first, and how many there are.
    const latest = await c.apps.latestRecords('bookkeeping', 'statement', 2);
    expect(latest.total).toBe(3);
    expect(latest.records).toHaveLength(2);
    expect(latest.records[0]!.updatedAt >= latest.records[1]!.updatedAt).toBe(true);
    const newest = (await c.apps.recordsOf('bookkeeping', 'statement')).map((r) => r.updatedAt).sort().at(-1);
    expect(latest.records[0]!.updatedAt).toBe(newest);
    expect((await c.apps.get('bookkeeping')).entities).toEqual([
      { name: 'statement', records: 3, changedAt: newest, fields: ['documentId', 'name', 'kind', 'month'] },
      { name: 'reconciliation', records: 0, changedAt: null, fields: ['month', 'invoiceFiles', 'paymentFiles', 'summary'] },
    ]);
  });

  it('client work: after a sent follow-up e-mail, a calendar follow-up (.ics), a follow-up record and the commitment remembered', async () => {
    const { c, dir } = await start();
    await c.calendar.save({ backend: 'ics' });
    const preview = c.apps.preview({ bundled: 'client-work' });
    expect(preview.problems).toEqual([]);
    expect(preview.permissions.map((p) => p.permission)).toEqual(['calendar.create_event', 'calendar.cancel_event']);
    await c.apps.install({ bundled: 'client-work' }, ['calendar.create_event', 'calendar.cancel_event']);
    await c.apps.setSettings('client-work', { followUpDays: 3 });
    expect((await refusal(c.apps.setSettings('client-work', { followUpDays: 'soon' }))).message).toMatch(/is a number/);

    // The drafter's finished run, as the subscription would see it (its e-mail sent).
    const drafted = await c.kernel.db.query<{ id: string }>(
      `INSERT INTO kernel_runs (id, workflow, workflow_version, input, output, status, priority, agent, trace_id, created_at, updated_at, finished_at)
       VALUES ('drafter-run-1', 'agent.drafter', 1, $1, $2, 'succeeded', 0, 'drafter', 'drafter-run-1', now(), now(), now()) RETURNING id`,
      [JSON.stringify({ entityId: null }), JSON.stringify({ sent: true, draft: { subject: 'Next steps on the Q4 campaign', paragraphs: ['Hi'] } })],
    );
    const run = await startRun(c.kernel, { workflow: 'app.client-work.follow-up', input: { runId: drafted.rows[0]!.id } });
    const end = await runEnd(c, run.id);
    expect(end.error).toBeNull();
    expect(end.status).toBe('succeeded');
    const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const [record] = await c.apps.recordsOf('client-work', 'follow_up');
    expect(record!.data).toMatchObject({ subject: 'Next steps on the Q4 campaign', due, meetingRun: 'drafter-run-1' });
    const folder = join(dir, 'workspace', 'calendar');
    expect(existsSync(folder)).toBe(true);
    const ics = readdirSync(folder).filter((f) => f.endsWith('.ics'));
    expect(ics).toHaveLength(1);
    const text = readFileSync(join(folder, ics[0]!), 'utf8');
    expect(text).toContain('SUMMARY:Follow up: Next steps on the Q4 campaign');
    expect(text).toContain(`DTSTART;VALUE=DATE:${due.replace(/-/g, '')}`);
    const { memories } = await c.memory.memories.list({ kinds: ['decision'], limit: 10 });
    expect(memories.map((m) => m.text)).toContain(`Follow up on "Next steps on the Q4 campaign" by ${due}.`);

    // An e-mail not sent (rejected draft) gets no follow-up.
    await c.kernel.db.query(
      `INSERT INTO kernel_runs (id, workflow, workflow_version, input, output, status, priority, agent, trace_id, created_at, updated_at, finished_at)
       VALUES ('drafter-run-2', 'agent.drafter', 1, '{}', $1, 'succeeded', 0, 'drafter', 'drafter-run-2', now(), now(), now())`,
      [JSON.stringify({ sent: false, reason: 'rejected' })],
    );
    const skipped = await startRun(c.kernel, { workflow: 'app.client-work.follow-up', input: { runId: 'drafter-run-2' } });
    expect((await runEnd(c, skipped.id)).output).toEqual({ sent: false, followUp: null });
    expect(readdirSync(folder).filter((f) => f.endsWith('.ics'))).toHaveLength(1);
    mkdirSync(join(dir, 'unused'), { recursive: true });
  });
});

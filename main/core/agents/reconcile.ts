import { z } from 'zod';
import { KernelError } from '../kernel/errors';
import { defineWorkflow, type AnyWorkflow } from '../kernel/workflow';
import { decodeText } from '../memory/parse/encoding';
import { IngestFailure } from '../memory/parse/types';
import { runTask } from './model-call';
import { columnsTask, extractInvoice, money, parseTable, readInvoices, readPayments, size, type ColumnMapping, type InvoiceRecord, type PaymentRecord, type Role, type Table, type UnreadRow } from './reconcile-csv';
import { reconcile, type KnownParty, type Match, type Mismatch, type Reconciliation } from './reconcile-match';
import { readableDocument } from './documents';
import { DISABLED, enabledAgent } from './enabled';
import type { AgentDeps } from './workflows';

/**
 * `agent.reconciler`: invoices against payments. Reads each source (a memory document — a CSV
 * export from its original bytes, or one invoice document by rules — or inline CSV), maps
 * each table's columns (model task `reconcile.columns`), matches in code, proposes the
 * matches in one approval, remembers each confirmed match as a fact with provenance, and
 * escalates the mismatches with their evidence to the operator.
 */

/** Inline CSV travels in the run's input, which is stored: kept well under the file limit. */
const MAX_INLINE_CHARS = 5 * 1024 * 1024;

const Source = z.union([
  z.object({ documentId: z.string().min(1).max(200) }).strict(),
  z.object({ csv: z.string().max(MAX_INLINE_CHARS), name: z.string().min(1).max(200).optional() }).strict(),
]);
type Source = z.infer<typeof Source>;

export const ReconcileInput = z.object({
  invoices: z.array(Source).min(1).max(200),
  payments: z.array(Source).min(1).max(50),
  /** The day overdue is counted against (YYYY-MM-DD); today when absent. */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** Days after the due date a payment still matches by amount and customer. */
  windowDays: z.number().int().min(0).max(366).default(60),
  /** Payment terms assumed when an invoice has an issue date but no due date. */
  termsDays: z.number().int().min(0).max(366).default(30),
  /** The currency of files that name none. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
});
export type ReconcileInput = z.infer<typeof ReconcileInput>;

type Loaded = { kind: 'table'; table: Table } | { kind: 'invoice'; invoice: InvoiceRecord; missing: string[] };

const permanent = (message: string) => new KernelError('permanent', message);


/** Tables are read from the original bytes: the stored text of a CSV is "Header: value; …" per row, which loses the columns. */
async function readSource(deps: AgentDeps, source: Source, role: Role, index: number): Promise<Loaded> {
  if ('csv' in source) return { kind: 'table', table: parseTable(source.csv, source.name ?? `${role} ${index + 1} (inline)`, role) };
  const d = await readableDocument(deps.memory, source.documentId, `${role} document`);
  const tabular = d.type === 'csv' || (role === 'payments' && (d.type === 'text' || d.type === 'markdown'));
  if (tabular) return { kind: 'table', table: parseTable(await originalText(deps, d), d.name, role) };
  if (role === 'payments') {
    throw permanent(`The payments document "${d.name}" is ${d.type === 'pdf' ? 'a PDF' : `a ${d.type ?? 'non-CSV'} document`}, not a CSV export; export the payments from the bank or payment provider as CSV.`);
  }
  const { record, missing } = extractInvoice(d.text, d.name);
  return { kind: 'invoice', invoice: record, missing };
}

async function originalText(deps: AgentDeps, d: { name: string; sha256: string | null }): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.memory.context.originals.read(d.sha256 ?? '');
  } catch {
    throw permanent(`The original file of "${d.name}" is no longer kept; add the file again.`);
  }
  if (bytes.byteLength === 0) throw permanent(`The file "${d.name}" is empty: there is nothing to reconcile.`);
  try {
    return decodeText(bytes).text;
  } catch (err) {
    if (err instanceof IngestFailure) throw permanent(`The file "${d.name}" (${size(bytes.byteLength)}) is not text: ${err.message}.`);
    throw err;
  }
}

async function knownParties(deps: AgentDeps): Promise<KnownParty[]> {
  return (await deps.memory.entities.known()).map(({ id, name, aliases }) => ({ id, name, aliases }));
}

/** The fact kept for a confirmed match: what was paid, when, how. */
export function matchFact(m: Match): string {
  const inv = m.invoice;
  const what = `Invoice ${inv.number ?? `on row ${inv.source.row ?? '?'} of ${inv.source.file}`} (${inv.customer ?? 'unknown customer'}, ${money(inv.amountCents, inv.currency)})`;
  const how = (p: Match['payments'][number]) =>
    `${p.date ? `on ${p.date} ` : ''}by transfer${p.transactionId ? ` ${p.transactionId}` : ''}${p.reference ? ` (reference "${p.reference.slice(0, 120)}")` : ''}`;
  if (m.payments.length === 1) return `${what} paid ${how(m.payments[0]!)}.`;
  return `${what} paid in ${m.payments.length} instalments: ${m.payments.map((p) => `${money(p.amountCents, p.currency)} ${how(p)}`).join('; ')}.`;
}

/** The operator's choice of matches: all, the accepted parts (ids or indexes), or those left in an edited proposal. */
function chosen(matches: Match[], decision: { decision: string; acceptedParts?: (string | number)[]; editedProposal?: unknown }): Match[] {
  if (decision.decision === 'approve') return matches;
  if (decision.decision === 'approve_partial') {
    const keep = new Set((decision.acceptedParts ?? []).map(String));
    return matches.filter((m, i) => keep.has(m.id) || keep.has(String(i)));
  }
  if (decision.decision === 'edit') {
    const edited = (decision.editedProposal as { matches?: unknown[] } | null)?.matches;
    if (!Array.isArray(edited)) return matches;
    const keep = new Set(edited.map((e) => (typeof e === 'string' ? e : (e as { id?: unknown })?.id)).filter((x): x is string => typeof x === 'string'));
    return matches.filter((m) => keep.has(m.id));
  }
  return [];
}

const MAX_IN_MESSAGE = 5;

function escalationMessage(mismatches: Mismatch[], summary: Reconciliation['summary']): string {
  const listed = mismatches.slice(0, MAX_IN_MESSAGE).map((m) => `• ${m.title}`);
  const more = mismatches.length > MAX_IN_MESSAGE ? [`• and ${mismatches.length - MAX_IN_MESSAGE} more`] : [];
  return [
    `The reconciliation found ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} to look into (${summary.text})`,
    ...listed,
    ...more,
    'The evidence (rows, amounts, reasons) is in the details. Once handled, skip this step to finish the run.',
  ].join('\n');
}

export function reconcilerWorkflow(deps: AgentDeps): AnyWorkflow {
  return defineWorkflow({
    name: 'agent.reconciler',
    version: 1,
    agent: 'reconciler',
    input: ReconcileInput,
    // A document still being ingested is retried; a bad file fails at once (permanent).
    defaults: { retry: { maxAttempts: 12, initialDelayMs: 250, maxDelayMs: 2000 } },
    async run(ctx, input) {
      const agent = await enabledAgent(ctx, deps, 'reconciler');
      if (!agent) return DISABLED('reconciler');
      const asOf = input.asOf ?? new Date(await ctx.now()).toISOString().slice(0, 10);

      const loaded: { role: Role; item: Loaded }[] = [];
      for (const role of ['invoices', 'payments'] as const) {
        for (const [i, source] of input[role].entries()) loaded.push({ role, item: await ctx.step(`read:${role}`, () => readSource(deps, source, role, i)) });
      }
      const mappings: (ColumnMapping | null)[] = [];
      for (const { role, item } of loaded) {
        if (item.kind !== 'table') mappings.push(null);
        else {
          const cut = (cell: string) => cell.slice(0, 200);
          const { name, headers, rows } = item.table;
          mappings.push(await runTask(ctx, deps, agent, columnsTask, { role, file: name, headers: headers.map(cut), sample: rows.slice(0, 8).map((r) => r.map(cut)) }));
        }
      }
      const entities = await ctx.step('entities', () => knownParties(deps));

      const result = await ctx.step('match', () => {
        const invoices: InvoiceRecord[] = [];
        const payments: PaymentRecord[] = [];
        const unread: UnreadRow[] = [];
        let skipped = 0;
        loaded.forEach(({ role, item }, i) => {
          if (item.kind === 'invoice') return void invoices.push(item.invoice);
          const read = role === 'invoices' ? readInvoices(item.table, mappings[i]!, input.currency ?? null) : readPayments(item.table, mappings[i]!, input.currency ?? null);
          if (role === 'invoices') invoices.push(...(read.records as InvoiceRecord[]));
          else payments.push(...(read.records as PaymentRecord[]));
          unread.push(...read.unread);
          skipped += read.skipped.length;
        });
        if (!invoices.length) throw permanent(`No invoice could be read from the invoices given (${unread.length} unreadable rows); there is nothing to reconcile.`);
        return reconcile(invoices, payments, { asOf, windowDays: input.windowDays, termsDays: input.termsDays, entities, unread, skipped });
      });
      const { matches, mismatches, summary } = result;

      let confirmed: Match[] = [];
      const memoryIds: string[] = [];
      if (matches.length) {
        const decision = await ctx.approval({
          title: `Reconciliation: ${matches.length} match${matches.length === 1 ? '' : 'es'}${mismatches.length ? `, ${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}` : ''}`,
          kind: 'reconciliation',
          risk: 'low',
          proposal: { matches, mismatches, summary },
          rationale:
            // The summary travels in the proposal; the rationale says how to read it.
            'Matches are by an invoice number in the payment reference, or by the same amount from the same customer. ' +
            'Approve to record each match as paid in memory (or accept some of them); mismatches go to you for review afterwards.',
        });
        if (decision.decision === 'reject') return { summary, confirmed: 0, rejected: true, note: decision.note ?? null, mismatches: mismatches.length };
        confirmed = chosen(matches, decision);
        for (const m of confirmed) {
          const memory = await ctx.remember({
            kind: 'fact',
            text: matchFact(m),
            entityId: m.entityId,
            // One attribute per invoice: curation compares facts per attribute, and two paid invoices are not duplicates.
            attribute: `payment_status:${m.invoice.number}`,
            value: 'paid',
            validFrom: m.payments[m.payments.length - 1]?.date ? `${m.payments[m.payments.length - 1]!.date}T00:00:00.000Z` : undefined,
          });
          memoryIds.push(memory.id);
        }
      }
      if (mismatches.length) {
        // The kernel's escalation: a step failing permanently with onExhausted 'escalate' pauses the
        // run and puts the evidence in the operator's inbox; skipping the step finishes the run.
        await ctx.step(
          'escalate:mismatches',
          () => {
            throw new KernelError('permanent', escalationMessage(mismatches, summary), { reconciliation: { summary, mismatches } });
          },
          { onExhausted: 'escalate', retry: { maxAttempts: 1 } },
        );
      }
      return { summary, confirmed: confirmed.map((m) => m.id), memoryIds, mismatches: mismatches.length };
    },
  });
}

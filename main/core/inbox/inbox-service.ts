import type { PGlite } from '@electric-sql/pglite';
import type { Kernel } from '../kernel/kernel';
import { undoDecision } from '../kernel/operator';
import type { MemoryService } from '../memory/memory';
import { listInbox } from './inbox';
import { PreferencesStore } from './preferences';

interface Deps {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
  notify: (event: string, payload: unknown) => void;
  /** Pins the undo window (seconds) whatever the preferences say. */
  undoSeconds?: number;
}

interface DecidedPayload {
  id: string;
  runId: string;
  status: string;
  note?: string | null;
  decision?: string;
  undone?: boolean;
}

/**
 * The operator's desk: the inbox as one list, taking a decision back, preferences, and the
 * decision notes that become memories of what the operator prefers.
 */
export class InboxService {
  readonly preferences: PreferencesStore;

  constructor(private readonly deps: Deps) {
    this.preferences = new PreferencesStore(deps);
  }

  start(): Promise<unknown> {
    return this.preferences.load();
  }

  list(limit: number) {
    return listInbox(this.deps.db, limit);
  }

  undo(id: string): Promise<void> {
    return undoDecision(this.deps.kernel, id);
  }

  /** Kernel events the desk follows: a note on a decision is remembered; an undone decision forgets it. */
  onKernelEvent(event: string, payload: unknown): void {
    if (event !== 'approvals.changed') return;
    const p = payload as DecidedPayload;
    const work = p.status === 'decided' && p.note?.trim() ? this.rememberNote(p) : p.undone ? this.forgetNote(p.id) : null;
    work?.catch((err: Error) => console.error(`[inbox] the note on approval ${p.id} could not be kept in memory: ${err.message}`));
  }

  private async rememberNote(p: DecidedPayload): Promise<void> {
    const { rows } = await this.deps.db.query<{ title: string }>('SELECT title FROM kernel_approvals WHERE id = $1', [p.id]);
    const verb = p.decision === 'reject' ? 'rejecting' : 'approving';
    await this.deps.memory.memories.remember(
      {
        kind: 'preference',
        text: `The operator, ${verb} “${rows[0]?.title ?? 'a proposal'}”: ${p.note!.trim()}`,
        provenance: { approvalId: p.id, runId: p.runId, source: 'operator' },
      },
      'operator',
    );
  }

  private async forgetNote(approvalId: string): Promise<void> {
    const { rows } = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM memory_items WHERE provenance->>'approvalId' = $1 AND provenance->>'source' = 'operator' AND status <> 'archived'`,
      [approvalId],
    );
    if (rows.length) await this.deps.memory.memories.setStatus(rows.map((r) => r.id), 'forget', 'operator');
  }
}

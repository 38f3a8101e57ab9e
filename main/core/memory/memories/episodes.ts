import type { MemoryContext } from '../context';
import type { Memories } from './store';
import { extractiveSummary } from './summarise';

interface RunFacts {
  id: string;
  workflow: string;
  agent: string | null;
  status: string;
  output: unknown;
  error: { message?: string } | null;
  finished_at: Date | null;
  steps: string;
}

/** Runs Keel makes for itself are not episodes worth remembering. */
export const isHousekeeping = (workflow: string, agent: string | null) => workflow.startsWith('memory.') || agent === 'ingest';

/** A run that says so in its output (`episode: false`, e.g. triage of a document that needed nothing) is not one either. */
const routine = (output: unknown) => typeof output === 'object' && output !== null && (output as { episode?: unknown }).episode === false;

/**
 * Turns a finished run into an episode memory: what ran, for whom, how it ended, what the
 * operator decided and what it did to the world, with the run as provenance. Then the run's
 * working memory is dropped.
 */
export class Episodes {
  constructor(
    private readonly m: MemoryContext,
    private readonly memories: Memories,
  ) {}

  async summariseRun(runId: string): Promise<string | null> {
    const { rows } = await this.m.db.query<RunFacts>(
      `SELECT r.id, r.workflow, r.agent, r.status, r.output, r.error, r.finished_at, (SELECT count(*) FROM kernel_steps s WHERE s.run_id = r.id) AS steps
       FROM kernel_runs r WHERE r.id = $1 AND r.finished_at IS NOT NULL`,
      [runId],
    );
    const run = rows[0];
    if (!run || isHousekeeping(run.workflow, run.agent) || routine(run.output)) return null;
    const done = await this.m.db.query(`SELECT 1 FROM memory_items WHERE kind = 'episode' AND provenance->>'runId' = $1 LIMIT 1`, [runId]);
    if (done.rows.length === 0) {
      const text = await this.describe(run);
      await this.memories.remember({ kind: 'episode', text, provenance: { runId, source: 'summariser' }, confidence: 1, validFrom: run.finished_at?.toISOString() }, 'summariser');
    }
    await this.m.db.query('DELETE FROM memory_working WHERE scope = $1', [runId]);
    return runId;
  }

  private async describe(run: RunFacts): Promise<string> {
    const approvals = await this.m.db.query<{ title: string; decision: { decision?: string; note?: string } | null; status: string }>(
      'SELECT title, decision, status FROM kernel_approvals WHERE run_id = $1 ORDER BY created_at',
      [run.id],
    );
    const effects = await this.m.db.query<{ name: string }>(`SELECT name FROM kernel_steps WHERE run_id = $1 AND kind = 'effect' AND status = 'completed' ORDER BY step_no`, [run.id]);
    const when = (run.finished_at ?? new Date()).toISOString().slice(0, 16).replace('T', ' ');
    const parts = [`${run.workflow}${run.agent ? ` (agent ${run.agent})` : ''} ${run.status} on ${when} UTC after ${run.steps} steps.`];
    for (const a of approvals.rows) {
      const d = a.decision?.decision ?? a.status;
      parts.push(`The operator was asked "${a.title}" and answered ${d.replace(/_/g, ' ')}${a.decision?.note ? ` ("${a.decision.note}")` : ''}.`);
    }
    if (effects.rows.length) parts.push(`It acted through ${[...new Set(effects.rows.map((e) => e.name))].join(', ')}.`);
    if (run.error?.message) parts.push(`It stopped because: ${run.error.message}`);
    const out = outputText(run.output);
    if (out) parts.push(`Result: ${extractiveSummary(out, 2, 400)}`);
    return parts.join(' ');
  }

  /** Finished runs of the last week without an episode (a crash between finish and summary). */
  async catchUp(): Promise<number> {
    const { rows } = await this.m.db.query<{ id: string }>(
      `SELECT r.id FROM kernel_runs r WHERE r.finished_at > now() - interval '7 days' AND r.workflow NOT LIKE 'memory.%' AND coalesce(r.agent, '') <> 'ingest'
         AND NOT coalesce(r.output @> '{"episode": false}', false)
         AND NOT EXISTS (SELECT 1 FROM memory_items m WHERE m.kind = 'episode' AND m.provenance->>'runId' = r.id) LIMIT 200`,
    );
    for (const r of rows) await this.summariseRun(r.id);
    return rows.length;
  }
}

/** The readable part of a run's output: strings, found anywhere in it. */
function outputText(output: unknown): string {
  if (output === null || output === undefined) return '';
  if (typeof output === 'string') return output;
  if (typeof output !== 'object') return String(output);
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') strings.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(output);
  return strings.length ? strings.join('. ') : JSON.stringify(output).slice(0, 300);
}

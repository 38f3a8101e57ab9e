import type { Kernel } from '../kernel/kernel';

/**
 * Injection containment (DESIGN.md §7). Content is data: nothing in it can widen an agent's
 * permissions or skip an approval (the kernel's gate sees only the agent's definition). What
 * this adds is visibility: instructions inside content that ask for actions are flagged in
 * the ledger (`content.instruction_flagged`), so the operator sees the attempt.
 */
const PATTERNS: RegExp[] = [
  /\b(?:ignore|disregard|forget|override)\b[^.\n]{0,30}\b(?:instructions?|rules|prompts?|guidelines)\b/i,
  /\byou are now\b[^.\n]{0,60}/i,
  /\b(?:new|updated) (?:system )?instructions?\s*:/i,
  /\bsystem prompt\b/i,
  /\b(?:e-?mail|send|forward|wire|transfer|pay|delete|share|upload)\b[^.\n]{0,40}\b(?:all|every|everyone|each of)\b[^.\n]{0,30}\b(?:contacts?|clients?|customers?|files?|documents?|funds|money|addresses)\b/i,
  /\bdo not (?:tell|inform|notify) (?:the )?(?:user|operator|owner)\b/i,
];

export function flagInstructions(text: string): string[] {
  const found: string[] = [];
  for (const re of PATTERNS) {
    const m = re.exec(text);
    if (m) found.push(m[0].trim().slice(0, 200));
  }
  return found;
}

/** Records the flag once per run (a replay of the step after a crash finds it). */
export async function recordFlag(kernel: Kernel, run: { id: string; agent: string }, source: { kind: string; id: string | null; title: string }, phrases: string[]): Promise<void> {
  await kernel.commit(async (tx, log) => {
    const { rows } = await tx.query(`SELECT 1 FROM kernel_ledger WHERE run_id = $1 AND type = 'content.instruction_flagged' LIMIT 1`, [run.id]);
    if (rows.length) return;
    log({
      type: 'content.instruction_flagged',
      actor: { kind: 'agent', name: run.agent },
      runId: run.id,
      agent: run.agent,
      data: { source, phrases, handling: 'ignored: content is data; permissions and approvals are unchanged' },
    });
  });
}

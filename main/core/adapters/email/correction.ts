import { z } from 'zod';
import { defineWorkflow } from '../../kernel/workflow';
import { CorrectionArgs } from './adapter';

export const CORRECTION_WORKFLOW = 'email.correction';

/**
 * Undoing a sent e-mail (DESIGN.md §6): mail cannot be unsent, so the saga's compensation
 * proposes a correction in the same thread. This run shows it in the inbox; approving sends
 * exactly what was shown, editing it shows the new text again, rejecting sends nothing.
 */
export function correctionWorkflow() {
  return defineWorkflow({
    name: CORRECTION_WORKFLOW,
    version: 1,
    input: z.object({ correction: CorrectionArgs, reason: z.string().max(2000).nullable().default(null) }),
    permissions: ['email.send_correction'],
    defaults: { onExhausted: 'escalate' },
    async run(ctx, { correction, reason }) {
      let args = correction;
      for (let round = 0; round < 6; round++) {
        const decision = await ctx.approval({
          title: `Correction: ${args.subject} → ${args.to.join(', ')}`,
          kind: 'draft',
          risk: 'high',
          proposal: { to: args.to.join(', '), subject: args.subject, paragraphs: args.text.split(/\n\s*\n/), changes: null, tone: '', kind: 'email' },
          rationale: `An e-mail already sent is being undone${reason ? ` (${reason})` : ''}. Mail cannot be unsent: approve to send this correction in the same thread, edit it, or reject to send nothing.`,
          authorises: { adapter: 'email', action: 'send_correction', args },
        });
        if (decision.decision === 'reject') return { sent: false, reason: decision.note ?? 'rejected by the operator' };
        const edited = decision.editedProposal as { subject?: string; paragraphs?: string[] } | undefined;
        if (decision.decision === 'edit' && edited?.paragraphs?.length) {
          args = { ...args, subject: edited.subject ?? args.subject, text: edited.paragraphs.join('\n\n') };
          continue;
        }
        if (decision.decision === 'edit') continue;
        return { sent: true, result: await ctx.effect('email', 'send_correction', args) };
      }
      return { sent: false, reason: 'stopped after 5 edits' };
    },
  });
}

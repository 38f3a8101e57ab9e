import type { RunStatus } from '../../../../shared/domain/kernel';
import type { WasteReason } from '../../../../shared/domain/insights';

/** How a run stands, in words. */
export const STATUS_LABEL: Record<RunStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  sleeping: 'Sleeping',
  waiting_approval: 'Waiting for approval',
  waiting_child: 'Waiting for a child run',
  paused: 'Paused',
  compensating: 'Undoing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  compensated: 'Undone',
  compensation_failed: 'Undo failed',
  dead_lettered: 'Parked',
  cancelled: 'Cancelled',
};

/** Why spending counts as wasted. */
export const WASTE_LABEL: Record<WasteReason, string> = {
  failed: 'Failed',
  compensated: 'Undone (compensated)',
  compensation_failed: 'Undo failed',
  cancelled: 'Cancelled',
  dead_lettered: 'Parked (dead letter)',
  rejected: 'Proposal rejected',
};

export const appLabel = (app: string | null): string => app ?? '(no app)';

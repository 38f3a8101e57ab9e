import type { MemoryKind, MemoryStatus } from '../../../../shared/domain/memory';

export const KINDS: MemoryKind[] = ['fact', 'preference', 'decision', 'summary', 'episode'];

export const KIND_LABEL: Record<MemoryKind, string> = { fact: 'Fact', preference: 'Preference', decision: 'Decision', action_item: 'Action item', summary: 'Summary', episode: 'Episode' };

export const STATUS_LABEL: Record<MemoryStatus, string> = {
  active: 'Active',
  pending_review: 'Pending review',
  stale: 'Stale',
  superseded: 'Superseded',
  archived: 'Archived',
};

import { z } from 'zod';
import { KernelErrorBody, Risk } from './kernel';

/** What waits for the operator, as one list (DESIGN.md §1: the human as control plane). */

export const InboxItemKind = z.enum(['approval', 'escalation', 'dead_letter']);
export type InboxItemKind = z.infer<typeof InboxItemKind>;

export const InboxItem = z.object({
  /** The approval's, escalation's or dead letter's own id. */
  id: z.string(),
  kind: InboxItemKind,
  /** The approval's kind (`draft`, `effect`, ...) or the escalation's (`step_failed`, `budget`, ...). */
  subkind: z.string(),
  title: z.string(),
  /** One line a person can decide on. */
  summary: z.string(),
  agent: z.string().nullable(),
  app: z.string().nullable(),
  workflow: z.string(),
  risk: Risk,
  runId: z.string(),
  stepNo: z.number().int().nullable(),
  /** An escalation's or dead letter's structured failure. */
  failure: KernelErrorBody.nullable(),
  createdAt: z.string(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const InboxCounts = z.object({
  approvals: z.number().int(),
  escalations: z.number().int(),
  deadLetters: z.number().int(),
  total: z.number().int(),
});
export type InboxCounts = z.infer<typeof InboxCounts>;

/** Operator preferences kept in the core, the same in the desktop app and the browser. */
export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

export const Preferences = z.object({
  theme: Theme,
  notifications: z.object({
    /** OS notifications (desktop) or Web Notifications (browser) for approvals and escalations. */
    enabled: z.boolean(),
    /** Nothing pops up; counts in the tray, title and navigation still follow. */
    doNotDisturb: z.boolean(),
  }),
  /**
   * How long an approved or rejected item waits before its run goes on, so `u` can take the
   * decision back. 0 lets the run go on at once (undo then works only while it has not started).
   */
  undoSeconds: z.number().int().min(0).max(60),
});
export type Preferences = z.infer<typeof Preferences>;

export const DEFAULT_PREFERENCES: Preferences = {
  theme: 'system',
  notifications: { enabled: true, doNotDisturb: false },
  undoSeconds: 5,
};

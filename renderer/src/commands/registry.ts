/**
 * The operator's commands, declared once: decisions, run controls, memory edits. A button and a
 * key run the same command; what it does is bound by the view that holds the state (`useCommand`),
 * and every command that changes something is one typed API call, so the API can do it too.
 */
export interface CommandInfo {
  label: string;
  /** KeyboardEvent.key values; the first is shown. */
  keys: readonly string[];
  group: 'Inbox' | 'Decisions' | 'Drafts' | 'Escalations' | 'Runs' | 'Memory' | 'Memory review' | 'Help';
}

export const COMMANDS = {
  'inbox.next': { label: 'Next item', keys: ['j', 'ArrowDown'], group: 'Inbox' },
  'inbox.previous': { label: 'Previous item', keys: ['k', 'ArrowUp'], group: 'Inbox' },
  'inbox.note': { label: 'Write a note for the decision', keys: ['c'], group: 'Inbox' },
  'approval.approve': { label: 'Approve', keys: ['a'], group: 'Decisions' },
  'approval.reject': { label: 'Reject (the note is the reason)', keys: ['r'], group: 'Decisions' },
  'decision.undo': { label: 'Undo the last decision (while its run has not gone on)', keys: ['u'], group: 'Decisions' },
  'draft.nextChange': { label: 'Next changed paragraph', keys: ['n'], group: 'Drafts' },
  'draft.previousChange': { label: 'Previous changed paragraph', keys: ['p'], group: 'Drafts' },
  'draft.toggleChange': { label: 'Accept or decline the current paragraph change', keys: [' '], group: 'Drafts' },
  'draft.acceptSelected': { label: 'Accept only the selected changes', keys: ['s'], group: 'Drafts' },
  'draft.edit': { label: 'Edit the text, then approve', keys: ['e'], group: 'Drafts' },
  'draft.requestChanges': { label: 'Ask the agent for changes', keys: ['q'], group: 'Drafts' },
  'escalation.retry': { label: 'Retry the step', keys: ['t'], group: 'Escalations' },
  'escalation.skip': { label: 'Skip the step with an output', keys: [], group: 'Escalations' },
  'escalation.editInput': { label: 'Edit the input and retry', keys: [], group: 'Escalations' },
  'escalation.raiseCap': { label: 'Raise the cap and retry', keys: [], group: 'Escalations' },
  'escalation.abort': { label: 'Abort the run', keys: [], group: 'Escalations' },
  'runs.pauseAll': { label: 'Pause or resume all agents', keys: [], group: 'Runs' },
  'memory.pin': { label: 'Pin or unpin the memory', keys: ['p'], group: 'Memory' },
  'memory.confirm': { label: 'Confirm it is still true', keys: ['c'], group: 'Memory' },
  'memory.markStale': { label: 'Mark it stale', keys: ['s'], group: 'Memory' },
  'memory.archive': { label: 'Archive it', keys: [], group: 'Memory' },
  'memory.activate': { label: 'Make it active again', keys: [], group: 'Memory' },
  'memory.edit': { label: 'Edit its text', keys: ['e'], group: 'Memory' },
  'memory.forget': { label: 'Forget it (undoable)', keys: ['f'], group: 'Memory' },
  'review.next': { label: 'Next item', keys: ['j', 'ArrowDown'], group: 'Memory review' },
  'review.previous': { label: 'Previous item', keys: ['k', 'ArrowUp'], group: 'Memory review' },
  'review.left': { label: 'Choose the memory on the left', keys: ['h', 'ArrowLeft'], group: 'Memory review' },
  'review.right': { label: 'Choose the memory on the right', keys: ['l', 'ArrowRight'], group: 'Memory review' },
  'review.merge': { label: 'Merge into the chosen memory', keys: ['m'], group: 'Memory review' },
  'review.keepNewer': { label: 'Keep newer (supersede the older)', keys: ['n'], group: 'Memory review' },
  'review.keepBoth': { label: 'Keep both', keys: ['b'], group: 'Memory review' },
  'review.confirm': { label: 'Confirm the chosen memory is still true', keys: ['c'], group: 'Memory review' },
  'review.markStale': { label: 'Mark the chosen memory stale', keys: ['s'], group: 'Memory review' },
  'review.pin': { label: 'Pin the chosen memory', keys: ['p'], group: 'Memory review' },
  'review.edit': { label: 'Edit the chosen memory', keys: ['e'], group: 'Memory review' },
  'review.forget': { label: 'Forget the chosen memory', keys: ['f'], group: 'Memory review' },
  'review.undo': { label: 'Undo the last resolution', keys: ['u'], group: 'Memory review' },
  'help.shortcuts': { label: 'Show the keyboard shortcuts', keys: ['?'], group: 'Help' },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMANDS;

/** How a key is written on screen. */
export const keyLabel = (key: string): string => ({ ' ': 'Space', ArrowDown: '↓', ArrowUp: '↑', ArrowLeft: '←', ArrowRight: '→' })[key] ?? key;

/** aria-keyshortcuts for a command, or undefined when it has no key. */
export function ariaKeys(id: CommandId): string | undefined {
  const keys = COMMANDS[id].keys as readonly string[];
  return keys.length ? keys.map((k) => (k === ' ' ? 'Space' : k.length === 1 ? k.toUpperCase() : k)).join(' ') : undefined;
}

/** The commands of one group, in their declared order. */
export const commandsOf = (group: CommandInfo['group']): [CommandId, CommandInfo][] =>
  (Object.entries(COMMANDS) as [CommandId, CommandInfo][]).filter(([, info]) => info.group === group);

const BY_KEY = new Map<string, CommandId[]>();
for (const [id, info] of Object.entries(COMMANDS) as [CommandId, CommandInfo][]) for (const key of info.keys) BY_KEY.set(key, [...(BY_KEY.get(key) ?? []), id]);

/** The commands a key may mean (the bound one runs), or none when typing in a field or with a modifier held. */
export function commandsForKey(e: KeyboardEvent): CommandId[] {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return [];
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return [];
  // Space on a button or a checkbox keeps its own meaning.
  if (e.key === ' ' && t && ['BUTTON', 'A'].includes(t.tagName)) return [];
  return BY_KEY.get(e.key) ?? [];
}

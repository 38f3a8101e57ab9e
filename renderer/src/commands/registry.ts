/**
 * The operator's commands, declared once: decisions, run controls, memory edits. A button and a
 * key run the same command; what it does is bound by the view that holds the state (`useCommand`),
 * and every command that changes something is one typed API call, so the API can do it too.
 */
export interface CommandInfo {
  label: string;
  /** KeyboardEvent.key values; the first is shown. */
  keys: readonly string[];
  group: 'Inbox' | 'Decisions' | 'Drafts' | 'Escalations' | 'Runs' | 'Memory' | 'Help';
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
  'help.shortcuts': { label: 'Show the keyboard shortcuts', keys: ['?'], group: 'Help' },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMANDS;

/** How a key is written on screen. */
export const keyLabel = (key: string): string => ({ ' ': 'Space', ArrowDown: '↓', ArrowUp: '↑' })[key] ?? key;

/** aria-keyshortcuts for a command, or undefined when it has no key. */
export function ariaKeys(id: CommandId): string | undefined {
  const keys = COMMANDS[id].keys as readonly string[];
  return keys.length ? keys.map((k) => (k === ' ' ? 'Space' : k.length === 1 ? k.toUpperCase() : k)).join(' ') : undefined;
}

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

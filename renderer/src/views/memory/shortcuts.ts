import type { ReviewAction } from '../../../../shared/domain/memory';

/**
 * The review queue's commands, one registry for the buttons, the keyboard and the on-screen
 * list: each has its keys, its label and what it does.
 */
export type ReviewCommand = ReviewAction | 'next' | 'previous' | 'left' | 'right' | 'undo';

export interface ShortcutInfo {
  command: ReviewCommand;
  keys: string[];
  label: string;
  /** aria-keyshortcuts value. */
  aria: string;
}

export const SHORTCUTS: ShortcutInfo[] = [
  { command: 'next', keys: ['j', '↓'], label: 'Next item', aria: 'J ArrowDown' },
  { command: 'previous', keys: ['k', '↑'], label: 'Previous item', aria: 'K ArrowUp' },
  { command: 'left', keys: ['h', '←'], label: 'Choose the memory on the left', aria: 'H ArrowLeft' },
  { command: 'right', keys: ['l', '→'], label: 'Choose the memory on the right', aria: 'L ArrowRight' },
  { command: 'merge', keys: ['m'], label: 'Merge into the chosen memory', aria: 'M' },
  { command: 'keep_newer', keys: ['n'], label: 'Keep newer (supersede the older)', aria: 'N' },
  { command: 'keep_both', keys: ['b'], label: 'Keep both', aria: 'B' },
  { command: 'confirm', keys: ['c'], label: 'Confirm the chosen memory is still true', aria: 'C' },
  { command: 'mark_stale', keys: ['s'], label: 'Mark the chosen memory stale', aria: 'S' },
  { command: 'pin', keys: ['p'], label: 'Pin the chosen memory', aria: 'P' },
  { command: 'edit', keys: ['e'], label: 'Edit the chosen memory', aria: 'E' },
  { command: 'forget', keys: ['f'], label: 'Forget the chosen memory', aria: 'F' },
  { command: 'undo', keys: ['u'], label: 'Undo the last resolution', aria: 'U' },
];

const BY_KEY: Record<string, ReviewCommand> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'previous',
  ArrowUp: 'previous',
  h: 'left',
  ArrowLeft: 'left',
  l: 'right',
  ArrowRight: 'right',
  m: 'merge',
  n: 'keep_newer',
  b: 'keep_both',
  c: 'confirm',
  s: 'mark_stale',
  p: 'pin',
  e: 'edit',
  f: 'forget',
  u: 'undo',
};

/** The command a key press means here, or null (typing in a field, or a modifier held). */
export function commandFor(e: KeyboardEvent): ReviewCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return null;
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return null;
  return BY_KEY[e.key] ?? null;
}

export const ariaKeys = (command: ReviewCommand): string | undefined => SHORTCUTS.find((s) => s.command === command)?.aria;

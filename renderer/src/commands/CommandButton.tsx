import type { ReactNode } from 'react';
import { ariaKeys, COMMANDS, keyLabel, type CommandId } from './registry';

/** A button for a command: its label (or children), its key shown beside it, the same action as the key. */
export function CommandButton({ id, run, children, variant, disabled }: { id: CommandId; run: () => void; children?: ReactNode; variant?: 'secondary' | 'danger' | 'secondary small'; disabled?: boolean }) {
  const key = (COMMANDS[id].keys as readonly string[])[0];
  return (
    <button type="button" className={variant} onClick={run} disabled={disabled} aria-keyshortcuts={ariaKeys(id)} data-command={id}>
      {children ?? COMMANDS[id].label}
      {key && (
        <kbd className="key-hint" aria-hidden="true">
          {keyLabel(key)}
        </kbd>
      )}
    </button>
  );
}

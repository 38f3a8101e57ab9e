import { useEffect, useRef, useState } from 'react';
import { isBound, useCommand } from './bindings';
import { COMMANDS, keyLabel, type CommandId, type CommandInfo } from './registry';

/** `?` lists the commands with a key, grouped, from the one registry: the groups that work in the view shown. */
export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useCommand('help.shortcuts', () => setOpen((o) => !o));
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const groups = new Map<string, [CommandId, CommandInfo][]>();
  for (const [id, info] of Object.entries(COMMANDS) as [CommandId, CommandInfo][]) {
    if (info.keys.length) groups.set(info.group, [...(groups.get(info.group) ?? []), [id, info]]);
  }
  // Read when opened (the toggle renders this again): what the mounted views bind now.
  for (const [group, list] of groups) if (!list.some(([id]) => isBound(id))) groups.delete(group);
  return (
    <dialog ref={ref} className="shortcuts" aria-labelledby="shortcuts-title" onClose={() => setOpen(false)}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      {[...groups].map(([group, list]) => (
        <section key={group}>
          <h3>{group}</h3>
          <dl>
            {list.map(([id, info]) => (
              <div key={id} className="shortcut">
                <dt>
                  {info.keys.map((k) => (
                    <kbd key={k}>{keyLabel(k)}</kbd>
                  ))}
                </dt>
                <dd>{info.label}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
    </dialog>
  );
}

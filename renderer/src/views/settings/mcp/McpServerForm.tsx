import { useState, type FormEvent } from 'react';
import type { McpServerView } from '../../../../../shared/domain/mcp';
import { useKeel } from '../../../store/store';
import { serverProblem, toServerDraft, toServerInput, type ServerDraft } from './mcp-draft';
import { VarsEditor } from './VarsEditor';

/** Adds or changes an MCP server: a command Keel starts (stdio), or a URL (streamable HTTP); secrets masked. */
export function McpServerForm({ server, onDone }: { server: McpServerView | null; onDone: () => void }) {
  const save = useKeel((s) => s.saveMcp);
  const [d, setD] = useState<ServerDraft>(() => toServerDraft(server));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<ServerDraft>) => {
    setD({ ...d, ...patch });
    setError(null);
  };
  const problem = serverProblem(d, server === null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    setSaving(true);
    const out = await save(toServerInput(d, server?.risks ?? {}));
    setSaving(false);
    if (out.ok) onDone();
    else setError(out.issues.length ? `${out.error} ${out.issues.join('; ')}` : out.error);
  };
  return (
    <form className="settings-grid card provider-form" aria-label={server ? `Edit ${server.name}` : 'Add an MCP server'} onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && !saving && onDone()}>
      <h3 className="wide">{server ? `Edit ${server.name}` : 'Add an MCP server'}</h3>
      <label htmlFor="mcp-name">Name</label>
      <input id="mcp-name" value={d.name} onChange={(e) => set({ name: e.target.value })} disabled={server !== null} placeholder="github" spellCheck={false} autoFocus={server === null} />
      <fieldset className="settings-fieldset wide">
        <legend>How Keel reaches it</legend>
        <label className="radio">
          <input type="radio" name="mcp-kind" checked={d.kind === 'stdio'} onChange={() => set({ kind: 'stdio' })} /> Start a command on this machine (stdio)
        </label>
        <label className="radio">
          <input type="radio" name="mcp-kind" checked={d.kind === 'http'} onChange={() => set({ kind: 'http' })} /> Connect to a URL (streamable HTTP)
        </label>
      </fieldset>
      {d.kind === 'stdio' ? (
        <>
          <label htmlFor="mcp-command">Command</label>
          <input id="mcp-command" value={d.command} onChange={(e) => set({ command: e.target.value })} placeholder="npx" spellCheck={false} />
          <label htmlFor="mcp-args">Arguments</label>
          <span className="stack">
            <textarea id="mcp-args" rows={3} value={d.args} onChange={(e) => set({ args: e.target.value })} placeholder={'-y\n@modelcontextprotocol/server-filesystem\n/home/you/Shared'} spellCheck={false} aria-describedby="mcp-args-hint" />
            <span id="mcp-args-hint" className="meta small-text">
              One per line.
            </span>
          </span>
          <label htmlFor="mcp-cwd">Working folder</label>
          <input id="mcp-cwd" value={d.cwd} onChange={(e) => set({ cwd: e.target.value })} placeholder="optional" spellCheck={false} />
          <div className="wide">
            <VarsEditor id="mcp-env" label="Environment" rows={d.env} onChange={(env) => set({ env })} />
          </div>
        </>
      ) : (
        <>
          <label htmlFor="mcp-url">URL</label>
          <input id="mcp-url" value={d.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://mcp.example.com/mcp" spellCheck={false} />
          <div className="wide">
            <VarsEditor id="mcp-headers" label="Headers" rows={d.headers} onChange={(headers) => set({ headers })} />
          </div>
        </>
      )}
      <span />
      <label className="checkbox">
        <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled (connect it and offer its tools to agents)
      </label>
      <span />
      <p className="meta small-text">
        New tools start at high risk: their calls wait for your approval until you lower a tool’s risk in the list.
      </p>
      <span />
      <div className="actions">
        <button type="submit" disabled={problem !== null || saving}>
          {saving ? 'Saving and connecting…' : 'Save'}
        </button>
        <button type="button" className="secondary" disabled={saving} onClick={onDone}>
          Cancel
        </button>
      </div>
      <span />
      <div role="status">
        {error ? (
          <p className="error" data-testid="mcp-save-error">
            {error}
          </p>
        ) : (
          problem && d.name !== '' && <p className="meta small-text">{problem}</p>
        )}
      </div>
    </form>
  );
}

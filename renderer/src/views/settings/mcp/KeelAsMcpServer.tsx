import { useEffect, useState } from 'react';
import type { McpEndpointState } from '../../../../../shared/api/bridge';
import { keelClient } from '../../../api/client';

/**
 * Settings → MCP servers → Keel for other assistants: on the desktop a switch that serves Keel's
 * memory over MCP on 127.0.0.1 (URL and token to paste into the assistant); a headless server
 * always serves it at /mcp behind the token `npm run serve` printed.
 */
export function KeelAsMcpServer() {
  const desktop = keelClient().desktop;
  const [state, setState] = useState<McpEndpointState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!desktop) return;
    void desktop.mcpServer().then((r) => (r.ok ? setState(r.value) : setError(r.error)));
  }, [desktop]);

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    const r = await desktop!.setMcpServer(enabled);
    setBusy(false);
    if (r.ok) setState(r.value);
    else setError(r.error);
  };

  return (
    <section aria-labelledby="keel-mcp-title">
      <h2 id="keel-mcp-title">Keel for other assistants</h2>
      <p className="meta">
        Other assistants (Claude Desktop, an IDE) can search your documents and memories with their sources, read a passage, see pending approvals and propose memories,
        which wait in Memory → Review until you accept them.
      </p>
      {!desktop ? (
        <p data-testid="keel-mcp-headless">
          This server answers MCP at <code>{`${location.origin}/mcp`}</code> (streamable HTTP); the assistant sends the token <code>npm run serve</code> printed as{' '}
          <code>Authorization: Bearer &lt;token&gt;</code>. On stdio: <code>npm run --silent mcp -- --data FOLDER</code> while no other Keel has the folder open.
        </p>
      ) : (
        <>
          <label className="checkbox">
            <input type="checkbox" checked={state?.enabled ?? false} disabled={busy || !state} onChange={(e) => void toggle(e.target.checked)} />
            Let other assistants use Keel (MCP on 127.0.0.1)
          </label>
          {state?.enabled && state.url && (
            <dl data-testid="keel-mcp-endpoint">
              <dt>URL</dt>
              <dd>
                <code>{state.url}</code>
              </dd>
              <dt>Token</dt>
              <dd>
                <code>{state.token}</code> <span className="meta">(send as Authorization: Bearer; anyone with it can read your memory)</span>
              </dd>
            </dl>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

import { useState } from 'react';
import type { McpServerView } from '../../../../../shared/domain/mcp';
import { useWhenConnected } from '../../../app/useWhenConnected';
import { useKeel } from '../../../store/store';
import { McpServerCard } from './McpServerCard';
import { McpServerForm } from './McpServerForm';
import { KeelAsMcpServer } from './KeelAsMcpServer';

/** Settings → MCP servers: other programs whose tools Keel's agents may call, each tool with the risk you give it. */
export function McpSettings() {
  const refresh = useKeel((s) => s.refreshMcp);
  const servers = useKeel((s) => s.mcpServers);
  const loaded = useKeel((s) => s.mcpLoaded);
  const error = useKeel((s) => s.mcpError);
  const notice = useKeel((s) => s.mcpNotice);
  const [form, setForm] = useState<{ editing: McpServerView | null } | null>(null);
  useWhenConnected(refresh, [refresh]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="mcp-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      <section aria-labelledby="mcp-title">
        <h2 id="mcp-title">MCP servers</h2>
        <p className="meta">
          A Model Context Protocol server offers tools (a file share, an issue tracker, a CRM); each becomes an action agents may be allowed to call, always through Keel’s
          permissions, approvals and ledger. A tool whose description speaks to the model instead of describing the tool is flagged and always needs your approval.
        </p>
        {!loaded ? (
          !error && <p className="meta">Loading…</p>
        ) : (
          <>
            {servers.length === 0 ? (
              <p className="meta">No MCP server yet.</p>
            ) : (
              <ul className="providers">
                {servers.map((s) => (form?.editing?.name === s.name ? null : <McpServerCard key={s.name} server={s} onEdit={() => setForm({ editing: s })} />))}
              </ul>
            )}
            {form ? (
              <McpServerForm key={form.editing?.name ?? 'new'} server={form.editing} onDone={() => setForm(null)} />
            ) : (
              <button type="button" onClick={() => setForm({ editing: null })}>
                Add an MCP server…
              </button>
            )}
          </>
        )}
      </section>
      <KeelAsMcpServer />
    </>
  );
}

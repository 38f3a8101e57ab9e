import type { McpServerInput, McpServerView } from '../../../../../shared/domain/mcp';
import { varNameOk, type VarRow } from './VarsEditor';

export interface ServerDraft {
  name: string;
  kind: 'stdio' | 'http';
  command: string;
  /** One argument per line. */
  args: string;
  cwd: string;
  url: string;
  env: VarRow[];
  headers: VarRow[];
  enabled: boolean;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** A stored secret's value arrives masked: the form shows it blank (blank keeps it). */
const rowsOf = (values: Record<string, string>, secret: string[]): VarRow[] =>
  Object.entries(values).map(([name, value]) => (secret.includes(name) ? { name, value: '', secret: true, masked: value || null } : { name, value, secret: false, masked: null }));

export function toServerDraft(s: McpServerView | null): ServerDraft {
  const t = s?.transport;
  return {
    name: s?.name ?? '',
    kind: t?.kind ?? 'stdio',
    command: t?.kind === 'stdio' ? t.command : '',
    args: t?.kind === 'stdio' ? t.args.join('\n') : '',
    cwd: t?.kind === 'stdio' ? (t.cwd ?? '') : '',
    url: t?.kind === 'http' ? t.url : '',
    env: t?.kind === 'stdio' ? rowsOf(t.env, s!.secret) : [],
    headers: t?.kind === 'http' ? rowsOf(t.headers, s!.secret) : [],
    enabled: s?.enabled ?? true,
  };
}

/** What is wrong with the draft, in words; null when it can be saved. */
export function serverProblem(d: ServerDraft, isNew: boolean): string | null {
  if (isNew && !NAME.test(d.name)) return 'The name is lower-case letters, digits and dashes (up to 31), starting with a letter.';
  if (d.kind === 'stdio' && !d.command.trim()) return 'Give the command that starts the server.';
  if (d.kind === 'http') {
    try {
      if (!/^https?:$/.test(new URL(d.url.trim()).protocol)) return 'The URL starts with http:// or https://.';
    } catch {
      return 'Give the server’s URL, such as https://mcp.example.com/mcp.';
    }
  }
  const rows = d.kind === 'stdio' ? d.env : d.headers;
  const bad = rows.find((r) => !varNameOk(r.name));
  if (bad) return `"${bad.name}" is not a ${d.kind === 'stdio' ? 'variable' : 'header'} name (letters, digits, _ and -).`;
  const names = rows.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) return `${twice} is given twice.`;
  const missing = rows.find((r) => r.secret && !r.value && !r.masked);
  if (missing) return `Give the value of the secret ${missing.name}.`;
  return null;
}

const values = (rows: VarRow[]) => Object.fromEntries(rows.map((r) => [r.name, r.value]));

/** The server as the API takes it; the tools' risks as they are (set per tool in the list). */
export function toServerInput(d: ServerDraft, risks: McpServerView['risks']): McpServerInput {
  const rows = d.kind === 'stdio' ? d.env : d.headers;
  return {
    name: d.name,
    transport:
      d.kind === 'stdio'
        ? { kind: 'stdio', command: d.command.trim(), args: d.args.split('\n').map((a) => a.trim()).filter(Boolean), ...(d.cwd.trim() ? { cwd: d.cwd.trim() } : {}), env: values(d.env) }
        : { kind: 'http', url: d.url.trim(), headers: values(d.headers) },
    secret: rows.filter((r) => r.secret).map((r) => r.name),
    risks,
    enabled: d.enabled,
  };
}

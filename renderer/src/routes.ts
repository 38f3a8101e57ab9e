import { isViewId, type ViewId } from './views/registry';

/**
 * Where the app is, kept in the URL hash so a reload, the back button or a link from a
 * search hit lands on the same place: `#/<view>/<path...>?<query>`, e.g.
 * `#/documents/<id>?chunk=<chunkId>`, `#/memory/items/<id>`, `#/agents/<name>` or
 * `#/settings/models`.
 */
export interface Route {
  view: ViewId;
  path: string[];
  query: Record<string, string>;
}

export function routeFromHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const [head, search] = q < 0 ? [raw, ''] : [raw.slice(0, q), raw.slice(q + 1)];
  const [first = '', ...rest] = head.split('/').filter(Boolean).map(safeDecode);
  if (!isViewId(first)) return { view: 'inbox', path: [], query: {} };
  return { view: first, path: rest, query: Object.fromEntries(new URLSearchParams(search)) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function href(view: ViewId, path: string[] = [], query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return `#/${[view, ...path].map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

/** A document, optionally at a chunk, with the search terms to mark there. */
export const documentHref = (id: string, chunkId?: string, terms?: string[]): string =>
  href('documents', [id], { chunk: chunkId, terms: chunkId && terms?.length ? terms.join(' ') : undefined });
export const memoryHref = (id: string): string => href('memory', ['items', id]);
export const entityHref = (id: string): string => href('memory', ['entities', id]);
export const reviewsHref = (): string => href('memory', ['reviews']);
export const entitiesHref = (): string => href('memory', ['entities']);
export const inboxHref = (): string => href('inbox');
export const agentHref = (name: string): string => href('agents', [name]);
export const SETTINGS_SECTIONS = ['general', 'models', 'email', 'intake', 'calendar', 'apps', 'mcp'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];
export const settingsHref = (section: SettingsSection = 'general'): string => href('settings', section === 'general' ? [] : [section]);
/** The Costs view over the last `days` days (30, the default, leaves the query out). */
export const costsHref = (days = 30): string => href('costs', [], { days: days === 30 ? undefined : String(days) });

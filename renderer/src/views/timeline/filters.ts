import type { TimelineFilter } from '../../../../shared/domain/timeline';
import { href } from '../../routes';

/**
 * The timeline's filters live in the URL hash query, so a reload, the back button or a shared
 * link shows the same slice of the ledger:
 * `#/timeline?agent=drafter&app=books&run=<id>&type=step.failed,run.*&from=2026-01-31T09:00&to=...&cost=0.01&failed=1&q=invoice&group=runs`,
 * and a run's trace at `#/timeline/runs/<id>?<the same>`.
 */
export const QUERY_KEYS = ['agent', 'app', 'run', 'type', 'from', 'to', 'cost', 'failed', 'q', 'group'] as const;
export type QueryKey = (typeof QUERY_KEYS)[number];
export type TimelineQuery = Partial<Record<QueryKey, string>>;

/** A `datetime-local` value (local time) or an ISO time, as ISO; null when it is not a time. */
export function toIso(value: string): string | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface ParsedQuery {
  filter: TimelineFilter;
  group: boolean;
  /** Values in the URL that could not be read (shown, and left out of the filter). */
  problems: string[];
}

export function parseTimelineQuery(q: Record<string, string>): ParsedQuery {
  const problems: string[] = [];
  const filter: TimelineFilter = {};
  const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  filter.agent = text(q.agent);
  filter.app = text(q.app);
  filter.runId = text(q.run);
  const types = (q.type ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (types.length) filter.types = types;
  for (const key of ['from', 'to'] as const) {
    const v = text(q[key]);
    if (!v) continue;
    const iso = toIso(v);
    if (iso) filter[key] = iso;
    else problems.push(`“${v}” is not a time (${key}).`);
  }
  const cost = text(q.cost);
  if (cost !== undefined) {
    const n = Number(cost);
    if (Number.isFinite(n)) filter.costAbove = n;
    else problems.push(`“${cost}” is not an amount (cost above).`);
  }
  if (q.failed === '1') filter.failedOnly = true;
  filter.text = text(q.q);
  for (const k of Object.keys(filter) as (keyof TimelineFilter)[]) if (filter[k] === undefined) delete filter[k];
  return { filter, group: q.group === 'runs', problems };
}

/** The timeline's own keys of a route query, in a fixed order (a stable identity for a filter). */
export function timelineQuery(q: Record<string, string>): TimelineQuery {
  const out: TimelineQuery = {};
  for (const k of QUERY_KEYS) if (q[k]) out[k] = q[k];
  return out;
}

export const filterKey = (f: TimelineFilter): string => JSON.stringify(Object.entries(f).sort(([a], [b]) => a.localeCompare(b)));
export const hasFilter = (f: TimelineFilter): boolean => Object.keys(f).length > 0;

export const timelineHref = (q: TimelineQuery = {}): string => href('timeline', [], q);
export const traceHref = (runId: string, q: TimelineQuery = {}): string => href('timeline', ['runs', runId], q);

const UNITS = ['B', 'KB', 'MB', 'GB'];

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}

export const formatCount = (n: number): string => n.toLocaleString();

/** US dollars: "$0" for nothing (local models), four decimals below a cent, else cents. */
export const formatUsd = (n: number): string => (n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
export const formatMs = (n: number | null): string => (n === null ? '—' : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
export const formatPercent = (part: number, whole: number): string => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "Invoices › Terms": where in the document a chunk sits. */
export const headingTrail = (path: string[]): string => path.join(' › ');

export function pageLabel(page: number | null, pageEnd: number | null = null): string | null {
  if (page === null) return null;
  return pageEnd !== null && pageEnd !== page ? `pp. ${page}–${pageEnd}` : `p. ${page}`;
}

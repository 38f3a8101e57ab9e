import type { PGlite } from '@electric-sql/pglite';
import { ApiError } from '../../../shared/api/errors';
import { MAX_WINDOW_DAYS, type CostsQuery, type CostWindow } from '../../../shared/domain/insights';

/** The default window: today and the 29 days before it. */
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

const invalid = (message: string) => new ApiError({ code: 'invalid_input', message });

/** Zones the database accepted once; asking again costs a round trip for nothing. */
const knownZones = new Set<string>(['UTC']);

/** Postgres decides what a zone name means (its own tz database), so Postgres is asked. */
async function checkTimeZone(db: PGlite, tz: string): Promise<void> {
  if (knownZones.has(tz)) return;
  try {
    await db.query('SELECT now() AT TIME ZONE $1', [tz]);
  } catch {
    throw invalid(`Invalid input for insights.costs: timeZone: "${tz}" is not a time zone the database knows (try UTC or a name such as Europe/Berlin).`);
  }
  knownZones.add(tz);
}

interface Bounds {
  lo: Date;
  hi: Date;
  first_day: string;
  last_day: string;
}

/**
 * The window as moments and calendar days; without `from`, the 30 days ending with `to`'s
 * day. Done in SQL because a date means a day in the operator's zone, and only the
 * database's zone rules (DST included) agree with how the figures are bucketed into days.
 */
export async function resolveWindow(db: PGlite, q: CostsQuery, now: number): Promise<CostWindow> {
  const tz = q.timeZone ?? 'UTC';
  await checkTimeZone(db, tz);
  const { rows } = await db.query<Bounds>(
    `WITH h AS (
       SELECT CASE WHEN $2::text IS NULL THEN $3::timestamptz
                   WHEN length($2) = 10 THEN (($2::date + 1)::timestamp AT TIME ZONE $4) ELSE $2::timestamptz END AS hi
     ), b AS (
       SELECT hi, CASE WHEN $1::text IS NULL THEN ((((hi - interval '1 microsecond') AT TIME ZONE $4)::date - $5::int)::timestamp AT TIME ZONE $4)
                       WHEN length($1) = 10 THEN ($1::date::timestamp AT TIME ZONE $4) ELSE $1::timestamptz END AS lo
       FROM h
     )
     SELECT lo, hi, (lo AT TIME ZONE $4)::date::text AS first_day, ((hi - interval '1 microsecond') AT TIME ZONE $4)::date::text AS last_day FROM b`,
    [q.from ?? null, q.to ?? null, new Date(now).toISOString(), tz, DEFAULT_DAYS - 1],
  );
  const b = rows[0]!;
  if (b.lo.getTime() >= b.hi.getTime()) {
    throw invalid(`Invalid input for insights.costs: from (${b.lo.toISOString()}) must be before to (${b.hi.toISOString()}).`);
  }
  if (b.hi.getTime() - b.lo.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw invalid(`Invalid input for insights.costs: the window from ${b.lo.toISOString()} to ${b.hi.toISOString()} is longer than ${MAX_WINDOW_DAYS} days; ask for a shorter one.`);
  }
  return { from: b.lo.toISOString(), to: b.hi.toISOString(), timeZone: tz, firstDay: b.first_day, lastDay: b.last_day };
}

/** Every calendar day from `first` to `last` (YYYY-MM-DD, both included): plain date arithmetic, no zone. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

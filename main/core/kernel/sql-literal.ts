/**
 * SQL literals for the kernel's hot path, which sends one simple-protocol statement per
 * step (PGlite's extended protocol costs about half as much again per call). Safe only with
 * standard_conforming_strings on, which the kernel checks at start: then a quote doubled is
 * the only escape a string needs.
 */
export function lit(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be stored as a number.`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  if (text.includes('\u0000')) throw new TypeError('Text with a NUL character cannot be stored.');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A JSON value as a jsonb literal. */
export const jsonLit = (value: unknown): string => (value === undefined || value === null ? 'NULL' : `${lit(JSON.stringify(value))}::jsonb`);

export async function assertStandardStrings(db: { query<T>(sql: string): Promise<{ rows: T[] }> }): Promise<void> {
  const { rows } = await db.query<{ standard_conforming_strings: string }>('SHOW standard_conforming_strings');
  if (rows[0]?.standard_conforming_strings !== 'on') throw new Error('The kernel needs standard_conforming_strings = on.');
}

/** The ranges the Costs view offers, in days (today included). */
export const COST_RANGES = [7, 30, 90] as const;
export type CostRange = (typeof COST_RANGES)[number];

/** The operator's own calendar day `days - 1` days before today, as YYYY-MM-DD. */
export function rangeStart(days: CostRange, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** `#/costs?days=7`: the range in the address, 30 when absent or unknown. */
export const rangeOf = (days: string | undefined): CostRange => COST_RANGES.find((r) => String(r) === days) ?? 30;

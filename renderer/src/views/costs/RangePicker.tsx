import { COST_RANGES, type CostRange } from './range';

/** Last 7, 30 or 90 days (today included): radio buttons styled as a segmented control. */
export function RangePicker({ value, onChange }: { value: CostRange; onChange: (range: CostRange) => void }) {
  return (
    <fieldset className="costs-range">
      <legend className="sr-only">Range</legend>
      {COST_RANGES.map((days) => (
        <label key={days} className={days === value ? 'selected' : undefined}>
          <input type="radio" name="costs-range" value={days} checked={days === value} onChange={() => onChange(days)} />
          {days} days
        </label>
      ))}
    </fieldset>
  );
}

/** The optional note kept with a decision. */
export function DecisionNote({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <label className="note">
      Note <input value={value} onChange={(e) => onChange(e.target.value)} placeholder="optional, kept with the decision" />
    </label>
  );
}

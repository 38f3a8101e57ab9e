/** Why an app cannot be installed, each problem with where it is in the manifest. */
export function Problems({ summary, problems }: { summary: string; problems: string[] }) {
  return (
    <div className="app-problems" role="alert">
      <p className="error">
        <strong>{summary}</strong>
      </p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i} className="error" data-testid="app-problem">
              {p}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

import { useKeel } from '../store/store';
import { views } from '../views/registry';

export function Nav() {
  const current = useKeel((s) => s.view);
  const navigate = useKeel((s) => s.navigate);
  const reviewsOpen = useKeel((s) => s.reviewsOpen);
  const waiting = useKeel((s) => s.inboxCounts.total);
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">Keel</div>
      <ul>
        {views.map((v) => (
          <li key={v.id}>
            <a
              href={`#/${v.id}`}
              aria-current={current === v.id ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(v.id);
              }}
            >
              {v.label}
              {v.id === 'inbox' && waiting > 0 && (
                <span className="badge" data-testid="inbox-count" title="Waiting for you">
                  {' '}
                  {waiting}
                  <span className="sr-only"> waiting</span>
                </span>
              )}
              {v.id === 'memory' && reviewsOpen > 0 && (
                <span className="badge" title="Open review items">
                  {' '}
                  {reviewsOpen}
                  <span className="sr-only"> to review</span>
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

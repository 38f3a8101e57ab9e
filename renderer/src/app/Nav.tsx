import { useKeel } from '../store/store';
import { views } from '../views/registry';

export function Nav() {
  const current = useKeel((s) => s.view);
  const navigate = useKeel((s) => s.navigate);
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
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

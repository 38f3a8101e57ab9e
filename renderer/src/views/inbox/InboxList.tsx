import type { InboxItem } from '../../../../shared/domain/inbox';
import { href } from '../../routes';
import { useKeel } from '../../store/store';

const KIND_LABEL: Record<InboxItem['kind'], string> = { approval: 'Approval', escalation: 'Escalation', dead_letter: 'Parked run' };

/** "3 min", "2 h", "4 d": how long an item has waited. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

function Row({ item, selected }: { item: InboxItem; selected: boolean }) {
  const go = useKeel((s) => s.go);
  const link = href('inbox', [item.id]);
  return (
    <li className={`inbox-row${selected ? ' selected' : ''}`} data-testid="inbox-row" data-id={item.id} data-kind={item.kind}>
      <a
        href={link}
        aria-current={selected ? 'true' : undefined}
        onClick={(e) => {
          e.preventDefault();
          go(link);
        }}
      >
        <span className={`risk risk-${item.risk}`}>{item.risk}</span>
        <span className="inbox-title">{item.title}</span>
        <span className="inbox-summary">{item.summary}</span>
        <span className="inbox-meta">
          {KIND_LABEL[item.kind]}
          {item.subkind !== item.kind && item.subkind !== 'dead_letter' ? ` · ${item.subkind.replace('_', ' ')}` : ''}
          {item.agent ? ` · ${item.agent}` : ''} · <time dateTime={item.createdAt}>{age(item.createdAt)}</time>
        </span>
      </a>
    </li>
  );
}

/** The pending items, riskiest and oldest first; j and k move through them. */
export function InboxList({ items, selectedId }: { items: InboxItem[]; selectedId: string | null }) {
  return (
    <ol className="inbox-list" aria-label="Waiting for you">
      {items.map((i) => (
        <Row key={i.id} item={i} selected={i.id === selectedId} />
      ))}
    </ol>
  );
}

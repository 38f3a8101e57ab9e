import type { SearchHit } from '../../../../shared/domain/memory';
import { Highlighted } from '../../components/Highlighted';
import { documentHref, memoryHref } from '../../routes';
import { formatDay, headingTrail, pageLabel } from '../../util/format';
import { KIND_LABEL, STATUS_LABEL } from './labels';

/** Where a hit came from, as a link that opens it at the right place. */
function Provenance({ hit, terms }: { hit: SearchHit; terms: string[] }) {
  const s = hit.source;
  if (s.type === 'chunk') {
    const where = [s.headingPath.length ? headingTrail(s.headingPath) : null, pageLabel(s.page)].filter(Boolean).join(' · ');
    return (
      <a className="source-link" data-testid="hit-source" href={documentHref(s.documentId, s.chunkId, terms)}>
        Open {s.documentName}
        {where ? ` — ${where}` : ''}
      </a>
    );
  }
  const p = s.provenance;
  return (
    <>
      <a className="source-link" data-testid="hit-source" href={memoryHref(s.memoryId)}>
        Open memory
      </a>
      {p.documentId && (
        <a className="source-link" href={documentHref(p.documentId, p.chunkId)}>
          from its document
        </a>
      )}
      {p.source && <span className="meta">said by {p.source}</span>}
    </>
  );
}

function Ranks({ ranks }: { ranks: SearchHit['ranks'] }) {
  const parts = [ranks.keyword !== null ? `words #${ranks.keyword}` : null, ranks.vector !== null ? `meaning #${ranks.vector}` : null].filter(Boolean);
  return (
    <span className="ranks" title="Rank in the keyword (BM25) and vector lists before they were fused">
      {parts.join(' · ')}
    </span>
  );
}

/** One search hit: kind, title, the passage with the query's words marked, ranks and source. */
export function SearchHitItem({ hit, terms }: { hit: SearchHit; terms: string[] }) {
  const s = hit.source;
  const kind = s.type === 'chunk' ? 'Document' : KIND_LABEL[s.kind];
  return (
    <li className="hit" data-testid="search-hit" data-type={hit.type}>
      <header>
        <span className={`kind kind-${s.type === 'chunk' ? 'chunk' : s.kind}`}>{kind}</span>
        <h3>{hit.title}</h3>
        {s.type === 'memory' && s.status !== 'active' && <span className="pill">{STATUS_LABEL[s.status]}</span>}
        <Ranks ranks={hit.ranks} />
      </header>
      <p className="snippet">
        <Highlighted text={hit.snippet.text} ranges={hit.snippet.highlights} />
      </p>
      <footer>
        <Provenance hit={hit} terms={terms} />
        <span className="meta">
          {s.type === 'memory' ? `valid ${formatDay(s.validFrom)}${s.validTo ? ` – ${formatDay(s.validTo)}` : ' – now'}` : formatDay(hit.at)}
        </span>
      </footer>
    </li>
  );
}

import type { DocumentVersion } from '../../../../shared/domain/documents';
import { formatBytes, formatCount, formatDate } from '../../util/format';

/** A document's versions, newest first: when, which bytes (hash prefix), how big, what came out. */
export function VersionTable({ versions, current }: { versions: DocumentVersion[]; current: number | null }) {
  if (versions.length === 0) return <p className="meta">No version stored yet.</p>;
  return (
    <table className="versions">
      <caption className="sr-only">Versions</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Stored</th>
          <th scope="col">SHA-256</th>
          <th scope="col">Size</th>
          <th scope="col">Type</th>
          <th scope="col">Pages</th>
          <th scope="col">Chunks</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version} aria-current={v.version === current ? 'true' : undefined}>
            <td>v{v.version}</td>
            <td>{formatDate(v.createdAt)}</td>
            <td>
              <code title={v.sha256}>{v.sha256.slice(0, 12)}</code>
            </td>
            <td>{formatBytes(v.size)}</td>
            <td>{v.type}</td>
            <td>{v.pages ?? '—'}</td>
            <td>{formatCount(v.chunkCount)}</td>
            <td>
              {v.status}
              {v.replacedAt ? ` ${formatDate(v.replacedAt)}` : ''}
              {v.warnings.length > 0 && <span className="meta" title={v.warnings.join('\n')}> · {v.warnings.length} warning{v.warnings.length > 1 ? 's' : ''}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { useKeel } from '../store/store';
import { DocumentDetailView } from './documents/DocumentDetailView';
import { DocumentList } from './documents/DocumentList';

/** `#/documents` lists every document; `#/documents/<id>?chunk=<chunkId>` opens one at a place. */
export function DocumentsView() {
  const route = useKeel((s) => s.route);
  const id = route.path[0];
  return id ? <DocumentDetailView key={id} id={id} chunkId={route.query.chunk ?? null} terms={route.query.terms?.split(' ').filter(Boolean) ?? []} /> : <DocumentList />;
}

import { useKeel } from '../store/store';
import { DocumentsView } from './DocumentsView';
import { InboxView } from './InboxView';
import { TimelineView } from './TimelineView';
import { EmptyState } from './EmptyState';
import { views } from './registry';
import { SettingsView } from './SettingsView';

export function ViewOutlet() {
  const view = useKeel((s) => s.view);
  if (view === 'inbox') return <InboxView />;
  if (view === 'timeline') return <TimelineView />;
  if (view === 'documents') return <DocumentsView />;
  if (view === 'settings') return <SettingsView />;
  return <EmptyState view={views.find((v) => v.id === view)!} />;
}

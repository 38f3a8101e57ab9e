import { useKeel } from '../store/store';
import { AgentsView } from './AgentsView';
import { CostsView } from './costs/CostsView';
import { DocumentsView } from './DocumentsView';
import { EmptyState } from './EmptyState';
import { InboxView } from './InboxView';
import { MemoryView } from './MemoryView';
import { views } from './registry';
import { SettingsView } from './SettingsView';
import { TimelineView } from './TimelineView';

export function ViewOutlet() {
  const view = useKeel((s) => s.view);
  if (view === 'inbox') return <InboxView />;
  if (view === 'timeline') return <TimelineView />;
  if (view === 'costs') return <CostsView />;
  if (view === 'documents') return <DocumentsView />;
  if (view === 'memory') return <MemoryView />;
  if (view === 'agents') return <AgentsView />;
  if (view === 'settings') return <SettingsView />;
  return <EmptyState view={views.find((v) => v.id === view)!} />;
}

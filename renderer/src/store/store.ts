import { create } from 'zustand';
import { keelClient } from '../api/client';
import { throttle } from '../util/timing';
import { createAdaptersSlice, type AdaptersSlice } from './adapters-slice';
import { createAgentsSlice, type AgentsSlice } from './agents-slice';
import { createAppsSlice, type AppsSlice } from './apps-slice';
import { createCalendarSlice, type CalendarSlice } from './calendar-slice';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createCostsSlice, type CostsSlice } from './costs-slice';
import { createDocumentDetailSlice, type DocumentDetailSlice } from './document-detail-slice';
import { createDocumentsSlice, type DocumentsSlice } from './documents-slice';
import { createEmailSlice, type EmailSlice } from './email-slice';
import { createEntitiesSlice, type EntitiesSlice } from './entities-slice';
import { createImapSlice, type ImapSlice } from './imap-slice';
import { createInboxSlice, type InboxSlice } from './inbox-slice';
import { createMcpSlice, type McpSlice } from './mcp-slice';
import { createMemoriesSlice, type MemoriesSlice } from './memories-slice';
import { createModelsSlice, type ModelsSlice } from './models-slice';
import { createNavigationSlice, type NavigationSlice } from './navigation-slice';
import { createPreferencesSlice, type PreferencesSlice } from './preferences-slice';
import { createReviewsSlice, type ReviewsSlice } from './reviews-slice';
import { createSearchSlice, type SearchSlice } from './search-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import { createSystemSlice, type SystemSlice } from './system-slice';
import { createTimelineSlice, type TimelineSlice } from './timeline-slice';
import { createUploadsSlice, type UploadsSlice } from './uploads-slice';

export type KeelStore = ConnectionSlice &
  SystemSlice &
  NavigationSlice &
  InboxSlice &
  TimelineSlice &
  DocumentsSlice &
  DocumentDetailSlice &
  UploadsSlice &
  SearchSlice &
  MemoriesSlice &
  ReviewsSlice &
  EntitiesSlice &
  SettingsSlice &
  AgentsSlice &
  ModelsSlice &
  EmailSlice &
  PreferencesSlice &
  CostsSlice &
  AdaptersSlice &
  AppsSlice &
  CalendarSlice &
  ImapSlice &
  McpSlice;

/** One bound store made of typed slices; components read it with selectors. */
export const useKeel = create<KeelStore>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createSystemSlice(...a),
  ...createNavigationSlice(...a),
  ...createInboxSlice(...a),
  ...createTimelineSlice(...a),
  ...createDocumentsSlice(...a),
  ...createDocumentDetailSlice(...a),
  ...createUploadsSlice(...a),
  ...createSearchSlice(...a),
  ...createMemoriesSlice(...a),
  ...createReviewsSlice(...a),
  ...createEntitiesSlice(...a),
  ...createSettingsSlice(...a),
  ...createAgentsSlice(...a),
  ...createModelsSlice(...a),
  ...createEmailSlice(...a),
  ...createPreferencesSlice(...a),
  ...createCostsSlice(...a),
  ...createAdaptersSlice(...a),
  ...createAppsSlice(...a),
  ...createCalendarSlice(...a),
  ...createImapSlice(...a),
  ...createMcpSlice(...a),
}));

/** Coalesces bursts of pushed events into one reload per frame of work. */
function coalesce(fn: () => Promise<void>): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      void fn();
    });
  };
}

/** Events that change the Costs view's figures: spending steps, runs' outcomes, approvals, caps. */
const COST_EVENTS = /^(step\.completed|run\.|approval\.|budget\.)/;

/** Events after which an adapter's health may have changed: an effect sent or undone, a step failed, an adapter upgraded. */
const ADAPTER_EVENTS = /^(effect\.|step\.failed|adapter\.)/;

/** Ingestion pushes an event per file and step: lists reload at most this often. */
const BURST_MS = 300;

/** Wires pushed events and connection changes from the core into the store. */
export function connectStore(): () => void {
  const client = keelClient();
  const store = useKeel.getState;
  const inbox = coalesce(() => store().refreshInbox());
  const timeline = coalesce(() => store().refreshTimeline());
  const documents = throttle(async () => {
    if (store().documentsWanted) await store().refreshDocuments();
  }, BURST_MS);
  const openDocument = new Set<string>();
  const docDetail = throttle(async () => {
    const ids = [...openDocument];
    openDocument.clear();
    for (const id of ids) await store().reloadDocument(id);
  }, BURST_MS);
  const memories = throttle(async () => {
    store().refreshSearch();
    if (store().recentLoaded) await store().refreshRecentMemories();
  }, BURST_MS);
  const reviews = throttle(() => store().refreshReviews(), BURST_MS);
  // A watched folder's document count moves with ingestion; Settings shows it.
  const folders = throttle(async () => {
    if (store().view === 'settings') await store().refreshFolders();
  }, 1_000);
  const entities = throttle(async () => {
    if (store().entitiesLoaded) await store().refreshEntities();
  }, BURST_MS);
  const models = throttle(async () => {
    if (store().modelsLoaded) await store().refreshModels();
  }, BURST_MS);
  // A save pushes one change per agent; bursts (seeding, several saves) reload once.
  const agentNames = new Set<string>();
  const agentsBurst = throttle(async () => {
    const names = [...agentNames];
    agentNames.clear();
    store().agentsChanged(names);
  }, BURST_MS);
  const agents = (name: string) => {
    agentNames.add(name);
    agentsBurst();
  };
  const email = throttle(async () => {
    if (store().emailLoaded) await store().refreshEmail();
  }, BURST_MS);
  // Connections (adapters' health) follow the ledger only while a view shows them.
  const adapters = throttle(async () => {
    if (store().adaptersWatchers > 0) await store().refreshAdapters();
  }, 1_000);
  const apps = throttle(async () => {
    if (store().appsLoaded) await store().refreshApps();
  }, BURST_MS);
  const calendar = throttle(async () => {
    if (store().calendarLoaded) await store().refreshCalendar();
  }, BURST_MS);
  // Intake pushes a change per message taken in: the folders' figures reload at most each second.
  const imap = throttle(async () => {
    if (store().imapLoaded) await store().refreshImap();
  }, 1_000);
  const mcp = throttle(async () => {
    if (store().mcpLoaded) await store().refreshMcp();
  }, BURST_MS);
  // Spending and canary figures come from the ledger: while they are shown, follow it (gently).
  const modelFigures = throttle(async () => {
    const { view, route } = store();
    if (view !== 'settings' || route.path[0] !== 'models') return;
    await Promise.all([store().refreshUsage(), store().refreshComparisons()]);
  }, 2_000);
  // The Costs view's figures are sums over the ledger: while it is open, follow it (gently).
  const costFigures = throttle(async () => {
    if (store().view === 'costs') await store().refreshCosts();
  }, 2_000);

  const offs = [
    client.onConnection((state) => {
      store().setConnection(state);
      if (state !== 'connected') return;
      void store().refreshStatus();
      void store().refreshIngestCounts();
      void store().refreshPreferences();
      inbox();
      timeline();
      documents();
      reviews();
    }),
    client.on('system.statusChanged', (status) => store().setStatus(status)),
    client.on('approvals.changed', inbox),
    client.on('escalations.changed', inbox),
    client.on('deadLetters.changed', inbox),
    client.on('ledger.appended', (e) => {
      timeline();
      // Only a finished step (a model call) or a decision (a canary's approvals) changes those figures.
      if (e.type === 'step.completed' || e.type === 'approval.decided') modelFigures();
      if (COST_EVENTS.test(e.type)) costFigures();
      if (ADAPTER_EVENTS.test(e.type)) adapters();
    }),
    client.on('documents.changed', (e) => {
      store().documentChanged(e);
      store().uploadDocChanged(e);
      if (store().docDetail?.id === e.id) {
        openDocument.add(e.id);
        docDetail();
      }
      documents();
    }),
    client.on('documents.progress', (counts) => {
      store().setIngestCounts(counts);
      folders();
    }),
    client.on('memory.changed', (e) => {
      memories();
      const open = store().memoryDetail?.id;
      if (open && e.memoryIds.includes(open) && store().route.path[0] === 'items') void store().openMemory(open);
      // An entity page lists its facts: keep it current while it is shown.
      if (store().route.path[0] === 'entities') store().entityChanged('');
    }),
    client.on('reviews.changed', (e) => {
      store().setReviewsOpen(e.open);
      reviews();
    }),
    client.on('entities.changed', (e) => {
      entities();
      store().entityChanged(e.id);
    }),
    client.on('folders.changed', () => void store().refreshFolders()),
    client.on('embeddings.changed', (state) => store().setEmbedding(state)),
    client.on('agents.changed', (e) => agents(e.name)),
    client.on('models.changed', models),
    client.on('email.changed', email),
    client.on('preferences.changed', (p) => store().setPreferences(p)),
    client.on('budgets.changed', () => void store().refreshDesk()),
    client.on('budgets.changed', costFigures),
    client.on('kernel.changed', () => void store().refreshDesk()),
    client.on('apps.changed', apps),
    client.on('calendar.changed', calendar),
    client.on('imap.changed', imap),
    client.on('mcp.changed', () => {
      mcp();
      adapters();
    }),
  ];
  const onHash = () => store().syncRoute();
  window.addEventListener('hashchange', onHash);
  return () => {
    offs.forEach((off) => off());
    window.removeEventListener('hashchange', onHash);
  };
}

/** The app's views, in navigation order. Each says what it will hold and how to fill it. */
export const views = [
  {
    id: 'inbox',
    label: 'Inbox',
    title: 'Nothing waits for you',
    holds: 'Proposals from your agents arrive here as paragraph-level diffs, each with its reason. Approve, reject or take some paragraphs in one click; escalations from stuck runs land here too.',
    fill: 'Install an app or start an agent; anything that needs your decision shows up here and in a tray notification.',
  },
  {
    id: 'timeline',
    label: 'Timeline',
    title: 'No agent has acted yet',
    holds: 'Every action of every agent, in order: the step, the model used, tokens and money spent, the reason, and the causal trace across agents.',
    fill: 'Start a workflow or an agent; each of its steps appears here as it happens.',
  },
  {
    id: 'costs',
    label: 'Costs',
    title: 'Nothing spent yet',
    holds: 'What your agents cost and what came of it: spending per day, agent, app and model, the most expensive runs, what failed, undone or rejected work cost, how often you approve each agent and how fast you decide, and budgets against their caps.',
    fill: 'Give your agents a priced language model (Settings → Models) and let them work; every model call’s tokens and cost are counted here from the ledger. Try a longer range if you expected figures.',
  },
  {
    id: 'memory',
    label: 'Memory',
    title: 'Memory is empty',
    holds: 'Facts, preferences and decisions your agents learned, each with where it came from. Duplicates, contradictions and stale items are queued here for your review.',
    fill: 'Drop files anywhere on this window, remember something yourself with Remember…, or let agents finish work; what they learn is kept here and searchable below.',
  },
  {
    id: 'documents',
    label: 'Documents',
    title: 'No documents yet',
    holds: 'The files you gave Keel: parsed, chunked and indexed so agents can search them by meaning and by words.',
    fill: 'Drag files anywhere onto this window, or choose them with Add files…; each is parsed, chunked and indexed, and you can follow its progress here.',
  },
  {
    id: 'agents',
    label: 'Agents',
    title: 'No agents installed',
    holds: 'Your workforce: each agent with its role, instructions and their versions, model tier, permissions, approvals, budget and concurrency.',
    fill: 'Install an app (bookkeeping, content calendar, client work) to add its agents; the built-in triage, extractor, drafter, reconciler and summarizer come with Keel.',
  },
  {
    id: 'settings',
    label: 'Settings',
    title: 'Settings',
    holds: 'Where your data lives, versions, language and embedding models, e-mail in and out, the calendar, apps, MCP servers and the approval threshold.',
    fill: '',
  },
] as const;

export type ViewId = (typeof views)[number]['id'];
export type ViewInfo = (typeof views)[number];

export function isViewId(id: string): id is ViewId {
  return views.some((v) => v.id === id);
}

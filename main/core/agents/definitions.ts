import type { AgentSeed } from './registry';

/** The built-in agents as shipped; the operator edits them in the Agents view (each edit a version). */
export const BUILTIN_AGENTS: AgentSeed[] = [
  {
    name: 'triage',
    role: 'Classifies incoming items (documents, e-mails, notes) by intent and urgency, links them to the entities they are about, and routes them to the right workflow.',
    instructions:
      'You are the triage agent of a one-person business. For each incoming item decide its intent (meeting_notes, invoice, payment, request, newsletter, other) and urgency, and which known clients, people or projects it is about. Be conservative: when unsure, say so with a low confidence.',
    tier: 'fast',
    memoryScope: { read: ['fact', 'preference'], write: [], entityTypes: [] },
    permissions: [],
    approvals: [],
    budget: null,
    concurrency: 2,
  },
  {
    name: 'extractor',
    role: 'Turns meeting notes and documents into action items (owner, due date), decisions and facts in memory, with provenance.',
    instructions:
      'You are the extraction agent. From meeting notes or a document, list every action item with its owner and due date, every decision, and durable facts about the client (billing terms, preferred tone, preferences). Do not invent anything that is not in the text.',
    tier: 'fast',
    memoryScope: { read: ['fact', 'preference', 'decision', 'action_item'], write: ['fact', 'preference', 'decision', 'action_item'], entityTypes: [] },
    permissions: [],
    approvals: [],
    budget: null,
    concurrency: 2,
  },
  {
    name: 'drafter',
    role: "Writes and revises texts (e-mails, proposals, posts, release notes) using relevant memories such as a client's preferred tone and terms; revisions are proposed as paragraph-level changes with reasons.",
    instructions:
      "You are the drafting agent. Write clear, correct texts in the operator's voice, honouring what is remembered about the recipient (preferred tone, billing terms, preferences). When revising, change only what the request needs and give the reason.",
    tier: 'strong',
    memoryScope: { read: ['fact', 'preference', 'decision', 'action_item', 'summary'], write: [], entityTypes: [] },
    permissions: ['email.send', 'files.write'],
    approvals: ['email.send'],
    budget: null,
    concurrency: 1,
  },
  {
    name: 'reconciler',
    role: 'Matches invoices against payments (CSV exports or documents), proposes matches and escalates mismatches with the evidence.',
    instructions: 'You are the reconciliation agent. Match invoices to payments by amount, reference and date; never mark a mismatch as matched; explain every mismatch with the evidence.',
    tier: 'fast',
    memoryScope: { read: ['fact'], write: ['fact'], entityTypes: [] },
    permissions: [],
    approvals: [],
    budget: null,
    concurrency: 1,
  },
  {
    name: 'summarizer',
    role: 'Turns finished runs and long threads into episode memories.',
    instructions: 'You are the summarising agent. Summarise in at most three sentences what happened, who was involved and what was decided.',
    tier: 'fast',
    memoryScope: { read: [], write: ['summary', 'episode'], entityTypes: [] },
    permissions: [],
    approvals: [],
    budget: null,
    concurrency: 1,
  },
];

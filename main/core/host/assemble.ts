import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { dataFolderLayout } from '../data-folder/paths';
import { filesAdapter } from '../kernel/adapters/files';
import { httpAdapter } from '../kernel/adapters/http';
import { AgentsService } from '../agents/agents';
import type { Adapter } from '../kernel/adapters/adapter';
import { Kernel, type KernelOptions } from '../kernel/kernel';
import type { WorkflowDefinition } from '../kernel/workflow';
import { InboxService } from '../inbox/inbox-service';
import { MemoryService } from '../memory/memory';
import { ModelService } from '../models/model-service';
import { EmailSettingsStore, emailAdapter } from '../adapters/email';
import { correctionWorkflow, CORRECTION_WORKFLOW } from '../adapters/email/correction';
import { ImapService } from '../adapters/imap';
import { CalendarSettingsStore, calendarAdapter } from '../adapters/calendar';
import { AppsService } from '../apps/apps-service';
import { McpServers } from '../adapters/mcp/servers';
import { startRun } from '../kernel/operator';
import { keyFileCipher, SecretStore } from '../secrets';
import type { MemoryOverrides } from '../../../shared/api/memory-calls';

/** How long the core's start waits for MCP servers to connect before resuming runs. */
const MCP_START_WAIT_MS = 5_000;

export interface AssembleOptions {
  db: PGlite;
  dataDir: string;
  /** Adapters beyond Keel's own (files, http, email). */
  adapters: Adapter[];
  workflows?: WorkflowDefinition[];
  limits?: KernelOptions['limits'];
  clock?: KernelOptions['clock'];
  /** Secrets encrypted at rest (API keys, the SMTP password); default: the key file in the data folder. */
  secrets?: SecretStore;
  /** Whether every stored document is triaged (the seeded event schedule); default true. */
  autoTriage?: boolean;
  memory?: { overrides?: MemoryOverrides; modelsDir?: string };
  /** Where the bundled apps are (default: resources/apps found from the built code). */
  appsDir?: string | null;
  /** Pins the undo window in seconds (tests that expect a decided run to go on at once pass 0). */
  undoSeconds?: number;
  /** Every pushed event (kernel, memory, models, agents). */
  notify: (event: string, payload: unknown) => void;
}

export interface Assembled {
  kernel: Kernel;
  memory: MemoryService;
  models: ModelService;
  agents: AgentsService;
  email: EmailSettingsStore;
  /** E-mail intake (IMAP): every new message a document, triaged once. */
  imap: ImapService;
  calendar: CalendarSettingsStore;
  /** Installed apps (declarative packages): their workflows registered, their records kept. */
  apps: AppsService;
  /** The operator's MCP servers, their tools registered as adapters once connected. */
  mcp: McpServers;
  inbox: InboxService;
  secrets: SecretStore;
  stop(): Promise<void>;
}

/**
 * The core's parts, built and started in dependency order (kernel → memory → models →
 * agents) on one database: the worker does this, and so do tests that need the parts'
 * internals, so both run the same assembly.
 */
export async function assembleCore(o: AssembleOptions): Promise<Assembled> {
  let memory: MemoryService | null = null;
  let inbox: InboxService | null = null;
  const secrets = o.secrets ?? new SecretStore(o.db, keyFileCipher(o.dataDir));
  // The adapter reads the settings at each send; the store needs the kernel for its ledger events.
  let emailSettings: EmailSettingsStore | null = null;
  let kernelRef: Kernel | null = null;
  const email = emailAdapter({
    db: o.db,
    secrets,
    settings: () => emailSettings!.settings(),
    // A rolled-back send proposes its correction as a run of its own, once per compensation.
    proposeCorrection: async (correction, reason, key) => ({ runId: (await startRun(kernelRef!, { workflow: CORRECTION_WORKFLOW, input: { correction, reason }, idempotencyKey: `correction:${key}` }, 'keel')).id }),
  });
  let calendarSettings: CalendarSettingsStore | null = null;
  const calendar = calendarAdapter({ db: o.db, secrets, workspace: join(o.dataDir, dataFolderLayout.workspace), settings: () => calendarSettings!.settings() });
  const kernel = new Kernel({
    db: o.db,
    // Every core has Keel's own adapters: files (inside the workspace), http, email; hosts may add more.
    adapters: [filesAdapter(join(o.dataDir, dataFolderLayout.workspace)), httpAdapter(), email, calendar, ...o.adapters],
    workflows: [correctionWorkflow(), ...(o.workflows ?? [])],
    limits: o.limits,
    clock: o.clock,
    onEvent: (event, payload) => {
      o.notify(event, payload);
      memory?.onKernelEvent(event, payload);
      inbox?.onKernelEvent(event, payload);
    },
  });
  memory = new MemoryService({ db: o.db, kernel, dataDir: o.dataDir, notify: o.notify, overrides: o.memory?.overrides, modelsDir: o.memory?.modelsDir });
  kernelRef = kernel;
  emailSettings = new EmailSettingsStore({ db: o.db, kernel, secrets, notify: o.notify });
  calendarSettings = new CalendarSettingsStore({ db: o.db, kernel, secrets, workspace: join(o.dataDir, dataFolderLayout.workspace), notify: o.notify });
  const models = new ModelService({ db: o.db, kernel, keys: secrets, notify: o.notify });
  const agents = new AgentsService({ db: o.db, kernel, memory, models, dataDir: o.dataDir, autoTriage: o.autoTriage ?? true, operatorName: operatorName(emailSettings), notify: o.notify });
  inbox = new InboxService({ db: o.db, kernel, memory, notify: o.notify, undoSeconds: o.undoSeconds });
  for (const wf of [...memory.workflows(), ...agents.workflows()]) kernel.register(wf);
  kernel.setMemory(memory.port());
  // Memory and agents may commit while they start (a schedule, a model's columns, the built-in agents): chain from the real head.
  await kernel.ledger.load(o.db);
  await memory.start();
  await agents.start();
  // Apps register their workflows (every installed version) before the kernel resumes their runs.
  const apps = new AppsService({ db: o.db, kernel, memory, agents: agents.registry, models, bundledDir: o.appsDir, notify: o.notify });
  await apps.start();
  await inbox.start();
  // MCP servers connect in the background; runs waiting on their tools resume once connected, or
  // after a few seconds regardless (a broken server is reported, not waited for).
  const mcp = new McpServers({ db: o.db, kernel, secrets, notify: o.notify });
  await mcp.start();
  await mcp.settled(MCP_START_WAIT_MS);
  await kernel.start();
  // Intake starts last (it queues ingest runs) and stops first (no message is taken in while the kernel stops).
  const imap = new ImapService({ db: o.db, kernel, memory, secrets, notify: o.notify });
  await imap.start();
  const m = memory;
  return {
    kernel,
    memory: m,
    models,
    agents,
    email: emailSettings,
    imap,
    calendar: calendarSettings,
    apps,
    mcp,
    inbox,
    secrets,
    async stop() {
      await imap.stop();
      await mcp.stop();
      await kernel.stop();
      await m.stop();
      await models.close();
    },
  };
}

/** Drafts are signed with the name the operator sends as (their e-mail settings), once set. */
function operatorName(email: EmailSettingsStore): () => Promise<string> {
  return async () => {
    const s = await email.settings();
    return s?.fromName?.trim() || s?.from.split('@')[0] || 'Your name';
  };
}

import type { PGlite } from '@electric-sql/pglite';
import type { z } from 'zod';
import type { CallName, CallOutput, calls } from '../../../shared/api/contract';
import { emailHandlers } from '../adapters/email/api';
import { agentsHandlers } from '../agents/api';
import type { AgentsService } from '../agents/agents';
import type { EmailSettingsStore } from '../adapters/email';
import { imapHandlers, type ImapService } from '../adapters/imap';
import { calendarHandlers } from '../adapters/calendar/api';
import { appsHandlers } from '../apps/api';
import { mcpHandlers } from '../adapters/mcp/api';
import type { McpServers } from '../adapters/mcp/servers';
import type { AppsService } from '../apps/apps-service';
import type { CalendarSettingsStore } from '../adapters/calendar';
import { inboxHandlers } from '../inbox/api';
import type { InboxService } from '../inbox/inbox-service';
import { insightsHandlers } from '../insights/api';
import { kernelHandlers } from '../kernel/api';
import type { Kernel } from '../kernel/kernel';
import { memoryHandlers } from '../memory/api';
import type { MemoryService } from '../memory/memory';
import { modelsHandlers } from '../models/api';
import type { ModelService } from '../models/model-service';
import { timelineHandlers } from '../kernel/timeline';

/** What a worker-side handler gets: the open database and the core's parts. */
export interface WorkerContext {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
  models: ModelService;
  agents: AgentsService;
  email: EmailSettingsStore;
  imap: ImapService;
  calendar: CalendarSettingsStore;
  apps: AppsService;
  mcp: McpServers;
  inbox: InboxService;
}

export type WorkerHandler<N extends CallName> = (ctx: WorkerContext, input: z.output<(typeof calls)[N]['input']>) => Promise<CallOutput<N>>;

type Handlers = { [N in CallName]?: (ctx: WorkerContext, input: never) => Promise<unknown> };
type PartHandlers<P> = Record<string, (part: P, input: never) => Promise<unknown>>;

/** A concept's handlers (each taking its own service) as worker handlers. */
function served<P>(handlers: PartHandlers<P>, part: (ctx: WorkerContext) => P): Handlers {
  return Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, (ctx: WorkerContext, input: never) => handler(part(ctx), input)]));
}

/**
 * Calls served inside the worker, next to the database. Calls about the process itself
 * (`system.*`) are answered on the main thread by `Core`, so they work while the database opens.
 */
export const workerHandlers: Handlers = {
  ...served(kernelHandlers as PartHandlers<Kernel>, (c) => c.kernel),
  ...served(timelineHandlers as PartHandlers<Kernel>, (c) => c.kernel),
  ...served(memoryHandlers as PartHandlers<MemoryService>, (c) => c.memory),
  ...served(agentsHandlers as PartHandlers<AgentsService>, (c) => c.agents),
  ...served(modelsHandlers as PartHandlers<ModelService>, (c) => c.models),
  ...served(emailHandlers as PartHandlers<EmailSettingsStore>, (c) => c.email),
  ...served(imapHandlers as PartHandlers<ImapService>, (c) => c.imap),
  ...served(calendarHandlers as PartHandlers<CalendarSettingsStore>, (c) => c.calendar),
  ...served(appsHandlers as PartHandlers<AppsService>, (c) => c.apps),
  ...served(mcpHandlers as PartHandlers<McpServers>, (c) => c.mcp),
  ...served(insightsHandlers as PartHandlers<Kernel>, (c) => c.kernel),
  ...served(inboxHandlers as PartHandlers<InboxService>, (c) => c.inbox),
};

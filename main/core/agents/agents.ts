import type { PGlite } from '@electric-sql/pglite';
import type { Kernel } from '../kernel/kernel';
import type { AnyWorkflow } from '../kernel/workflow';
import type { MemoryService } from '../memory/memory';
import type { ModelService } from '../models/model-service';
import { BUILTIN_AGENTS } from './definitions';
import { runConsultantExample, seedAutoTriage } from './example';
import { AgentRegistry } from './registry';
import { TASKS } from './tasks';
import { agentWorkflows } from './workflows';

export interface AgentsServiceDeps {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
  models: ModelService;
  dataDir: string;
  /** Seed the schedule that triages every stored document. */
  autoTriage: boolean;
  notify?: (event: string, payload: unknown) => void;
  operatorName?: () => Promise<string>;
}

/** The agents as the core sees them: the registry and the agents' workflows. */
export class AgentsService {
  readonly registry: AgentRegistry;
  private readonly defs: AnyWorkflow[];

  constructor(private readonly deps: AgentsServiceDeps) {
    this.registry = new AgentRegistry({ db: deps.db, kernel: deps.kernel, notify: deps.notify });
    this.defs = agentWorkflows({ ...deps, registry: this.registry, operatorName: deps.operatorName ?? (async () => 'Your name') });
    // The builtin provider answers each task with the task's own rule.
    for (const task of TASKS) deps.models.builtin.register(task.name, (input) => task.builtin(input as never));
  }

  workflows(): AnyWorkflow[] {
    return this.defs;
  }

  async start(): Promise<void> {
    await this.registry.start(BUILTIN_AGENTS);
    if (this.deps.autoTriage) await seedAutoTriage(this.deps.kernel);
  }

  /** The consultant example on a sample note (Agents view, "Run the example"). */
  runExample(): ReturnType<typeof runConsultantExample> {
    return runConsultantExample(this.deps);
  }
}

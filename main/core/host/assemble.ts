import type { PGlite } from '@electric-sql/pglite';
import { AgentsService } from '../agents/agents';
import type { Adapter } from '../kernel/adapters/adapter';
import { Kernel, type KernelOptions } from '../kernel/kernel';
import type { WorkflowDefinition } from '../kernel/workflow';
import { MemoryService } from '../memory/memory';
import { ModelService, type KeyStore } from '../models/model-service';
import type { MemoryOverrides } from '../../../shared/api/memory-calls';

export interface AssembleOptions {
  db: PGlite;
  dataDir: string;
  adapters: Adapter[];
  workflows?: WorkflowDefinition[];
  limits?: KernelOptions['limits'];
  clock?: KernelOptions['clock'];
  keys: KeyStore;
  memory?: { overrides?: MemoryOverrides; modelsDir?: string };
  /** Every pushed event (kernel, memory, models, agents). */
  notify: (event: string, payload: unknown) => void;
}

export interface Assembled {
  kernel: Kernel;
  memory: MemoryService;
  models: ModelService;
  agents: AgentsService;
  stop(): Promise<void>;
}

/**
 * The core's parts, built and started in dependency order (kernel → memory → models →
 * agents) on one database: the worker does this, and so do tests that need the parts'
 * internals, so both run the same assembly.
 */
export async function assembleCore(o: AssembleOptions): Promise<Assembled> {
  let memory: MemoryService | null = null;
  const kernel = new Kernel({
    db: o.db,
    adapters: o.adapters,
    workflows: o.workflows ?? [],
    limits: o.limits,
    clock: o.clock,
    onEvent: (event, payload) => {
      o.notify(event, payload);
      memory?.onKernelEvent(event, payload);
    },
  });
  memory = new MemoryService({ db: o.db, kernel, dataDir: o.dataDir, notify: o.notify, overrides: o.memory?.overrides, modelsDir: o.memory?.modelsDir });
  const models = new ModelService({ db: o.db, kernel, keys: o.keys, notify: o.notify });
  const agents = new AgentsService({ db: o.db, kernel, memory, models, notify: o.notify });
  for (const wf of [...memory.workflows(), ...agents.workflows()]) kernel.register(wf);
  kernel.setMemory(memory.port());
  // Memory and agents may commit while they start (a schedule, a model's columns, the built-in agents): chain from the real head.
  await kernel.ledger.load(o.db);
  await memory.start();
  await agents.start();
  await kernel.start();
  const m = memory;
  return {
    kernel,
    memory: m,
    models,
    agents,
    async stop() {
      await kernel.stop();
      await m.stop();
      await models.close();
    },
  };
}

/**
 * `npm run bench`: every benchmark prints `BENCH <name> <value> <unit>` lines; figures are
 * medians over BENCH_RUNS (default 5) repetitions, and ratios against a baseline measured in
 * the same run, because timings on shared 2-core machines are noisy.
 */
import { benchAdapters } from './adapters';
import { benchAgents } from './agents';
import { benchKernel } from './kernel';
import { benchMemory } from './memory';
import { benchStartup } from './startup';
import { benchUi } from './ui';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { startup: benchStartup, kernel: benchKernel, memory: benchMemory, agents: benchAgents, ui: benchUi, adapters: benchAdapters };

for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}

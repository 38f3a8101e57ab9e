import type { ApiResult } from '../../../shared/api/errors';
import type { DatabaseState } from '../../../shared/domain/system';
import type { MemoryOverrides } from '../../../shared/api/memory-calls';

/** Messages between the main thread (`Core`) and the core worker. Internal to main/core. */
export type ToWorker =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'database'; state: DatabaseState; schemaVersion?: number; error?: string }
  | { type: 'result'; id: number; result: ApiResult }
  | { type: 'event'; event: string; payload: unknown }
  | { type: 'closed' };

export interface CoreWorkerData {
  dataDir: string;
  /** Memory settings that win over stored ones (tests, host flags). */
  memory?: { overrides?: MemoryOverrides; modelsDir?: string };
  /** Modules exporting `workflows` (an array of workflow definitions) to register. */
  workflowModules?: string[];
  /** The desktop's data key for secrets (base64), opened from the OS keychain by the shell; headless uses the key file. */
  secretKey?: string;
}

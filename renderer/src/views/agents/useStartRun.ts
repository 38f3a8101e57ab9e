import { useState } from 'react';
import { keelClient } from '../../api/client';
import { errorMessage } from '../../util/timing';

export type StartState = { kind: 'idle' | 'starting' | 'started' } | { kind: 'failed'; message: string };

/** Starts a workflow from a form and says how that went (the run's result then arrives in the Inbox). */
export function useStartRun(workflow: string): { state: StartState; start(input: unknown): Promise<void>; failed(message: string): void } {
  const [state, setState] = useState<StartState>({ kind: 'idle' });
  return {
    state,
    async start(input) {
      setState({ kind: 'starting' });
      try {
        await keelClient().call('runs.start', { workflow, input });
        setState({ kind: 'started' });
      } catch (err) {
        setState({ kind: 'failed', message: errorMessage(err) });
      }
    },
    failed: (message) => setState({ kind: 'failed', message }),
  };
}

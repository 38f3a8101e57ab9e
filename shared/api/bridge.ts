import type { CallInput, CallName, CallOutput, EventName, EventPayload } from './contract';
import type { ApiResult } from './errors';

/**
 * The shape of `window.keel`, exposed by the preload. Derived from the contract: one named
 * function per call, grouped by namespace. Functions answer `ApiResult` envelopes, because an
 * error thrown across the context bridge loses its type.
 */
export type BridgeApi = {
  [N in CallName as N extends `${infer NS}.${string}` ? NS : never]: {
    [M in CallName as M extends `${N extends `${infer NS}.${string}` ? NS : never}.${infer F}` ? F : never]: (
      input?: CallInput<M>,
    ) => Promise<ApiResult<CallOutput<M>>>;
  };
};

/** What a dropped file is to the bridge; the DOM `File` satisfies it. */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

export interface KeelBridge {
  api: BridgeApi;
  /** Every call by name: what the renderer client uses. */
  call(method: CallName, input?: unknown): Promise<ApiResult>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  files: {
    /** The absolute path of a file dropped on the window (Electron only). */
    pathFor(file: DroppedFile): string;
  };
}

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

/** What choosing a data folder does: copy the current data into an empty folder, or switch to a folder with Keel's data. */
export interface DataFolderPlan {
  kind: 'move' | 'use';
  from: string;
  to: string;
}

/** An answer of the desktop-only calls: a refusal carries the reason to show. */
export type DesktopResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Calls only the desktop app has: they act on the machine, outside the core. */
export interface DesktopBridge {
  /** The OS folder picker; null when cancelled. */
  chooseFolder(): Promise<string | null>;
  /** What choosing `path` as the data folder would do, or why it cannot be. */
  planDataFolder(path: string): Promise<DesktopResult<DataFolderPlan>>;
  /** Carries the plan out: Keel closes, copies when moving, and restarts on that folder. */
  changeDataFolder(path: string): Promise<DesktopResult<null>>;
  /** Whether other assistants can reach Keel's MCP server, and where (with the token to give them). */
  mcpServer(): Promise<DesktopResult<McpEndpointState>>;
  /** Turns Keel's MCP server on (on 127.0.0.1, behind the install's token) or off. */
  setMcpServer(enabled: boolean): Promise<DesktopResult<McpEndpointState>>;
}

/** Keel's MCP server as the desktop app serves it (Settings → Keel for other assistants). */
export interface McpEndpointState {
  enabled: boolean;
  /** `http://127.0.0.1:<port>/mcp` while on. */
  url: string | null;
  /** The install's token, sent as `Authorization: Bearer <token>`; shown while on. */
  token: string | null;
}

export type DesktopAction = keyof DesktopBridge;

export interface KeelBridge {
  api: BridgeApi;
  /** Every call by name: what the renderer client uses. */
  call(method: CallName, input?: unknown): Promise<ApiResult>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  files: {
    /** The absolute path of a file dropped on the window (Electron only). */
    pathFor(file: DroppedFile): string;
  };
  /** Present in the desktop app only. */
  desktop?: DesktopBridge;
}

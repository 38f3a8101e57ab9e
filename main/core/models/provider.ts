import type { ProviderKind, StructuredMode, Usage } from '../../../shared/domain/models';

/** One message of a chat; content from documents and e-mails goes in `user` messages as data. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Structured output asked of the model: a JSON Schema (made from a zod schema by the caller). */
export interface OutputSchema {
  name: string;
  jsonSchema: Record<string, unknown>;
}

export interface GenerateRequest {
  model: string;
  messages: ChatMessage[];
  /** When set, the reply must be one JSON value matching it (validated by the caller). */
  schema?: OutputSchema;
  maxTokens?: number;
  temperature?: number;
  /** Called with each piece of text as it streams in; when absent the provider may not stream. */
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  /**
   * What the call is for (`triage.classify`, `draft.email`, …) and its input as data: the
   * builtin provider works from these, the others from `messages`.
   */
  task?: string;
  input?: unknown;
}

export interface GenerateResult {
  text: string;
  usage: Usage;
  /** `stop`, `length` (cut at maxTokens), `cancelled`. */
  finishReason: 'stop' | 'length' | 'cancelled';
  latencyMs: number;
  /** How structured output was asked for (what the endpoint accepted). */
  structuredMode?: StructuredMode;
}

/**
 * Why a call failed, as the kernel's step policy sees it: `transient` is retried (429, 5xx,
 * timeouts, dropped connections), the rest are not.
 */
export type ProviderErrorKind = 'transient' | 'permanent' | 'validation' | 'cancelled';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; body?: string } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** A source of language-model completions. */
export interface ModelProvider {
  readonly kind: ProviderKind;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Frees what it holds (model weights, sockets). */
  close?(): Promise<void>;
}

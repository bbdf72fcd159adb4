import type { TokenUsage } from '../../shared/usage';

/**
 * The one interface every model call goes through. Implementations: the Anthropic SDK client
 * (infra/anthropic), and later the Claude Code CLI. The embedded simulator is reached through the
 * Anthropic client with a local `baseURL`, so tests exercise the real SDK.
 */

export interface CacheControl {
  readonly ttl?: '5m' | '1h';
}

export interface TextPart {
  readonly text: string;
  /** Marks the end of a stable prefix as a prompt-cache breakpoint (at most 4 per request). */
  readonly cacheControl?: CacheControl;
}

export interface LlmMessage {
  readonly role: 'user' | 'assistant';
  readonly content: readonly TextPart[];
}

export type Effort = 'low' | 'medium' | 'high' | 'max';

export interface LlmRequest {
  readonly model: string;
  readonly system: readonly TextPart[];
  readonly messages: readonly LlmMessage[];
  readonly maxTokens: number;
  /** A JSON Schema the reply must follow (the API's structured outputs, `output_config.format`). */
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  readonly effort?: Effort;
  readonly signal?: AbortSignal;
  /** Called with the running count of output characters while the reply streams. */
  readonly onProgress?: (outputChars: number) => void;
  /** Who asked, for the ledger: per-agent, per-plan and per-task accounting. */
  readonly tags?: CallTags;
}

export interface CallTags {
  readonly agent?: 'architect' | 'coder' | 'reviewer' | 'analysis';
  readonly planId?: string;
  readonly taskId?: string;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn' | 'other';

export interface LlmResponse {
  /** The model that answered, as the provider reported it. */
  readonly model: string;
  /** Concatenated text of the `text` blocks (thinking blocks are skipped by type). */
  readonly text: string;
  readonly stopReason: StopReason;
  /** Exactly the provider's `usage`. */
  readonly usage: TokenUsage;
  readonly requestId: string | undefined;
  readonly durationMs: number;
  /** The provider's per-minute limits as this response reported them (`anthropic-ratelimit-*`). */
  readonly rateLimit?: RateLimitInfo;
  /** Message ids the call produced (Claude Code), so its own logs never count it twice. */
  readonly messageIds?: readonly string[];
}

/** The provider's `anthropic-ratelimit-*` headers, as far as a response carried them. */
export interface RateLimitInfo {
  readonly requestsRemaining?: number;
  readonly inputTokensRemaining?: number;
  readonly outputTokensRemaining?: number;
  /** The per-minute limits themselves (`-limit`), which every caller on the organisation's key shares. */
  readonly requestsLimit?: number;
  readonly inputTokensLimit?: number;
  /** The earliest reset among the exhausted limits, else among all (ms since epoch). */
  readonly resetAt?: number;
}

export interface LlmClient {
  /** A short provider name for the UI and records: `anthropic`, `simulator`, `claude-code`. */
  readonly provider: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
  /** Token count of a request without running it (free on the Anthropic API). */
  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number>;
}

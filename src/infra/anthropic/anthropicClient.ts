import Anthropic from '@anthropic-ai/sdk';
import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';
import type { Message, MessageCreateParamsBase, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { HeliosError } from '../../core/errors/heliosError';
import type { LlmClient, LlmRequest, LlmResponse, RateLimitInfo, StopReason, TextPart } from '../../core/llm/llmClient';
import type { TokenUsage } from '../../shared/usage';

export interface AnthropicClientOptions {
  readonly apiKey: string;
  /** Unset for the real API; the simulator's URL for offline use and tests. */
  readonly baseURL?: string;
  /** Shown in the UI and written to records: `anthropic` or `simulator`. */
  readonly provider: string;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** The SDK retries 408/409/429/5xx (529 included) with backoff, honouring `retry-after`. */
  readonly maxRetries?: number;
}

/**
 * The LlmClient over the official SDK. Always streams (long plans exceed the SDK's non-streaming
 * limit), selects content blocks by type (the newest models open with thinking blocks), and copies
 * `usage` from the provider's final message field by field — never estimated.
 */
export class AnthropicLlmClient implements LlmClient {
  readonly provider: string;
  private readonly sdk: Anthropic;

  constructor(options: AnthropicClientOptions) {
    this.provider = options.provider;
    this.sdk = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      timeout: options.timeoutMs ?? 10 * 60_000,
      maxRetries: options.maxRetries ?? 4,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const started = Date.now();
    const params: MessageCreateParamsBase = {
      model: request.model,
      max_tokens: request.maxTokens,
      system: toBlocks(request.system),
      messages: request.messages.map((m) => ({ role: m.role, content: toBlocks(m.content) })),
    };
    if (request.outputSchema || request.effort) {
      params.output_config = {
        ...(request.effort ? { effort: request.effort } : {}),
        ...(request.outputSchema ? { format: { type: 'json_schema', schema: transformJSONSchema({ ...request.outputSchema }) } } : {}),
      };
    }
    try {
      const stream = this.sdk.messages.stream(params, { signal: request.signal });
      let chars = 0;
      if (request.onProgress) {
        const onProgress = request.onProgress;
        stream.on('text', (delta) => onProgress((chars += delta.length)));
      }
      const message = await stream.finalMessage();
      const { response } = await stream.withResponse();
      return {
        model: message.model,
        text: textOf(message),
        stopReason: toStopReason(message.stop_reason),
        usage: toUsage(message.usage),
        requestId: response.headers.get('request-id') ?? undefined,
        durationMs: Date.now() - started,
        rateLimit: rateLimitOf(response.headers),
      };
    } catch (error) {
      throw toHeliosError(error, request.signal);
    }
  }

  async countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    try {
      const result = await this.sdk.messages.countTokens(
        {
          model: request.model,
          system: toBlocks(request.system),
          messages: request.messages.map((m) => ({ role: m.role, content: toBlocks(m.content) })),
        },
        { signal: request.signal },
      );
      return result.input_tokens;
    } catch (error) {
      throw toHeliosError(error, request.signal);
    }
  }
}

function toBlocks(parts: readonly TextPart[]): TextBlockParam[] {
  return parts.map((p) => ({
    type: 'text',
    text: p.text,
    ...(p.cacheControl ? { cache_control: { type: 'ephemeral', ...(p.cacheControl.ttl ? { ttl: p.cacheControl.ttl } : {}) } } : {}),
  }));
}

function textOf(message: Message): string {
  let text = '';
  for (const block of message.content) if (block.type === 'text') text += block.text;
  return text;
}

const STOP_REASONS: ReadonlySet<string> = new Set(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal', 'pause_turn']);

function toStopReason(reason: string | null): StopReason {
  return reason && STOP_REASONS.has(reason) ? (reason as StopReason) : 'other';
}

export function toUsage(u: Message['usage']): TokenUsage {
  return {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheCreationInputTokens: u.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: u.cache_read_input_tokens ?? 0,
    cacheCreation5mTokens: u.cache_creation?.ephemeral_5m_input_tokens ?? 0,
    cacheCreation1hTokens: u.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}

/** Maps SDK errors (after its own retries) to typed reasons the UI can explain. By class, never by text. */
function toHeliosError(error: unknown, signal: AbortSignal | undefined): Error {
  if (error instanceof HeliosError) return error;
  if (error instanceof Anthropic.APIUserAbortError || signal?.aborted) {
    return new HeliosError('cancelled', 'Cancelled', {}, { cause: error });
  }
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new HeliosError('provider_timeout', 'The provider did not answer in time', {}, { cause: error });
  }
  if (error instanceof Anthropic.APIError) {
    const details = { status: Number(error.status ?? 0), requestId: String(error.requestID ?? '') };
    const message = error.message;
    if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError) {
      return new HeliosError('provider_auth', message, details, { cause: error });
    }
    if (error instanceof Anthropic.RateLimitError) {
      // A spend or usage limit comes without retry-after; a per-minute rate limit always has one.
      const retryAfter = error.headers?.get('retry-after');
      const limitReached = retryAfter == null ? 1 : 0;
      const retryAfterMs = retryAfterMsOf(retryAfter);
      return new HeliosError('provider_rate_limited', message, { ...details, limitReached, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, { cause: error });
    }
    if (error.status === 529) return new HeliosError('provider_overloaded', message, details, { cause: error });
    if (error instanceof Anthropic.BadRequestError || error instanceof Anthropic.NotFoundError || error.status === 413) {
      return new HeliosError('provider_bad_request', message, details, { cause: error });
    }
    return new HeliosError('provider_unavailable', message, details, { cause: error });
  }
  return new HeliosError('provider_unavailable', error instanceof Error ? error.message : String(error), {}, { cause: error });
}

/** `retry-after` in seconds or as an HTTP date. */
function retryAfterMsOf(value: string | null | undefined): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Reads `anthropic-ratelimit-{requests,input-tokens,output-tokens}-{remaining,reset}`. */
export function rateLimitOf(headers: Headers): RateLimitInfo | undefined {
  const kinds = [['requests', 'requestsRemaining'], ['input-tokens', 'inputTokensRemaining'], ['output-tokens', 'outputTokensRemaining']] as const;
  const info: { -readonly [K in keyof RateLimitInfo]: RateLimitInfo[K] } = {};
  const resets: Array<{ at: number; exhausted: boolean }> = [];
  for (const [header, field] of kinds) {
    const remaining = Number(headers.get(`anthropic-ratelimit-${header}-remaining`) ?? Number.NaN);
    const reset = Date.parse(headers.get(`anthropic-ratelimit-${header}-reset`) ?? '');
    if (Number.isFinite(remaining)) info[field] = remaining;
    if (Number.isFinite(reset)) resets.push({ at: reset, exhausted: remaining <= 0 });
  }
  const requestsLimit = Number(headers.get('anthropic-ratelimit-requests-limit') ?? Number.NaN);
  const inputTokensLimit = Number(headers.get('anthropic-ratelimit-input-tokens-limit') ?? Number.NaN);
  if (Number.isFinite(requestsLimit) && requestsLimit > 0) info.requestsLimit = requestsLimit;
  if (Number.isFinite(inputTokensLimit) && inputTokensLimit > 0) info.inputTokensLimit = inputTokensLimit;
  const pool = resets.some((r) => r.exhausted) ? resets.filter((r) => r.exhausted) : resets;
  if (pool.length > 0) info.resetAt = Math.min(...pool.map((r) => r.at));
  return Object.keys(info).length > 0 ? info : undefined;
}

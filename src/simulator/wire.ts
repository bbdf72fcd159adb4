import { createHash, randomBytes } from 'node:crypto';
import type { ThinkingType } from '../shared/models';

/**
 * Wire shapes of the Messages API as the simulator reads and writes them (snake_case, as on the
 * network). Requests are validated into `ValidRequest` by validate.ts; everything after that
 * point may trust these types.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type CacheTtl = '5m' | '1h';

export type WireCacheControl = { readonly type: 'ephemeral'; readonly ttl?: CacheTtl };

/** A request content block; only the fields the simulator reads are typed. */
export interface WireBlock {
  readonly type: string;
  readonly cache_control?: WireCacheControl;
  readonly [key: string]: JsonValue | undefined;
}

/** `system` entries sit inside `messages` on the models that accept them (mid-conversation system messages). */
export interface WireMessage {
  readonly role: 'user' | 'assistant' | 'system';
  readonly content: string | readonly WireBlock[];
}

export interface WireTool {
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  readonly input_schema?: JsonObject;
  readonly cache_control?: WireCacheControl;
  readonly [key: string]: JsonValue | undefined;
}

export type WireToolChoice =
  | { readonly type: 'auto' | 'any' | 'none' }
  | { readonly type: 'tool'; readonly name: string };

export type { ThinkingType };

/** The system prompt as blocks: a string system prompt becomes one text block. */
export interface WireSystemBlock {
  readonly type: 'text';
  readonly text: string;
  readonly cache_control?: WireCacheControl;
}

export interface TokenCountRequest {
  readonly modelId: string;
  readonly system: readonly WireSystemBlock[];
  readonly messages: readonly WireMessage[];
  readonly tools: readonly WireTool[];
  /** `output_config.format.schema` when the request asks for structured output. */
  readonly format?: JsonObject;
  /** Top-level `cache_control`: a breakpoint on the last cacheable block of the prompt. */
  readonly cacheControl?: WireCacheControl;
}

export interface ValidRequest extends TokenCountRequest {
  /** 0 warms the prompt cache without generating (the reply is empty, `stop_reason: max_tokens`). */
  readonly maxTokens: number;
  readonly toolChoice?: WireToolChoice;
  readonly thinking?: ThinkingType;
  readonly stopSequences: readonly string[];
  readonly stream: boolean;
}

export type ResponseBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'thinking'; readonly thinking: string; readonly signature: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: JsonValue };

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface WireUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
  readonly cache_creation: { readonly ephemeral_5m_input_tokens: number; readonly ephemeral_1h_input_tokens: number };
  readonly service_tier: 'standard';
}

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** An error the simulator answers with the API's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function invalidRequest(message: string): ApiError {
  return new ApiError(400, 'invalid_request_error', message);
}

/** Ids that must be unique per response (request ids, message ids) are random. */
export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}

/** Ids inside generated content are derived from the request, so the same request gets the same content. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}${createHash('sha256').update(seed).digest('base64url').slice(0, 24)}`;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so semantically equal prompts hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

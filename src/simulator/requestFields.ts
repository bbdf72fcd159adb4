import { invalidRequest, isJsonObject } from './wire';
import type { JsonObject, JsonValue } from './wire';

/**
 * The top-level request fields the simulator accepts, as the API does: every body field of the
 * SDK's `MessageCreateParams` / `MessageCountTokensParams`, beta ones included (the API reads the
 * `anthropic-beta` header, the simulator accepts them either way). Anything else is refused with
 * the API's `<field>: Extra inputs are not permitted`. test/integration/simulatorSdkFields.test.ts
 * reads these lists against the SDK's own type declarations, so an SDK upgrade that adds a field
 * fails a test until the field is listed here.
 */

/** Body fields of `POST /v1/messages` (stable and beta). */
export const MESSAGES_FIELDS = [
  'model', 'messages', 'max_tokens', 'system', 'stream', 'stop_sequences', 'tools', 'tool_choice', 'thinking',
  'output_config', 'metadata', 'cache_control', 'container', 'diagnostics', 'inference_geo', 'service_tier', 'speed',
  // Beta fields (`client.beta.messages`, `?beta=true`).
  'billing_policy', 'compaction', 'context_management', 'fallback_credit_token', 'fallbacks', 'mcp_servers',
  'output_format', 'thread',
] as const;

/** Body fields of `POST /v1/messages/count_tokens` (stable and beta). No `max_tokens`, no `stream`. */
export const COUNT_TOKENS_FIELDS = [
  'model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'cache_control', 'speed',
  'billing_policy', 'compaction', 'context_management', 'mcp_servers', 'output_format',
] as const;

/**
 * Sampling parameters the current SDK no longer types: the API still takes them on models before
 * Opus 4.7 (newer models refuse non-default values, see `samplingParameters` in the model table).
 */
export const SAMPLING_FIELDS = ['temperature', 'top_p', 'top_k'] as const;

export type Endpoint = 'messages' | 'count_tokens';

const ACCEPTED: Readonly<Record<Endpoint, ReadonlySet<string>>> = {
  messages: new Set<string>([...MESSAGES_FIELDS, ...SAMPLING_FIELDS]),
  count_tokens: new Set<string>(COUNT_TOKENS_FIELDS),
};

function oneOf(value: JsonValue | undefined, field: string, allowed: readonly (string | null)[]): void {
  if (value === undefined || allowed.includes(value as string | null)) return;
  const names = allowed.filter((a) => a !== null).map((a) => `'${a}'`);
  throw invalidRequest(`${field}: Input should be ${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names[names.length - 1]}`);
}

function objectOrNull(value: JsonValue | undefined, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidRequest(`${field}: Input should be a valid dictionary`);
  return value;
}

function checkMetadata(value: JsonValue | undefined): void {
  const metadata = objectOrNull(value, 'metadata');
  const userId = metadata?.['user_id'];
  if (userId !== undefined && userId !== null && typeof userId !== 'string') throw invalidRequest('metadata.user_id: Input should be a valid string');
  for (const key of Object.keys(metadata ?? {})) {
    if (key !== 'user_id') throw invalidRequest(`metadata.${key}: Extra inputs are not permitted`);
  }
}

function checkContextManagement(value: JsonValue | undefined): void {
  const config = objectOrNull(value, 'context_management');
  const edits = config?.['edits'];
  if (edits === undefined || edits === null) return;
  if (!Array.isArray(edits)) throw invalidRequest('context_management.edits: Input should be a valid list');
  edits.forEach((edit, i) => {
    if (!isJsonObject(edit) || typeof edit['type'] !== 'string') throw invalidRequest(`context_management.edits.${i}.type: Field required`);
  });
}

function stringOrNull(value: JsonValue | undefined, field: string): void {
  if (value !== undefined && value !== null && typeof value !== 'string') throw invalidRequest(`${field}: Input should be a valid string`);
}

/**
 * Refuses unknown top-level fields and checks the shape of the ones whose content the simulator
 * does not otherwise read (it accepts them and ignores their effect; see README.md).
 */
export function checkTopLevelFields(body: JsonObject, endpoint: Endpoint): void {
  const accepted = ACCEPTED[endpoint];
  for (const key of Object.keys(body)) {
    if (!accepted.has(key) && body[key] !== undefined) throw invalidRequest(`${key}: Extra inputs are not permitted`);
  }
  checkMetadata(body['metadata']);
  checkContextManagement(body['context_management']);
  oneOf(body['service_tier'], 'service_tier', ['auto', 'standard_only']);
  oneOf(body['speed'], 'speed', ['standard', 'fast', null]);
  stringOrNull(body['inference_geo'], 'inference_geo');
  const container = body['container'];
  if (container !== undefined && container !== null && typeof container !== 'string' && !isJsonObject(container)) {
    throw invalidRequest('container: Input should be a valid string or dictionary');
  }
  objectOrNull(body['diagnostics'], 'diagnostics');
  objectOrNull(body['compaction'], 'compaction');
  const servers = body['mcp_servers'];
  if (servers !== undefined && !Array.isArray(servers)) throw invalidRequest('mcp_servers: Input should be a valid list');
}

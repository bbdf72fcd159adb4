import { findModel } from '../shared/models';
import type { ModelInfo } from '../shared/models';
import { checkEffort, checkSampling, checkThinking, checkToolChoice, thinkingType } from './modelRules';
import { checkTopLevelFields } from './requestFields';
import type { Endpoint } from './requestFields';
import { ApiError, invalidRequest, isJsonObject } from './wire';
import type {
  JsonObject,
  JsonValue,
  TokenCountRequest,
  ValidRequest,
  WireBlock,
  WireCacheControl,
  WireMessage,
  WireSystemBlock,
  WireTool,
} from './wire';

/**
 * Request validation with the API's status codes, error types and (pydantic-style) messages.
 * Top-level fields are checked against the SDK's request types (requestFields.ts); per-model
 * rules live in modelRules.ts.
 */

export const MAX_CACHE_BREAKPOINTS = 4;

export interface Validated<T> {
  readonly model: ModelInfo;
  readonly request: T;
}

function checkCacheControl(value: JsonValue | undefined, where: string, counter: { n: number }): WireCacheControl | undefined {
  if (value === undefined || value === null) return undefined;
  const at = where === '' ? 'cache_control' : `${where}.cache_control`;
  if (!isJsonObject(value) || value['type'] !== 'ephemeral') throw invalidRequest(`${at}.type: Input should be 'ephemeral'`);
  const ttl = value['ttl'];
  if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') throw invalidRequest(`${at}.ttl: Input should be '5m' or '1h'`);
  counter.n++;
  return ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl };
}

function checkBlock(value: JsonValue, where: string, counter: { n: number }): WireBlock {
  if (!isJsonObject(value) || typeof value['type'] !== 'string') throw invalidRequest(`${where}.type: Field required`);
  checkCacheControl(value['cache_control'], where, counter);
  if (value['type'] === 'text') {
    if (typeof value['text'] !== 'string') throw invalidRequest(`${where}.text: Field required`);
    if (value['text'].length === 0) throw invalidRequest(`${where}: text content blocks must be non-empty`);
  }
  return value as WireBlock;
}

function endsInServerToolUse(message: JsonValue | undefined): boolean {
  const content = isJsonObject(message) ? message['content'] : undefined;
  const last = Array.isArray(content) ? content[content.length - 1] : undefined;
  return isJsonObject(last) && last['type'] === 'server_tool_use';
}

/** Mid-conversation system messages: the model must take them, and their placement rules hold. */
function checkSystemEntry(all: readonly JsonValue[], i: number, model: ModelInfo | undefined): void {
  const where = `messages.${i}`;
  if (model && !model.midConversationSystem) throw invalidRequest("role 'system' is not supported on this model");
  if (i === 0) throw invalidRequest(`${where}: a system message cannot be the first message; use the top-level \`system\` field for instructions that apply from the start`);
  const previous = all[i - 1];
  const next = all[i + 1];
  const roleOf = (m: JsonValue | undefined): unknown => (isJsonObject(m) ? m['role'] : undefined);
  if (roleOf(previous) === 'system' || roleOf(next) === 'system') throw invalidRequest(`${where}: consecutive system messages are not allowed`);
  if (roleOf(previous) !== 'user' && !endsInServerToolUse(previous)) {
    throw invalidRequest(`${where}: a system message must immediately follow a user message or an assistant message that ends in a server tool use`);
  }
  if (next !== undefined && roleOf(next) !== 'assistant') {
    throw invalidRequest(`${where}: a system message must be the last message or be followed by an assistant message`);
  }
  const content = isJsonObject(all[i]) ? all[i]['content'] : undefined;
  if (Array.isArray(content)) {
    content.forEach((b, j) => {
      if (!isJsonObject(b) || b['type'] !== 'text') throw invalidRequest(`${where}.content.${j}: system messages may contain only text blocks`);
    });
  }
}

function checkMessages(value: JsonValue | undefined, counter: { n: number }, model: ModelInfo | undefined): WireMessage[] {
  if (value === undefined) throw invalidRequest('messages: Field required');
  if (!Array.isArray(value)) throw invalidRequest('messages: Input should be a valid list');
  if (value.length === 0) throw invalidRequest('messages: at least one message is required');
  return value.map((raw, i) => {
    const where = `messages.${i}`;
    if (!isJsonObject(raw)) throw invalidRequest(`${where}: Input should be a valid dictionary`);
    const role = raw['role'];
    if (role !== 'user' && role !== 'assistant' && role !== 'system') throw invalidRequest(`${where}.role: Input should be 'user', 'assistant' or 'system'`);
    if (role === 'system') checkSystemEntry(value, i, model);
    // Consecutive user (or assistant) turns are combined into one turn by the API, not refused.
    else if (i === 0 && role !== 'user') throw invalidRequest('messages: first message must use the "user" role');
    const content = raw['content'];
    if (typeof content === 'string') {
      if (content.length === 0 && i < value.length - 1) throw invalidRequest(`${where}: all messages must have non-empty content`);
      return { role, content };
    }
    if (!Array.isArray(content)) throw invalidRequest(`${where}.content: Input should be a valid string or list`);
    if (content.length === 0 && i < value.length - 1) throw invalidRequest(`${where}: all messages must have non-empty content`);
    return { role, content: content.map((b, j) => checkBlock(b, `${where}.content.${j}`, counter)) };
  });
}

function checkSystem(value: JsonValue | undefined, counter: { n: number }): WireSystemBlock[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.length > 0 ? [{ type: 'text', text: value }] : [];
  if (!Array.isArray(value)) throw invalidRequest('system: Input should be a valid string or list');
  return value.map((raw, i) => {
    if (!isJsonObject(raw) || raw['type'] !== 'text' || typeof raw['text'] !== 'string') {
      throw invalidRequest(`system.${i}: Input should be a text block`);
    }
    const cc = checkCacheControl(raw['cache_control'], `system.${i}`, counter);
    return cc ? { type: 'text', text: raw['text'], cache_control: cc } : { type: 'text', text: raw['text'] };
  });
}

function checkTools(value: JsonValue | undefined, counter: { n: number }): WireTool[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidRequest('tools: Input should be a valid list');
  const names = new Set<string>();
  return value.map((raw, i) => {
    if (!isJsonObject(raw) || typeof raw['name'] !== 'string' || raw['name'].length === 0) {
      throw invalidRequest(`tools.${i}.name: Field required`);
    }
    const isCustom = raw['type'] === undefined || raw['type'] === 'custom';
    if (isCustom && !isJsonObject(raw['input_schema'])) throw invalidRequest(`tools.${i}.input_schema: Field required`);
    if (names.has(raw['name'])) throw invalidRequest(`tools: Tool names must be unique. Found duplicate: ${raw['name']}`);
    names.add(raw['name']);
    checkCacheControl(raw['cache_control'], `tools.${i}`, counter);
    return raw as WireTool;
  });
}

function jsonSchemaFormat(value: JsonValue | undefined, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value) || value['type'] !== 'json_schema' || !isJsonObject(value['schema'])) {
    throw invalidRequest(`${field}: Input should be {type: 'json_schema', schema: {...}}`);
  }
  return value['schema'];
}

/** `output_config` (effort, format; beta `task_budget` is accepted) and the deprecated beta `output_format`. */
function checkOutput(body: JsonObject): { schema?: JsonObject; effort?: string } {
  const config = body['output_config'];
  if (config !== undefined && config !== null && !isJsonObject(config)) throw invalidRequest('output_config: Input should be a valid dictionary');
  const outputConfig = config ?? undefined;
  const effort = checkEffort(outputConfig);
  const schema = jsonSchemaFormat(outputConfig?.['format'], 'output_config.format') ?? jsonSchemaFormat(body['output_format'], 'output_format');
  return { ...(schema ? { schema } : {}), ...(effort ? { effort } : {}) };
}

function checkModel(body: JsonObject): ModelInfo {
  const id = body['model'];
  if (typeof id !== 'string' || id.length === 0) throw invalidRequest('model: Field required');
  const model = findModel(id);
  // Retired, restricted and unknown ids alike: the API's answer for a retired model.
  if (!model) throw new ApiError(404, 'not_found_error', `model: ${id}`);
  return model;
}

function baseRequest(body: JsonObject, model: ModelInfo, endpoint: Endpoint): TokenCountRequest & { readonly breakpoints: number; readonly effort?: string } {
  checkTopLevelFields(body, endpoint);
  const counter = { n: 0 };
  const tools = checkTools(body['tools'], counter);
  const system = checkSystem(body['system'], counter);
  const messages = checkMessages(body['messages'], counter, endpoint === 'messages' ? model : undefined);
  const cacheControl = checkCacheControl(body['cache_control'], '', counter);
  const { schema, effort } = checkOutput(body);
  if (counter.n > MAX_CACHE_BREAKPOINTS) {
    throw invalidRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${counter.n}.`);
  }
  return {
    modelId: model.id, tools, system, messages, breakpoints: counter.n,
    ...(schema ? { format: schema } : {}), ...(cacheControl ? { cacheControl } : {}), ...(effort ? { effort } : {}),
  };
}

export function validateCountTokens(body: unknown): Validated<TokenCountRequest> {
  if (!isJsonObject(body)) throw invalidRequest('Request body must be a JSON object');
  const model = checkModel(body);
  const { effort: _effort, ...request } = baseRequest(body, model, 'count_tokens');
  checkToolChoice(body['tool_choice'], request.tools, undefined);
  thinkingType(body['thinking']);
  return { model, request };
}

export function validateMessages(body: unknown): Validated<ValidRequest> {
  if (!isJsonObject(body)) throw invalidRequest('Request body must be a JSON object');
  const model = checkModel(body);
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined) throw invalidRequest('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) throw invalidRequest('max_tokens: Input should be a valid integer');
  if (maxTokens < 0) throw invalidRequest('max_tokens: Input should be greater than or equal to 0');
  if (maxTokens > model.maxOutputTokens) {
    throw invalidRequest(
      `max_tokens: ${maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}`,
    );
  }
  const { effort, ...base } = baseRequest(body, model, 'messages');
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean');
  const stops = body['stop_sequences'];
  if (stops !== undefined && (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string'))) {
    throw invalidRequest('stop_sequences: Input should be a valid list of strings');
  }
  checkSampling(body, model);
  const toolChoice = checkToolChoice(body['tool_choice'], base.tools, model);
  const thinking = checkThinking(body['thinking'], model, maxTokens, effort);
  const request: ValidRequest = {
    ...base,
    maxTokens,
    stream: stream === true,
    stopSequences: stops ?? [],
    ...(toolChoice ? { toolChoice } : {}),
    ...(thinking ? { thinking } : {}),
  };
  return { model, request };
}

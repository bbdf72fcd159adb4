import { findModel } from '../../shared/models';
import type { ModelInfo } from '../../shared/models';
import { ApiError, invalidRequest, isJsonObject } from './wire';
import type {
  JsonObject,
  JsonValue,
  ThinkingType,
  TokenCountRequest,
  ValidRequest,
  WireBlock,
  WireCacheControl,
  WireMessage,
  WireSystemBlock,
  WireTool,
  WireToolChoice,
} from './wire';

/**
 * Request validation with the API's status codes and error types. Unknown top-level fields are
 * accepted on purpose: Claude Code sends beta fields (`context_management`, `metadata`, …).
 */

export const MAX_CACHE_BREAKPOINTS = 4;
const THINKING_TYPES: readonly ThinkingType[] = ['adaptive', 'enabled', 'disabled', 'between_tools'];
const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];

export interface Validated<T> {
  readonly model: ModelInfo;
  readonly request: T;
}

function checkCacheControl(value: JsonValue | undefined, where: string, counter: { n: number }): WireCacheControl | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value) || value['type'] !== 'ephemeral') {
    throw invalidRequest(`${where}.cache_control.type: Input should be 'ephemeral'`);
  }
  const ttl = value['ttl'];
  if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') {
    throw invalidRequest(`${where}.cache_control.ttl: Input should be '5m' or '1h'`);
  }
  counter.n++;
  return ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl };
}

function checkBlock(value: JsonValue, where: string, counter: { n: number }): WireBlock {
  if (!isJsonObject(value) || typeof value['type'] !== 'string') {
    throw invalidRequest(`${where}.type: Field required`);
  }
  checkCacheControl(value['cache_control'], where, counter);
  if (value['type'] === 'text') {
    if (typeof value['text'] !== 'string') throw invalidRequest(`${where}.text: Field required`);
    if (value['text'].length === 0) throw invalidRequest(`${where}: text content blocks must be non-empty`);
  }
  return value as WireBlock;
}

function checkMessages(value: JsonValue | undefined, counter: { n: number }): WireMessage[] {
  if (value === undefined) throw invalidRequest('messages: Field required');
  if (!Array.isArray(value)) throw invalidRequest('messages: Input should be a valid list');
  if (value.length === 0) throw invalidRequest('messages: at least one message is required');
  return value.map((raw, i) => {
    const where = `messages.${i}`;
    if (!isJsonObject(raw)) throw invalidRequest(`${where}: Input should be a valid dictionary`);
    const role = raw['role'];
    if (role !== 'user' && role !== 'assistant') throw invalidRequest(`${where}.role: Input should be 'user' or 'assistant'`);
    if (i === 0 && role !== 'user') throw invalidRequest('messages: first message must use the "user" role');
    const previous = i > 0 ? value[i - 1] : undefined;
    if (isJsonObject(previous) && previous['role'] === role) {
      throw invalidRequest(`messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`);
    }
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

function checkFormat(value: JsonValue | undefined): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidRequest('output_config: Input should be a valid dictionary');
  const effort = value['effort'];
  if (effort !== undefined && effort !== null && (typeof effort !== 'string' || !EFFORTS.includes(effort))) {
    throw invalidRequest(`output_config.effort: Input should be one of ${EFFORTS.map((e) => `'${e}'`).join(', ')}`);
  }
  const format = value['format'];
  if (format === undefined || format === null) return undefined;
  if (!isJsonObject(format) || format['type'] !== 'json_schema' || !isJsonObject(format['schema'])) {
    throw invalidRequest("output_config.format: Input should be {type: 'json_schema', schema: {...}}");
  }
  return format['schema'];
}

function checkModel(body: JsonObject): ModelInfo {
  const id = body['model'];
  if (typeof id !== 'string' || id.length === 0) throw invalidRequest('model: Field required');
  const model = findModel(id);
  if (!model) throw new ApiError(404, 'not_found_error', `model: ${id}`);
  return model;
}

function baseRequest(body: JsonObject, model: ModelInfo): TokenCountRequest & { readonly breakpoints: number } {
  const counter = { n: 0 };
  const tools = checkTools(body['tools'], counter);
  const system = checkSystem(body['system'], counter);
  const messages = checkMessages(body['messages'], counter);
  const format = checkFormat(body['output_config']);
  if (counter.n > MAX_CACHE_BREAKPOINTS) {
    throw invalidRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${counter.n}.`);
  }
  return { modelId: model.id, tools, system, messages, breakpoints: counter.n, ...(format ? { format } : {}) };
}

export function validateCountTokens(body: unknown): Validated<TokenCountRequest> {
  if (!isJsonObject(body)) throw invalidRequest('Request body must be a JSON object');
  const model = checkModel(body);
  return { model, request: baseRequest(body, model) };
}

function checkToolChoice(value: JsonValue | undefined, tools: readonly WireTool[], model: ModelInfo): WireToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidRequest('tool_choice: Input should be a valid dictionary');
  const type = value['type'];
  if (type === 'auto' || type === 'none') return { type };
  if (type !== 'any' && type !== 'tool') throw invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  if (model.rejectsForcedToolUse) {
    throw invalidRequest(
      `"tool_choice.type.${type}" is not supported for this model. Use "tool_choice.type.auto" and "output_config.format" for structured output.`,
    );
  }
  if (tools.length === 0) throw invalidRequest(`tool_choice.type "${type}" requires tools to be provided`);
  if (type === 'any') return { type };
  const name = value['name'];
  if (typeof name !== 'string') throw invalidRequest('tool_choice.name: Field required');
  if (!tools.some((t) => t.name === name)) throw invalidRequest(`tool_choice.name: Tool '${name}' not found in tools`);
  return { type, name };
}

function checkThinking(value: JsonValue | undefined, model: ModelInfo, maxTokens: number): ThinkingType | undefined {
  if (value === undefined || value === null) return undefined;
  const type = isJsonObject(value) ? value['type'] : undefined;
  if (typeof type !== 'string' || !(THINKING_TYPES as readonly string[]).includes(type)) {
    throw invalidRequest(`thinking.type: Input should be ${THINKING_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  if (model.rejectsForcedToolUse && (type === 'disabled' || type === 'enabled')) {
    throw invalidRequest(
      `"thinking.type.${type}" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`,
    );
  }
  if (type === 'enabled' && isJsonObject(value)) {
    const budget = value['budget_tokens'];
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
      throw invalidRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    }
    if (budget >= maxTokens) throw invalidRequest('`max_tokens` must be greater than `thinking.budget_tokens`');
  }
  return type as ThinkingType;
}

export function validateMessages(body: unknown): Validated<ValidRequest> {
  if (!isJsonObject(body)) throw invalidRequest('Request body must be a JSON object');
  const model = checkModel(body);
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined) throw invalidRequest('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) throw invalidRequest('max_tokens: Input should be a valid integer');
  if (maxTokens < 1) throw invalidRequest('max_tokens: Input should be greater than or equal to 1');
  if (maxTokens > model.maxOutputTokens) {
    throw invalidRequest(
      `max_tokens: ${maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}`,
    );
  }
  const base = baseRequest(body, model);
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean');
  const stops = body['stop_sequences'];
  if (stops !== undefined && (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string'))) {
    throw invalidRequest('stop_sequences: Input should be a valid list of strings');
  }
  const temperature = body['temperature'];
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 1)) {
    throw invalidRequest('temperature: Input should be less than or equal to 1');
  }
  const toolChoice = checkToolChoice(body['tool_choice'], base.tools, model);
  const thinking = checkThinking(body['thinking'], model, maxTokens);
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

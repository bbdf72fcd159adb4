import type { ModelInfo } from '../shared/models';
import { invalidRequest, isJsonObject } from './wire';
import type { JsonObject, JsonValue, ThinkingType, WireTool, WireToolChoice } from './wire';

/**
 * What each model accepts beyond the request's shape, from the model table: thinking types,
 * forced tool use, sampling parameters. Where the API's exact message is documented it is used
 * verbatim (forced tool use, disabled/enabled thinking on always-thinking models); the others say
 * the same thing in the same form.
 */

const THINKING_TYPES: readonly ThinkingType[] = ['adaptive', 'enabled', 'disabled', 'between_tools'];
const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];
/** Sonnet 5.5 runs `between_tools` thinking at these efforts only. */
const BETWEEN_TOOLS_EFFORTS = ['low', 'medium', 'high'];

export function checkEffort(outputConfig: JsonObject | undefined): string | undefined {
  const effort = outputConfig?.['effort'];
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string' || !EFFORTS.includes(effort)) {
    throw invalidRequest(`output_config.effort: Input should be ${EFFORTS.map((e) => `'${e}'`).join(', ')}`);
  }
  return effort;
}

function thinkingRefusal(type: ThinkingType, model: ModelInfo): string {
  const head = `"thinking.type.${type}" is not supported for this model.`;
  if (type === 'disabled' && model.thinkingTypes.includes('between_tools')) {
    return `${head} Use "thinking.type.between_tools" to turn off up-front thinking, or "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`;
  }
  // The documented message of the always-thinking models, and the same advice wherever adaptive works.
  if (model.thinkingTypes.includes('adaptive')) return `${head} Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`;
  return `${head} Use "thinking.type.enabled" with "thinking.budget_tokens" to control thinking behavior.`;
}

/** Shape only (count_tokens): the type is one the API knows. */
export function thinkingType(value: JsonValue | undefined): ThinkingType | undefined {
  if (value === undefined || value === null) return undefined;
  const type = isJsonObject(value) ? value['type'] : undefined;
  if (typeof type !== 'string' || !(THINKING_TYPES as readonly string[]).includes(type)) {
    throw invalidRequest(`thinking.type: Input should be ${THINKING_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  const display = isJsonObject(value) ? value['display'] : undefined;
  if (display !== undefined && display !== null && display !== 'summarized' && display !== 'omitted') {
    throw invalidRequest("thinking.display: Input should be 'summarized' or 'omitted'");
  }
  return type as ThinkingType;
}

export function checkThinking(value: JsonValue | undefined, model: ModelInfo, maxTokens: number, effort: string | undefined): ThinkingType | undefined {
  const type = thinkingType(value);
  if (type === undefined) return undefined;
  if (!model.thinkingTypes.includes(type)) throw invalidRequest(thinkingRefusal(type, model));
  if (type === 'between_tools' && effort !== undefined && !BETWEEN_TOOLS_EFFORTS.includes(effort)) {
    throw invalidRequest(`"thinking.type.between_tools" is not supported with "output_config.effort" "${effort}". Use "thinking.type.adaptive" for effort "xhigh" or "max".`);
  }
  if (type === 'enabled' && isJsonObject(value)) {
    const budget = value['budget_tokens'];
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
      throw invalidRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    }
    if (budget >= maxTokens) throw invalidRequest('`max_tokens` must be greater than `thinking.budget_tokens`');
  }
  return type;
}

/** `tool_choice` as the API reads it; `forced` applies the model's rule on `any` / `tool`. */
export function checkToolChoice(value: JsonValue | undefined, tools: readonly WireTool[], model: ModelInfo | undefined): WireToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidRequest('tool_choice: Input should be a valid dictionary');
  const type = value['type'];
  const parallel = value['disable_parallel_tool_use'];
  if (parallel !== undefined && typeof parallel !== 'boolean') throw invalidRequest('tool_choice.disable_parallel_tool_use: Input should be a valid boolean');
  if (type === 'auto' || type === 'none') return { type };
  if (type !== 'any' && type !== 'tool') throw invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  if (model?.rejectsForcedToolUse) {
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

/** `temperature` 0–1, `top_p` 0–1, `top_k` ≥ 0; models without sampling parameters take only the defaults. */
export function checkSampling(body: JsonObject, model: ModelInfo): void {
  const temperature = body['temperature'];
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 1)) {
    throw invalidRequest('temperature: Input should be less than or equal to 1');
  }
  const topP = body['top_p'];
  if (topP !== undefined && (typeof topP !== 'number' || topP < 0 || topP > 1)) throw invalidRequest('top_p: Input should be less than or equal to 1');
  const topK = body['top_k'];
  if (topK !== undefined && (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 0)) {
    throw invalidRequest('top_k: Input should be greater than or equal to 0');
  }
  if (model.samplingParameters) return;
  const set = [temperature !== undefined && temperature !== 1 ? 'temperature' : undefined, topP !== undefined && topP !== 1 ? 'top_p' : undefined, topK !== undefined ? 'top_k' : undefined];
  const first = set.find((s) => s !== undefined);
  if (first) throw invalidRequest(`"${first}" is not supported for this model. Use "output_config.effort" to control the response.`);
}

import { canonicalJson } from './wire';
import type { JsonValue, TokenCountRequest, WireBlock, WireCacheControl, WireMessage, WireTool } from './wire';

/**
 * The simulator's tokenizer: a stated, deterministic approximation, not Claude's tokenizer.
 *
 * Text is cut into runs of one character class, and each run costs:
 *   - ASCII (U+0000–U+007F):             ceil(chars / 4)
 *   - CJK ideographs, Hangul, kana, fullwidth forms: 1 token per character
 *   - any other non-ASCII:               ceil(UTF-16 units / 2)
 * Prompt structure adds fixed overheads: 3 per content block, 4 more per message, 8 per tool
 * (tools cost their name + description + input_schema JSON as text), 3 per request, and
 * 20 + the schema JSON for `output_config.format`. Images and binary documents cost a flat 1,600.
 * Thinking blocks of earlier turns cost 0 (the API strips them from the context). System entries
 * inside `messages` cost what a message of the same text costs.
 */

export const BLOCK_OVERHEAD = 3;
export const MESSAGE_OVERHEAD = 4;
export const TOOL_OVERHEAD = 8;
export const REQUEST_OVERHEAD = 3;
export const FORMAT_OVERHEAD = 20;
export const MEDIA_TOKENS = 1_600;

const enum CharClass {
  Ascii,
  Cjk,
  Other,
}

function classOf(code: number): CharClass {
  if (code < 0x80) return CharClass.Ascii;
  if (
    (code >= 0x1100 && code <= 0x11ff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3130 && code <= 0x318f) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef)
  ) {
    return CharClass.Cjk;
  }
  return CharClass.Other;
}

function runCost(cls: CharClass, length: number): number {
  if (cls === CharClass.Ascii) return Math.ceil(length / 4);
  if (cls === CharClass.Cjk) return length;
  return Math.ceil(length / 2);
}

export function countTextTokens(text: string): number {
  let tokens = 0;
  let runClass = CharClass.Ascii;
  let runLength = 0;
  for (let i = 0; i < text.length; i++) {
    const cls = classOf(text.charCodeAt(i));
    if (cls !== runClass && runLength > 0) {
      tokens += runCost(runClass, runLength);
      runLength = 0;
    }
    runClass = cls;
    runLength++;
  }
  return runLength > 0 ? tokens + runCost(runClass, runLength) : tokens;
}

/** The longest prefix of `text` that costs at most `maxTokens` (binary search; cost is monotonic in length). */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (countTextTokens(text) <= maxTokens) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countTextTokens(text.slice(0, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

/** One cacheable piece of the prompt, in the API's prefix order (tools → system → messages). */
export interface PromptUnit {
  /** Canonical JSON of the piece without its cache_control, so the TTL does not change the key. */
  readonly canonical: string;
  readonly tokens: number;
  readonly cacheControl?: WireCacheControl;
}

function withoutCacheControl(value: Readonly<Record<string, JsonValue | undefined>>): Record<string, JsonValue | undefined> {
  const { cache_control: _ignored, ...rest } = value;
  return rest;
}

function valueText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => blockText(v)).join('\n');
  return JSON.stringify(value);
}

function blockText(value: JsonValue): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['text'] === 'string') {
    return value['text'];
  }
  return valueText(value);
}

export function blockTokens(block: WireBlock): number {
  switch (block.type) {
    case 'text':
      return countTextTokens(valueText(block['text']));
    case 'thinking':
    case 'redacted_thinking':
      return 0;
    case 'tool_use':
      return countTextTokens(`${valueText(block['name'])}${JSON.stringify(block['input'] ?? {})}`);
    case 'tool_result':
      return countTextTokens(valueText(block['content']));
    case 'document': {
      const source = block['source'];
      const data = typeof source === 'object' && source !== null && !Array.isArray(source) ? source['data'] : undefined;
      const isText = typeof source === 'object' && source !== null && !Array.isArray(source) && source['type'] === 'text';
      return isText && typeof data === 'string' ? countTextTokens(data) : MEDIA_TOKENS;
    }
    case 'image':
      return MEDIA_TOKENS;
    default:
      return countTextTokens(JSON.stringify(block));
  }
}

function messageUnits(message: WireMessage, index: number): PromptUnit[] {
  const blocks: readonly WireBlock[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  return blocks.map((block, b) => ({
    canonical: canonicalJson({ m: index, role: message.role, block: withoutCacheControl(block) }),
    tokens: BLOCK_OVERHEAD + (b === 0 ? MESSAGE_OVERHEAD : 0) + blockTokens(block),
    ...(block.cache_control ? { cacheControl: block.cache_control } : {}),
  }));
}

function toolUnit(tool: WireTool): PromptUnit {
  const text = `${tool.name}${tool.description ?? ''}${JSON.stringify(tool.input_schema ?? withoutCacheControl(tool))}`;
  return {
    canonical: canonicalJson({ tool: withoutCacheControl(tool) }),
    tokens: TOOL_OVERHEAD + countTextTokens(text),
    ...(tool.cache_control ? { cacheControl: tool.cache_control } : {}),
  };
}

export function promptUnits(request: TokenCountRequest): PromptUnit[] {
  const units: PromptUnit[] = request.tools.map(toolUnit);
  for (const block of request.system) {
    units.push({
      canonical: canonicalJson({ system: block.text }),
      tokens: BLOCK_OVERHEAD + countTextTokens(block.text),
      ...(block.cache_control ? { cacheControl: block.cache_control } : {}),
    });
  }
  request.messages.forEach((message, i) => units.push(...messageUnits(message, i)));
  // Top-level cache_control marks the last cacheable block (unless it carries its own breakpoint).
  const last = units[units.length - 1];
  if (request.cacheControl && last && !last.cacheControl) units[units.length - 1] = { ...last, cacheControl: request.cacheControl };
  return units;
}

/** Tokens of the request that are never part of a cacheable prefix. */
export function unprefixedTokens(request: TokenCountRequest): number {
  const format = request.format ? FORMAT_OVERHEAD + countTextTokens(JSON.stringify(request.format)) : 0;
  return REQUEST_OVERHEAD + format;
}

export function countPromptTokens(request: TokenCountRequest): number {
  return promptUnits(request).reduce((sum, u) => sum + u.tokens, 0) + unprefixedTokens(request);
}

import { createHash } from 'node:crypto';
import type { ModelInfo } from '../../shared/models';
import type { SimulatorFault } from '../faults';
import { countTextTokens, truncateToTokens } from '../tokenizer';
import { isJsonObject, stableId } from '../wire';
import type { JsonObject, JsonValue, ResponseBlock, StopReason, ValidRequest, WireBlock, WireTool } from '../wire';
import { buildTaskGraph } from './architect';
import { coderEdits, parseCoderTask } from './coder';
import { genericInstance } from './generic';
import { extractPrd } from './prd';
import { parseReviewRequest, reviewFindings } from './reviewer';
import { textReply } from './text';

/**
 * Chooses the brain for a request and shapes its answer into content blocks, applying
 * max_tokens, stop sequences and the output faults. Everything here is a pure function of the
 * request (and the fault), so identical requests get identical content.
 */

export const THINKING_OUTPUT_TOKENS = 8;
export const STRUCTURED_OUTPUT_TOOL = 'StructuredOutput';

export interface Reply {
  readonly content: readonly ResponseBlock[];
  readonly stopReason: StopReason;
  readonly stopSequence: string | null;
  readonly outputTokens: number;
}

interface UserView {
  /** Text of each user message, newest first. */
  readonly textsNewestFirst: string[];
  readonly lastHasToolResult: boolean;
  readonly lastToolResults: number;
}

function blockText(block: WireBlock): string {
  if (block.type === 'text' && typeof block['text'] === 'string') return block['text'];
  if (block.type === 'tool_result') {
    const content = block['content'];
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) return content.map((c) => (isJsonObject(c) && typeof c['text'] === 'string' ? c['text'] : '')).join('\n');
  }
  return '';
}

function userView(request: ValidRequest): UserView {
  const users = request.messages.filter((m) => m.role === 'user').reverse();
  const textsNewestFirst = users.map((m) =>
    typeof m.content === 'string' ? m.content : m.content.filter((b) => b.type === 'text').map(blockText).join('\n'),
  );
  const last = users[0];
  const results = last && typeof last.content !== 'string' ? last.content.filter((b) => b.type === 'tool_result').length : 0;
  return { textsNewestFirst, lastHasToolResult: results > 0, lastToolResults: results };
}

function rootSchema(schema: JsonObject): JsonObject {
  const ref = schema['$ref'];
  const defs = schema['$defs'] ?? schema['definitions'];
  if (typeof ref === 'string' && isJsonObject(defs)) {
    const target = defs[ref.replace(/^#\/(\$defs|definitions)\//, '')];
    if (isJsonObject(target)) return target;
  }
  return schema;
}

function structuredValue(schema: JsonObject, view: UserView, fault: SimulatorFault | undefined): JsonValue {
  if (rootSchema(schema)['title'] === 'TaskGraph') {
    const graph = buildTaskGraph(extractPrd(view.textsNewestFirst), { invalidPlan: fault?.kind === 'invalid_plan' });
    return graph as unknown as JsonValue;
  }
  const coderTask = rootSchema(schema)['title'] === 'CoderEdits' ? parseCoderTask(view.textsNewestFirst) : undefined;
  if (coderTask) return coderEdits(coderTask, { invalidEdit: fault?.kind === 'invalid_edit', sameLines: fault?.kind === 'same_lines' });
  const review = rootSchema(schema)['title'] === 'ReviewFindings' ? parseReviewRequest(view.textsNewestFirst) : undefined;
  if (review) return reviewFindings(review, { invalidFindings: fault?.kind === 'invalid_findings' });
  return genericInstance(schema);
}

/**
 * `tool`/`any` call a tool; `none` never does. Unforced (`auto` or no choice), the simulated model
 * calls a tool only when the choice is obvious: Claude Code's `StructuredOutput`, or the one custom
 * tool offered (a client that cannot force a tool on the newest models offers just that tool), and
 * never once the newest user turn carries tool results. Anything else gets text.
 */
function pickTool(request: ValidRequest, view: UserView): WireTool | undefined {
  const choice = request.toolChoice;
  if (choice?.type === 'none') return undefined;
  if (choice?.type === 'tool') return request.tools.find((t) => t.name === choice.name);
  const structured = request.tools.find((t) => t.name === STRUCTURED_OUTPUT_TOOL);
  if (choice?.type === 'any') return structured ?? request.tools.find((t) => isJsonObject(t.input_schema)) ?? request.tools[0];
  if (request.format || view.lastHasToolResult) return undefined;
  const only = request.tools.length === 1 && isJsonObject(request.tools[0]!.input_schema) ? request.tools[0] : undefined;
  return structured ?? only;
}

function applyStopSequences(text: string, stops: readonly string[]): { text: string; stop: string | null } {
  let cut = -1;
  let stop: string | null = null;
  for (const s of stops) {
    const at = s.length > 0 ? text.indexOf(s) : -1;
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      stop = s;
    }
  }
  return cut < 0 ? { text, stop: null } : { text: text.slice(0, cut), stop };
}

export function generateReply(request: ValidRequest, model: ModelInfo, fault: SimulatorFault | undefined): Reply {
  // max_tokens 0 only warms the prompt cache: nothing is generated.
  if (request.maxTokens === 0) return { content: [], stopReason: 'max_tokens', stopSequence: null, outputTokens: 0 };
  const view = userView(request);
  const seed = createHash('sha256').update(model.id).update(JSON.stringify(request.messages)).digest('hex');
  const blocks: ResponseBlock[] = [];
  let used = 0;
  if (model.thinkingAlwaysOn || request.thinking === 'enabled') {
    blocks.push({ type: 'thinking', thinking: '', signature: stableId('EqSig', seed) });
    used = Math.min(THINKING_OUTPUT_TOKENS, request.maxTokens);
  }
  const budget = request.maxTokens - used;
  const malformed = fault?.kind === 'malformed_output';

  const tool = pickTool(request, view);
  if (tool) {
    const schema = isJsonObject(tool.input_schema) ? tool.input_schema : { type: 'object' };
    const input = malformed ? {} : structuredValue(schema, view, fault);
    const tokens = countTextTokens(`${tool.name}${JSON.stringify(input)}`);
    const fits = tokens <= budget;
    blocks.push({ type: 'tool_use', id: stableId('toolu_', seed), name: tool.name, input: fits ? input : {} });
    return { content: blocks, stopReason: fits ? 'tool_use' : 'max_tokens', stopSequence: null, outputTokens: used + Math.min(tokens, budget) };
  }

  let text: string;
  if (request.format) {
    text = JSON.stringify(structuredValue(request.format, view, fault));
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  } else {
    text = textReply(model, view.textsNewestFirst[0] ?? '', view.lastToolResults);
  }
  const stopped = applyStopSequences(text, request.stopSequences);
  const truncated = truncateToTokens(stopped.text, budget);
  const stopReason: StopReason = truncated.length < stopped.text.length ? 'max_tokens' : stopped.stop !== null ? 'stop_sequence' : 'end_turn';
  if (truncated.length > 0 || blocks.length === 0) blocks.push({ type: 'text', text: truncated });
  return {
    content: blocks,
    stopReason,
    stopSequence: stopReason === 'stop_sequence' ? stopped.stop : null,
    outputTokens: used + countTextTokens(truncated),
  };
}

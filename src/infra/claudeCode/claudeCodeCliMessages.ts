import { z } from 'zod';
import type { TokenUsage } from '../../shared/usage';

/**
 * The parts of Claude Code's `--output-format stream-json --verbose` lines (and the single
 * `--output-format json` object, which is the same `result` message) that Helios reads.
 * Everything else on a line is ignored, so newer Claude Code versions keep working.
 */

const WireUsage = z.looseObject({
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: z.number().nullish(), ephemeral_1h_input_tokens: z.number().nullish() })
    .nullish(),
});

const ModelUsage = z.looseObject({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  cacheReadInputTokens: z.number().default(0),
  cacheCreationInputTokens: z.number().default(0),
  costUSD: z.number().optional(),
});

export const ResultMessage = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  api_error_status: z.number().nullish(),
  result: z.string().optional(),
  stop_reason: z.string().nullish(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  usage: WireUsage.optional(),
  modelUsage: z.record(z.string(), ModelUsage).optional(),
  structured_output: z.unknown().optional(),
  errors: z.array(z.string()).optional(),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

const AssistantMessage = z.looseObject({
  type: z.literal('assistant'),
  request_id: z.string().nullish(),
  message: z.looseObject({
    id: z.string(),
    model: z.string().optional(),
    content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).default([]),
  }),
});

const PartialEvent = z.looseObject({
  type: z.literal('stream_event'),
  event: z.looseObject({
    type: z.string(),
    delta: z.looseObject({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }).optional(),
  }),
});

export type StreamLine =
  | { readonly kind: 'result'; readonly message: ResultMessage }
  | { readonly kind: 'assistant'; readonly messageId: string; readonly requestId: string | undefined; readonly model: string | undefined; readonly text: string }
  | { readonly kind: 'delta'; readonly chars: number }
  | { readonly kind: 'other' }
  | { readonly kind: 'malformed'; readonly line: string };

export function parseStreamLine(line: string): StreamLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', line };
  }
  const result = ResultMessage.safeParse(value);
  if (result.success) return { kind: 'result', message: result.data };
  const assistant = AssistantMessage.safeParse(value);
  if (assistant.success) {
    const m = assistant.data.message;
    const text = m.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
    return { kind: 'assistant', messageId: m.id, requestId: assistant.data.request_id ?? undefined, model: m.model, text };
  }
  const partial = PartialEvent.safeParse(value);
  if (partial.success && partial.data.event.type === 'content_block_delta') {
    const d = partial.data.event.delta;
    return { kind: 'delta', chars: (d?.text ?? d?.partial_json ?? '').length };
  }
  return typeof value === 'object' && value !== null ? { kind: 'other' } : { kind: 'malformed', line };
}

/**
 * The call's usage. `result.usage` covers the main loop; `modelUsage` also counts Claude Code's
 * side requests (a session title, when non-essential traffic is on). Take, per field, the larger
 * of the two so nothing the subscription paid for is missed; the 5m/1h split only exists in
 * `result.usage`.
 */
export function usageOf(result: ResultMessage): TokenUsage {
  const u = result.usage;
  const models = Object.values(result.modelUsage ?? {});
  const sum = (pick: (m: z.infer<typeof ModelUsage>) => number): number => models.reduce((n, m) => n + pick(m), 0);
  return {
    inputTokens: Math.max(u?.input_tokens ?? 0, sum((m) => m.inputTokens)),
    outputTokens: Math.max(u?.output_tokens ?? 0, sum((m) => m.outputTokens)),
    cacheCreationInputTokens: Math.max(u?.cache_creation_input_tokens ?? 0, sum((m) => m.cacheCreationInputTokens)),
    cacheReadInputTokens: Math.max(u?.cache_read_input_tokens ?? 0, sum((m) => m.cacheReadInputTokens)),
    cacheCreation5mTokens: u?.cache_creation?.ephemeral_5m_input_tokens ?? 0,
    cacheCreation1hTokens: u?.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}

/** The model that did the work: the `modelUsage` entry with the most output (ties: the requested one). */
export function modelOf(result: ResultMessage, requested: string, fromMessages: string | undefined): string {
  const entries = Object.entries(result.modelUsage ?? {});
  if (entries.length === 0) return fromMessages ?? requested;
  entries.sort(([a, x], [b, y]) => y.outputTokens - x.outputTokens || Number(b === requested) - Number(a === requested));
  return entries[0]![0];
}

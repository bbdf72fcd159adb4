import type { ServerResponse } from 'node:http';
import type { Reply } from './brains/reply';
import { write } from './http';
import { Pacer } from './latency';
import type { LatencyModel } from './latency';
import { countTextTokens } from './tokenizer';
import type { ResponseBlock, WireUsage } from './wire';

/**
 * The streaming form of a reply, event for event as the API sends it and the SDK's
 * MessageStream parses it: message_start, ping, per block content_block_start / _delta / _stop,
 * message_delta (stop reason, cumulative usage), message_stop.
 */

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
  /** Output tokens this event carries, for pacing. */
  readonly tokens: number;
}

export interface StreamOptions {
  readonly latency: LatencyModel;
  /** Extra pause between events (fault `slow_stream`). */
  readonly eventDelayMs: number;
  /** Destroy the socket after this many events (fault `drop_stream`). */
  readonly dropAfterEvents?: number;
  readonly signal: AbortSignal;
}

export type StreamOutcome = 'completed' | 'dropped' | 'aborted';

/** Chunks of about 24 characters, fewer and larger for long texts (at most ~300 deltas per block). */
export function chunkText(text: string): string[] {
  const size = Math.max(24, Math.ceil(text.length / 300));
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end++;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

function blockEvents(block: ResponseBlock, index: number): SseEvent[] {
  const delta = (d: unknown, tokens: number): SseEvent => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: d }, tokens });
  const events: SseEvent[] = [];
  if (block.type === 'thinking') {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }, tokens: 0 });
    for (const c of chunkText(block.thinking)) events.push(delta({ type: 'thinking_delta', thinking: c }, countTextTokens(c)));
    events.push(delta({ type: 'signature_delta', signature: block.signature }, 0));
  } else if (block.type === 'text') {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, tokens: 0 });
    for (const c of chunkText(block.text)) events.push(delta({ type: 'text_delta', text: c }, countTextTokens(c)));
  } else {
    const start = { type: 'tool_use', id: block.id, name: block.name, input: {} };
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start }, tokens: 0 });
    for (const c of chunkText(JSON.stringify(block.input))) events.push(delta({ type: 'input_json_delta', partial_json: c }, countTextTokens(c)));
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index }, tokens: 0 });
  return events;
}

export function streamEvents(message: Readonly<Record<string, unknown>>, reply: Reply, usage: WireUsage): SseEvent[] {
  const { output_tokens: _output, ...cumulative } = usage;
  return [
    {
      event: 'message_start',
      data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
      tokens: 0,
    },
    { event: 'ping', data: { type: 'ping' }, tokens: 0 },
    ...reply.content.flatMap(blockEvents),
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
        usage: {
          output_tokens: usage.output_tokens,
          input_tokens: cumulative.input_tokens,
          cache_creation_input_tokens: cumulative.cache_creation_input_tokens,
          cache_read_input_tokens: cumulative.cache_read_input_tokens,
        },
      },
      tokens: 0,
    },
    { event: 'message_stop', data: { type: 'message_stop' }, tokens: 0 },
  ];
}

export async function writeStream(res: ServerResponse, events: readonly SseEvent[], options: StreamOptions): Promise<StreamOutcome> {
  const pacer = new Pacer(options.signal);
  for (let i = 0; i < events.length; i++) {
    if (options.signal.aborted) return 'aborted';
    if (options.dropAfterEvents !== undefined && i >= options.dropAfterEvents) {
      res.destroy();
      return 'dropped';
    }
    const e = events[i]!;
    // The first token arrives after the model's time-to-first-token; later ones at its output speed.
    if (i === 2) await pacer.advance(options.latency.firstTokenMs);
    await pacer.advance(e.tokens * options.latency.msPerOutputToken + (i > 0 ? options.eventDelayMs : 0));
    if (options.signal.aborted) return 'aborted';
    if (!(await write(res, `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`))) return 'aborted';
  }
  res.end();
  return 'completed';
}

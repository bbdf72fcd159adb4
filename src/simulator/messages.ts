import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateReply } from './brains/reply';
import type { FaultQueue, SimulatorFault } from './faults';
import { headerValue, sendError, sendJson } from './http';
import { latencyFor, sleep } from './latency';
import type { PromptCache } from './promptCache';
import type { RateLimiter } from './rateLimiter';
import type { RecordedRequest } from './requestLog';
import { streamEvents, writeStream } from './sse';
import { countPromptTokens, promptUnits, unprefixedTokens } from './tokenizer';
import { validateCountTokens, validateMessages } from './validate';
import { ApiError, invalidRequest, isJsonObject, randomId } from './wire';
import type { WireUsage } from './wire';

/** The two model endpoints: POST /v1/messages (JSON or SSE) and POST /v1/messages/count_tokens. */

export interface SimContext {
  readonly speedUp: number;
  readonly cache: PromptCache;
  readonly limiter: RateLimiter;
  readonly countLimiter: RateLimiter;
  readonly faults: FaultQueue;
}

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly body: Buffer;
  /** Aborts when the client disconnects before the response is complete. */
  readonly signal: AbortSignal;
}

export type Outcome = Omit<RecordedRequest, 'requestId' | 'at' | 'method' | 'path' | 'bodyBytes'>;

function parseAuthedJson(ex: Exchange): unknown {
  const key = headerValue(ex.req, 'x-api-key');
  const auth = headerValue(ex.req, 'authorization');
  if (!key && !(auth && /^Bearer\s+\S+/i.test(auth))) {
    throw new ApiError(401, 'authentication_error', 'x-api-key header is required');
  }
  try {
    return JSON.parse(ex.body.toString('utf8')) as unknown;
  } catch (error) {
    throw invalidRequest(`There was an issue with your request body: invalid JSON (${error instanceof Error ? error.message : 'parse error'})`);
  }
}

function tryParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Fields the summary counts itself; the others are listed by name (`with=context_management,…`). */
const SUMMARIZED_FIELDS = new Set(['model', 'messages', 'max_tokens', 'system', 'tools', 'stream']);

function summarize(body: unknown): { summary: string; model?: string; stream?: boolean } {
  if (!isJsonObject(body)) return { summary: 'non-object body' };
  const count = (v: unknown): number => (Array.isArray(v) ? v.length : v === undefined || v === null ? 0 : 1);
  const format = isJsonObject(body['output_config']) && body['output_config']['format'] !== undefined;
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const systemEntries = messages.filter((m) => isJsonObject(m) && m['role'] === 'system').length;
  const others = Object.keys(body).filter((k) => !SUMMARIZED_FIELDS.has(k)).sort();
  const summary = `messages=${count(body['messages'])} tools=${count(body['tools'])} system=${count(body['system'])} max_tokens=${JSON.stringify(body['max_tokens'])}${format ? ' format=json_schema' : ''}${systemEntries > 0 ? ` system_messages=${systemEntries}` : ''}${others.length > 0 ? ` with=${others.join(',')}` : ''}`;
  return {
    summary,
    ...(typeof body['model'] === 'string' ? { model: body['model'] } : {}),
    ...(typeof body['stream'] === 'boolean' ? { stream: body['stream'] } : {}),
  };
}

function faultError(fault: Extract<SimulatorFault, { kind: 'status' }>): ApiError {
  const retry: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  switch (fault.status) {
    case 429:
      return new ApiError(429, 'rate_limit_error', 'This request would exceed your rate limit (simulated fault).', retry);
    case 529:
      return new ApiError(529, 'overloaded_error', 'Overloaded', retry);
    case 503:
      return new ApiError(503, 'api_error', 'Service unavailable (simulated fault).', retry);
    default:
      return new ApiError(500, 'api_error', 'Internal server error (simulated fault).', retry);
  }
}

function failed(ex: Exchange, error: unknown, base: Outcome, limiter: RateLimiter): Outcome {
  // Anything but an ApiError is a simulator bug: the server logs it and answers 500.
  if (!(error instanceof ApiError)) throw error;
  sendError(ex.res, error, ex.requestId, limiter.headers());
  return { ...base, status: error.status, errorType: error.type };
}

export async function handleMessages(ctx: SimContext, ex: Exchange): Promise<Outcome> {
  const fault = ctx.faults.take();
  let base: Outcome = { status: 0, summary: '', ...(fault ? { fault: fault.kind } : {}) };
  try {
    if (fault?.kind === 'status') {
      base = { ...base, ...summarize(tryParse(ex.body)) };
      throw faultError(fault);
    }
    const body = parseAuthedJson(ex);
    base = { ...base, ...summarize(body) };
    const { model, request } = validateMessages(body);
    const units = promptUnits(request);
    const extra = unprefixedTokens(request);
    const total = units.reduce((s, u) => s + u.tokens, 0) + extra;
    if (total > model.contextWindow) throw invalidRequest(`prompt is too long: ${total} tokens > ${model.contextWindow} maximum`);

    const plan = ctx.cache.plan(model.id, model.minCacheableTokens, units, extra);
    const reply = generateReply(request, model, fault);
    const b = plan.breakdown;
    const decision = ctx.limiter.check(b.inputTokens + b.cacheCreationTokens, reply.outputTokens);
    if (!decision.ok) {
      throw new ApiError(429, 'rate_limit_error', `This request would exceed the rate limit for your organization (${decision.kind.replace('_', ' ')} per minute). Please try again later.`, {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    ctx.limiter.record(b.inputTokens + b.cacheCreationTokens, reply.outputTokens);
    ctx.cache.commit(plan);

    const usage: WireUsage = {
      input_tokens: b.inputTokens,
      output_tokens: reply.outputTokens,
      cache_creation_input_tokens: b.cacheCreationTokens,
      cache_read_input_tokens: b.cacheReadTokens,
      cache_creation: { ephemeral_5m_input_tokens: b.creation5mTokens, ephemeral_1h_input_tokens: b.creation1hTokens },
      service_tier: 'standard',
    };
    const message = { id: randomId('msg_'), type: 'message', role: 'assistant', model: request.modelId };
    const tail = { usage, stop_details: null, container: null };
    const headers = { ...ctx.limiter.headers(), 'request-id': ex.requestId };
    const latency = latencyFor(model, ctx.speedUp);
    const slowMs = fault?.kind === 'slow_stream' ? fault.delayMs : 0;
    const done: Outcome = { ...base, status: 200, usage };

    if (request.stream) {
      ex.res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // Headers go out now, so a dropped stream fails mid-body (as in production), not as a refused request.
      ex.res.flushHeaders();
      const outcome = await writeStream(ex.res, streamEvents({ ...message, stop_details: null, container: null }, reply, usage), {
        latency,
        eventDelayMs: slowMs,
        signal: ex.signal,
        ...(fault?.kind === 'drop_stream' ? { dropAfterEvents: fault.afterEvents } : {}),
      });
      return { ...done, outcome };
    }
    if (fault?.kind === 'drop_stream') {
      ex.res.destroy();
      return { ...done, outcome: 'dropped' };
    }
    await sleep(latency.firstTokenMs + reply.outputTokens * latency.msPerOutputToken + slowMs, ex.signal);
    if (ex.signal.aborted) return { ...done, outcome: 'aborted' };
    sendJson(ex.res, 200, { ...message, content: reply.content, stop_reason: reply.stopReason, stop_sequence: reply.stopSequence, ...tail }, headers);
    return done;
  } catch (error) {
    return failed(ex, error, base, ctx.limiter);
  }
}

/** Free and rate-limited separately: creates no cache entries and never touches the message limits. */
export function handleCountTokens(ctx: SimContext, ex: Exchange): Outcome {
  let base: Outcome = { status: 0, summary: '' };
  try {
    const body = parseAuthedJson(ex);
    base = { ...base, ...summarize(body) };
    const { request } = validateCountTokens(body);
    const decision = ctx.countLimiter.check(0, 0);
    if (!decision.ok) {
      throw new ApiError(429, 'rate_limit_error', 'Too many count_tokens requests. Please try again later.', { 'retry-after': String(decision.retryAfterSeconds) });
    }
    ctx.countLimiter.record(0, 0);
    sendJson(ex.res, 200, { input_tokens: countPromptTokens(request) }, { ...ctx.countLimiter.headers(), 'request-id': ex.requestId });
    return { ...base, status: 200 };
  } catch (error) {
    return failed(ex, error, base, ctx.countLimiter);
  }
}

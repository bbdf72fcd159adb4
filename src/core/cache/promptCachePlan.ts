import { findModel, type CacheMultipliers, type ModelInfo } from '../../shared/models';
import { ZERO_USAGE, type TokenUsage } from '../../shared/usage';
import { estimateTokens, type TokenEstimator } from '../context/tokenEstimate';
import type { CacheControl, LlmMessage, LlmRequest, TextPart } from '../llm/llmClient';
import { costOfUsage } from '../usage/cost';

/**
 * L1: the provider's prompt cache. Prompt builders mark *stable boundaries* (a `cacheControl` on
 * the last part of the system prompt, of the plan-wide shared context, …); this planner decides
 * which of them become real breakpoints for the request's model and with which TTL:
 *  - the prefix is matched tools → system → messages, so positions are counted in that order;
 *  - a boundary whose prefix is below the model's minimum would be silently not cached, so it is
 *    dropped rather than wasting one of the 4 slots;
 *  - at most 4 breakpoints: the last eligible one (the longest shared prefix) always stays, then
 *    the earliest ones (short prefixes shared by more requests, e.g. the system prompt alone);
 *  - TTLs never increase along the prompt (the API requires 1 h entries before 5 min ones).
 */

export const MAX_BREAKPOINTS = 4;
const FIVE_MINUTES_MS = 5 * 60_000;
const ONE_HOUR_MS = 60 * 60_000;

/** How the prefix is expected to be reused after this call. */
export interface ReuseEstimate {
  /** Further calls expected to share the prefix (e.g. tasks of the plan left on this model). */
  readonly remainingUses: number;
  /** Expected time between two of those calls. */
  readonly expectedGapMs: number;
}

export interface PlannedBreakpoint {
  /** 'system' or the index of the message. */
  readonly message: 'system' | number;
  readonly part: number;
  readonly prefixTokens: number;
  readonly ttl: NonNullable<CacheControl['ttl']>;
}

export interface PromptCachePlan {
  readonly request: LlmRequest;
  readonly breakpoints: readonly PlannedBreakpoint[];
  /** Boundaries dropped because their prefix was below the model's minimum or past the limit. */
  readonly dropped: number;
}

/**
 * Expected input cost (in units of one uncached prefix) of keeping a prefix warm for the reuse,
 * per TTL; reads refresh the TTL, so an entry only expires when a gap exceeds it.
 */
export function ttlCosts(reuse: ReuseEstimate, m: CacheMultipliers): { '5m': number; '1h': number } {
  const n = Math.max(0, reuse.remainingUses);
  const cost = (ttlMs: number, write: number): number => {
    const expiries = reuse.expectedGapMs > ttlMs ? n : 0;
    return write * (1 + expiries) + m.read * (n - expiries);
  };
  return { '5m': cost(FIVE_MINUTES_MS, m.write5m), '1h': cost(ONE_HOUR_MS, m.write1h) };
}

export function chooseTtl(reuse: ReuseEstimate, m: CacheMultipliers): '5m' | '1h' {
  const c = ttlCosts(reuse, m);
  return c['1h'] < c['5m'] ? '1h' : '5m';
}

export interface PlanOptions {
  readonly reuse?: ReuseEstimate;
  readonly estimate?: TokenEstimator;
  readonly table?: readonly ModelInfo[];
}

/** Re-places the request's breakpoints; a request without boundaries, or for an unknown model, is returned unchanged. */
export function planPromptCache(request: LlmRequest, options: PlanOptions = {}): PromptCachePlan {
  const model = findModel(request.model, options.table);
  const estimate = options.estimate ?? estimateTokens;
  const candidates: Array<{ message: 'system' | number; part: number; prefixTokens: number }> = [];
  let tokens = 0;
  const scan = (parts: readonly TextPart[], message: 'system' | number): void => {
    parts.forEach((p, i) => {
      tokens += estimate(p.text);
      if (p.cacheControl) candidates.push({ message, part: i, prefixTokens: tokens });
    });
  };
  scan(request.system, 'system');
  request.messages.forEach((m, i) => scan(m.content, i));
  if (!model || candidates.length === 0) return { request, breakpoints: [], dropped: 0 };

  const eligible = candidates.filter((c) => c.prefixTokens >= model.minCacheableTokens);
  const kept = eligible.length <= MAX_BREAKPOINTS ? eligible : [...eligible.slice(0, MAX_BREAKPOINTS - 1), eligible[eligible.length - 1]!];
  const ttl = chooseTtl(options.reuse ?? { remainingUses: 1, expectedGapMs: 0 }, model.cache);
  const breakpoints: PlannedBreakpoint[] = kept.map((c) => ({ ...c, ttl }));
  const at = new Map(breakpoints.map((b) => [`${b.message}:${b.part}`, b.ttl]));
  const mark = (parts: readonly TextPart[], message: 'system' | number): TextPart[] =>
    parts.map((p, i) => {
      const t = at.get(`${message}:${i}`);
      return t ? { text: p.text, cacheControl: { ttl: t } } : { text: p.text };
    });
  const messages: LlmMessage[] = request.messages.map((m, i) => ({ role: m.role, content: mark(m.content, i) }));
  return {
    request: { ...request, system: mark(request.system, 'system'), messages },
    breakpoints,
    dropped: candidates.length - breakpoints.length,
  };
}

/** What one call's prompt-cache use saved (negative when it only wrote), from the provider's usage. */
export function promptCacheSavingsUsd(modelId: string, usage: TokenUsage, table?: readonly ModelInfo[]): number {
  const actual = costOfUsage(modelId, usage, table);
  const uncached = costOfUsage(modelId, {
    ...ZERO_USAGE,
    inputTokens: usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens,
    outputTokens: usage.outputTokens,
  }, table);
  return actual === undefined || uncached === undefined ? 0 : uncached - actual;
}

import { totalTokens, ZERO_USAGE } from '../../shared/usage';
import type { LlmClient, LlmRequest, LlmResponse } from '../llm/llmClient';
import type { MetricsSink } from '../metrics/metricsSink';
import { costOfUsage } from '../usage/cost';
import type { ExactCache } from './exactCache';
import { planPromptCache, promptCacheSavingsUsd, type ReuseEstimate } from './promptCachePlan';
import type { SemanticCache, SemanticGuard, SemanticScope } from './semanticCache';

/**
 * The cache facade on the single model-call path: router → cache → governor → provider. It wraps
 * the *governed* client, so an L2 or L3 hit never reaches the governor: no admission, no ledger
 * record, no budget. On a miss it plans the provider prompt cache (L1), calls through, records the
 * L1 figures from the provider's usage, and stores the answer in L2 and (with a scope) L3.
 * A hit is returned with zero usage and no request id: nothing was billed for it; what it saved
 * is in `stats()`.
 */

export type CacheLayer = 'L1' | 'L2' | 'L3';

export type CacheEvent =
  | {
    readonly kind: 'lookup'; readonly layer: 'L2' | 'L3'; readonly outcome: 'hit' | 'miss' | 'hint'; readonly ms: number;
    readonly blockedBy?: SemanticGuard; readonly hintWhy?: 'fingerprint' | 'not_servable';
    /** On a hit: what the served answer cost when it was first bought. */
    readonly savedUsd?: number;
  }
  | { readonly kind: 'prompt_cache'; readonly model: string; readonly readTokens: number; readonly writeTokens: number; readonly savedUsd: number };

export interface CachedLlmClientOptions {
  readonly exact?: ExactCache;
  readonly semantic?: SemanticCache;
  /** L1 breakpoint planning (default on). */
  readonly promptCache?: boolean;
  /** Expected reuse of the request's prefix (e.g. tasks of the plan left), for the TTL choice. */
  readonly reuseOf?: (request: LlmRequest) => ReuseEstimate | undefined;
  /** The L3 scope of a request (agent, task type, fingerprint…); none → L3 is skipped. */
  readonly scopeOf?: (request: LlmRequest) => SemanticScope | undefined;
  /** Files that depend on changed files (the dependency graph's impact), for invalidation. */
  readonly impactOf?: (paths: readonly string[]) => readonly string[];
  readonly onEvent?: (event: CacheEvent) => void;
  /** Monotonic milliseconds for lookup timings (default performance.now). */
  readonly clock?: () => number;
  /**
   * A cache write failed (a full disk, a folder that went away). The answer was still returned;
   * the entry is not kept. Reported once per layer per client, then counted in `stats()`.
   */
  readonly onWarning?: (reason: 'cache_write_failed', details: Readonly<Record<string, string>>) => void;
}

interface Counter { hits: number; misses: number; savedTokens: number; savedUsd: number }

export interface CacheStats {
  readonly L1: { readonly calls: number; readonly callsWithReads: number; readonly readTokens: number; readonly writeTokens: number; readonly inputTokens: number; readonly savedUsd: number };
  readonly L2: Counter & { readonly entries: number; readonly bytes: number; readonly writeFailures: number };
  readonly L3: Counter & { readonly hints: number; readonly blocked: Readonly<Partial<Record<SemanticGuard, number>>>; readonly entries: number; readonly writeFailures: number };
  readonly savedTokens: number;
  readonly savedUsd: number;
}

export class CachedLlmClient implements LlmClient {
  private readonly clock: () => number;
  private readonly l1 = { calls: 0, callsWithReads: 0, readTokens: 0, writeTokens: 0, inputTokens: 0, savedUsd: 0 };
  private readonly l2: Counter = { hits: 0, misses: 0, savedTokens: 0, savedUsd: 0 };
  private readonly l3: Counter & { hints: number; blocked: Partial<Record<SemanticGuard, number>> } = { hits: 0, misses: 0, savedTokens: 0, savedUsd: 0, hints: 0, blocked: {} };
  private l3Entries = 0;
  private readonly writeFailures = { L2: 0, L3: 0 };
  /** L3 stores still being written, by key: they run off the call path (a partition write is O(size)). */
  private readonly storing = new Map<string, Promise<void>>();
  /** The L2 file write in flight, if any (it merges with other windows' entries under a lock). */
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly inner: LlmClient, private readonly options: CachedLlmClientOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
  }

  get provider(): string {
    return this.inner.provider;
  }

  /** The key `markTrusted` takes: the request's L2 key (the same request's L3 entry shares it). */
  keyOf(request: LlmRequest): string | undefined {
    return this.options.exact?.keyOf(request);
  }

  complete(request: LlmRequest): Promise<LlmResponse> {
    return this.completeWithScope(request, this.options.scopeOf?.(request));
  }

  async completeWithScope(request: LlmRequest, scope: SemanticScope | undefined): Promise<LlmResponse> {
    const { exact, semantic } = this.options;
    const key = exact?.keyOf(request);
    if (exact && key) {
      const t0 = this.clock();
      // A local miss asks the team's shared store, when there is one (a teammate's identical call).
      const cached = await exact.lookup(key);
      this.emit({ kind: 'lookup', layer: 'L2', outcome: cached ? 'hit' : 'miss', ms: this.clock() - t0, ...(cached ? { savedUsd: costOfUsage(cached.model, cached.usage) ?? 0 } : {}) });
      if (cached) return this.served(this.l2, cached, t0);
      this.l2.misses++;
    }
    let sent = request;
    if (semantic && scope && key) {
      const t0 = this.clock();
      const found = await semantic.lookup(scope, request.model);
      this.emit({
        kind: 'lookup', layer: 'L3', outcome: found.kind, ms: this.clock() - t0,
        ...(found.kind === 'miss' && found.blockedBy ? { blockedBy: found.blockedBy } : {}),
        ...(found.kind === 'hint' ? { hintWhy: found.why } : {}),
        ...(found.kind === 'hit' ? { savedUsd: costOfUsage(found.response.model, found.response.usage) ?? 0 } : {}),
      });
      if (found.kind === 'hit') return this.served(this.l3, found.response, t0);
      this.l3.misses++;
      if (found.kind === 'hint') {
        this.l3.hints++;
        sent = withHint(request, found.response.text);
      } else if (found.blockedBy) {
        this.l3.blocked[found.blockedBy] = (this.l3.blocked[found.blockedBy] ?? 0) + 1;
      }
    }
    if (this.options.promptCache ?? true) {
      const reuse = this.options.reuseOf?.(request);
      sent = planPromptCache(sent, reuse ? { reuse } : {}).request;
    }
    const response = await this.inner.complete(sent);
    this.recordL1(response);
    if (exact && key && exact.set(key, response, scope?.paths ?? [])) this.flushing = exact.flush().catch((e: unknown) => this.writeFailed('L2', e));
    if (semantic && scope && key) this.storeSemantic(semantic, key, scope, response);
    return response;
  }

  /** Resolves when every answer stored so far is written: in the L3 index and the L2 file. */
  async settled(): Promise<void> {
    await Promise.all([...this.storing.values(), this.flushing]);
  }

  private storeSemantic(semantic: SemanticCache, key: string, scope: SemanticScope, response: LlmResponse): void {
    const previous = this.storing.get(key) ?? Promise.resolve();
    const storing = previous
      .then(() => semantic.store(key, scope, response))
      .then((stored) => { if (stored) this.l3Entries++; }, (e: unknown) => this.writeFailed('L3', e))
      .finally(() => { if (this.storing.get(key) === storing) this.storing.delete(key); });
    this.storing.set(key, storing);
  }

  private writeFailed(layer: 'L2' | 'L3', error: unknown): void {
    if (this.writeFailures[layer]++ === 0) this.options.onWarning?.('cache_write_failed', { layer, error: error instanceof Error ? error.message : String(error) });
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(request);
  }

  /** The Reviewer approved or the user accepted the answer to this request: L3 may serve it. */
  async markTrusted(key: string): Promise<boolean> {
    await this.storing.get(key);
    return (await this.options.semantic?.markTrusted(key)) ?? false;
  }

  /** Files changed: drop every L2/L3 entry that depended on them or on what they impact. */
  async invalidate(paths: readonly string[]): Promise<number> {
    const all = [...new Set([...paths, ...(this.options.impactOf?.(paths) ?? [])])];
    await this.settled();
    const l2 = this.options.exact?.invalidate(all) ?? 0;
    const l3 = (await this.options.semantic?.invalidate(all)) ?? 0;
    // Always: a shared store (team mode) drops teammates' entries on these paths even when none was here.
    await this.options.exact?.flush();
    return l2 + l3;
  }

  async clear(): Promise<void> {
    await this.settled();
    this.options.exact?.clear();
    await this.options.exact?.flush();
    await this.options.semantic?.clear();
  }

  async stats(): Promise<CacheStats> {
    const entries = (await this.options.semantic?.size()) ?? this.l3Entries;
    return {
      L1: { ...this.l1 },
      L2: { ...this.l2, entries: this.options.exact?.size ?? 0, bytes: this.options.exact?.bytes ?? 0, writeFailures: this.writeFailures.L2 },
      L3: { ...this.l3, blocked: { ...this.l3.blocked }, entries, writeFailures: this.writeFailures.L3 },
      savedTokens: this.l2.savedTokens + this.l3.savedTokens,
      savedUsd: this.l1.savedUsd + this.l2.savedUsd + this.l3.savedUsd,
    };
  }

  private served(counter: Counter, cached: LlmResponse, t0: number): LlmResponse {
    counter.hits++;
    counter.savedTokens += totalTokens(cached.usage);
    counter.savedUsd += costOfUsage(cached.model, cached.usage) ?? 0;
    return { model: cached.model, text: cached.text, stopReason: cached.stopReason, usage: ZERO_USAGE, requestId: undefined, durationMs: this.clock() - t0 };
  }

  private recordL1(response: LlmResponse): void {
    const u = response.usage;
    const savedUsd = promptCacheSavingsUsd(response.model, u);
    this.l1.calls++;
    if (u.cacheReadInputTokens > 0) this.l1.callsWithReads++;
    this.l1.readTokens += u.cacheReadInputTokens;
    this.l1.writeTokens += u.cacheCreationInputTokens;
    this.l1.inputTokens += u.inputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens;
    this.l1.savedUsd += savedUsd;
    this.emit({ kind: 'prompt_cache', model: response.model, readTokens: u.cacheReadInputTokens, writeTokens: u.cacheCreationInputTokens, savedUsd });
  }

  private emit(event: CacheEvent): void {
    this.options.onEvent?.(event);
  }
}

/** The trusted answer to a similar request, given to the model as a hint, never as the answer. */
function withHint(request: LlmRequest, text: string): LlmRequest {
  const messages = [...request.messages];
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') return request;
  const hint = `<cached-hint>\nAn accepted answer to a similar earlier request follows. The files it was made for have changed, so use it only as a starting point and check it against the current files.\n${text}\n</cached-hint>`;
  messages[messages.length - 1] = { role: 'user', content: [...last.content, { text: hint }] };
  return { ...request, messages };
}

export type CacheMetrics = Pick<MetricsSink, 'recordCacheLookup' | 'recordCacheGuard' | 'recordCacheSaved'>;

/**
 * Feeds the metrics registry's cache series (`helios_cache_*`, levels l1/l2/l3 = our L1/L2/L3):
 * lookups, what L3 did instead of serving (a hint, or the guard that blocked), and dollars saved.
 */
export function cacheMetricsListener(sink: CacheMetrics): (event: CacheEvent) => void {
  return (event) => {
    if (event.kind === 'prompt_cache') {
      sink.recordCacheLookup('l1', event.readTokens > 0);
      sink.recordCacheSaved('l1', event.savedUsd);
      return;
    }
    const level = event.layer === 'L2' ? 'l2' : 'l3';
    sink.recordCacheLookup(level, event.outcome === 'hit');
    if (event.savedUsd) sink.recordCacheSaved(level, event.savedUsd);
    if (event.hintWhy) sink.recordCacheGuard({ kind: 'hint', why: event.hintWhy });
    if (event.blockedBy) sink.recordCacheGuard({ kind: 'blocked', guard: event.blockedBy });
  };
}

import { createHash } from 'node:crypto';
import type { PromptUnit } from './tokenizer';
import type { CacheTtl } from './wire';

/**
 * Prompt caching as the API reports it. Breakpoints (`cache_control`) mark prefixes in the
 * order tools → system → messages. A request reads the longest cached, unexpired prefix that
 * ends at a breakpoint or up to LOOKBACK_UNITS blocks before one (so a conversation that moves
 * its breakpoint forward still hits the previous turn's entry), refreshes its TTL, and writes
 * every later breakpoint prefix that is long enough. Invariant:
 * input + cache_read + cache_creation == total prompt tokens.
 */

export const LOOKBACK_UNITS = 20;
const TTL_MS: Readonly<Record<CacheTtl, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
const MAX_ENTRIES = 20_000;

export interface CacheBreakdown {
  readonly inputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheCreationTokens: number;
  readonly creation5mTokens: number;
  readonly creation1hTokens: number;
}

interface CacheWrite {
  readonly key: string;
  readonly ttl: CacheTtl;
}

/** What a request would do to the cache; nothing changes until `commit`. */
export interface CachePlan {
  readonly breakdown: CacheBreakdown;
  readonly readKey: string | undefined;
  readonly writes: readonly CacheWrite[];
}

interface Entry {
  expiresAt: number;
  readonly ttlMs: number;
}

export class PromptCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => number) {}

  plan(modelId: string, minCacheableTokens: number, units: readonly PromptUnit[], extraTokens: number): CachePlan {
    const keys: string[] = [];
    const cumulative: number[] = [];
    const hash = createHash('sha256').update(modelId);
    let sum = 0;
    for (const unit of units) {
      hash.update(unit.canonical).update('\u0000');
      sum += unit.tokens;
      cumulative.push(sum);
      keys.push(hash.copy().digest('hex'));
    }
    const total = sum + extraTokens;
    const breakpoints = units.flatMap((u, i) => (u.cacheControl ? [i] : []));
    const now = this.clock();

    let readIndex = -1;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - LOOKBACK_UNITS) && i > readIndex; i--) {
        const entry = this.entries.get(keys[i]!);
        if (entry && entry.expiresAt > now) {
          readIndex = i;
          break;
        }
      }
    }
    const cacheReadTokens = readIndex >= 0 ? cumulative[readIndex]! : 0;

    let covered = cacheReadTokens;
    let creation5mTokens = 0;
    let creation1hTokens = 0;
    const writes: CacheWrite[] = [];
    for (const bp of breakpoints) {
      const prefixTokens = cumulative[bp]!;
      if (bp <= readIndex || prefixTokens < minCacheableTokens) continue;
      const ttl = units[bp]!.cacheControl?.ttl ?? '5m';
      if (ttl === '1h') creation1hTokens += prefixTokens - covered;
      else creation5mTokens += prefixTokens - covered;
      covered = prefixTokens;
      writes.push({ key: keys[bp]!, ttl });
    }
    const cacheCreationTokens = creation5mTokens + creation1hTokens;
    return {
      breakdown: {
        inputTokens: total - cacheReadTokens - cacheCreationTokens,
        cacheReadTokens,
        cacheCreationTokens,
        creation5mTokens,
        creation1hTokens,
      },
      readKey: readIndex >= 0 ? keys[readIndex] : undefined,
      writes,
    };
  }

  commit(plan: CachePlan): void {
    const now = this.clock();
    if (plan.readKey) {
      const entry = this.entries.get(plan.readKey);
      if (entry) entry.expiresAt = now + entry.ttlMs;
    }
    for (const write of plan.writes) {
      const ttlMs = TTL_MS[write.ttl];
      const existing = this.entries.get(write.key);
      if (!existing || existing.expiresAt < now + ttlMs) this.entries.set(write.key, { expiresAt: now + ttlMs, ttlMs });
    }
    if (this.entries.size > MAX_ENTRIES) this.prune(now);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Still too many live entries: drop the oldest inserted ones (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}

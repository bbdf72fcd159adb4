import type { RateLimitInfo } from '../llm/llmClient';

export type { RateLimitInfo };

/**
 * An adaptive gate in front of the provider: additive increase, multiplicative decrease of the
 * number of calls allowed at once, plus a hard stop until the reset time when the headers say a
 * per-minute limit is used up. A 429 halves the limit and pauses for `retry-after`; every
 * `limit` successes add one back, up to the configured maximum.
 */
export class AdaptiveRateLimiter {
  private current: number;
  private successes = 0;
  private until = 0;

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  /** Calls may not start before this instant (ms since epoch). */
  get blockedUntil(): number {
    return this.until > this.now() ? this.until : 0;
  }

  onSuccess(info?: RateLimitInfo): void {
    if (++this.successes >= this.current && this.current < this.max) {
      this.current++;
      this.successes = 0;
    }
    const exhausted = info && [info.requestsRemaining, info.inputTokensRemaining, info.outputTokensRemaining].some((v) => v !== undefined && v <= 0);
    if (exhausted && info.resetAt) this.until = Math.max(this.until, info.resetAt);
  }

  onRateLimited(retryAfterMs = 1_000): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.successes = 0;
    this.until = Math.max(this.until, this.now() + retryAfterMs);
  }
}

import type { RateLimitInfo } from '../llm/llmClient';
import { mergeRate, RATE_WINDOW_MS, type BoardView, type RecentAdmission, type SharedRateState } from './accountBoard';

/**
 * The provider's per-minute limits as the governor sees them: the last minute's admissions
 * (everyone's, from the account board, plus this process's own since) and the shared rate state
 * (the limits the headers reported; `until` from a used-up limit or a 429's `retry-after`).
 */
export class MinuteWindow {
  private recent: RecentAdmission[] = [];
  private rate: SharedRateState = { until: 0 };

  /**
   * What the headers said, as an update for the board, or undefined when it changes nothing.
   * `until` is set only by a limit used up (remaining 0) that resets later.
   */
  static updateOf(info: RateLimitInfo, now: number): Partial<SharedRateState> {
    const exhausted = [info.requestsRemaining, info.inputTokensRemaining, info.outputTokensRemaining].some((v) => v !== undefined && v <= 0);
    return {
      ...(exhausted && info.resetAt && info.resetAt > now ? { until: info.resetAt } : {}),
      ...(info.requestsLimit !== undefined ? { requestsPerMinute: info.requestsLimit } : {}),
      ...(info.inputTokensLimit !== undefined ? { inputTokensPerMinute: info.inputTokensLimit } : {}),
    };
  }

  /** Takes the update in; false when it changed nothing (so nothing needs publishing). */
  merge(update: Partial<SharedRateState>): boolean {
    const merged = mergeRate(this.rate, update);
    const same = merged.until === this.rate.until && merged.requestsPerMinute === this.rate.requestsPerMinute && merged.inputTokensPerMinute === this.rate.inputTokensPerMinute;
    this.rate = merged;
    return !same;
  }

  /** The board's view replaces the admissions; its rate state joins what this process learned. */
  absorb(view: BoardView, now: number): void {
    this.recent = [...view.recent];
    this.rate = mergeRate({ ...this.rate, until: this.rate.until > now ? this.rate.until : 0 }, view.rate);
  }

  /** Drops what the last board knew (another board takes over). */
  reset(): void {
    this.recent = [];
  }

  /** Counted at once: the next admission of the same round sees it. */
  admitted(now: number, inputTokens: number): void {
    this.recent.push({ at: now, inputTokens });
  }

  /**
   * Until when a call of `inputTokens` must wait (0: it may start): `until`, or the last minute's
   * calls already at the requests or input-token limit (then until the oldest is a minute old).
   * A call bigger than the whole input limit is not held back for ever: it goes when the minute
   * is empty.
   */
  heldUntil(now: number, inputTokens: number): number {
    if (this.rate.until > now) return this.rate.until;
    const from = now - RATE_WINDOW_MS;
    if (this.recent.length > 0 && this.recent[0]!.at <= from) this.recent = this.recent.filter((a) => a.at > from);
    if (this.recent.length === 0) return 0;
    const { requestsPerMinute: requests, inputTokensPerMinute: tokens } = this.rate;
    const input = this.recent.reduce((n, a) => n + a.inputTokens, 0);
    const full = (requests !== undefined && this.recent.length >= requests) || (tokens !== undefined && input + inputTokens > tokens);
    return full ? this.recent[0]!.at + RATE_WINDOW_MS : 0;
  }
}

/**
 * Sliding 60-second windows for requests, input tokens and output tokens, like the API's
 * per-minute limits. Input tokens count what the API counts against ITPM: uncached input plus
 * cache writes (cache reads are free of ITPM).
 */

export interface RateLimits {
  readonly requestsPerMinute: number;
  readonly inputTokensPerMinute: number;
  readonly outputTokensPerMinute: number;
}

export const DEFAULT_LIMITS: RateLimits = {
  requestsPerMinute: 4_000,
  inputTokensPerMinute: 2_000_000,
  outputTokensPerMinute: 400_000,
};

const WINDOW_MS = 60_000;

interface WindowEvent {
  readonly at: number;
  readonly amount: number;
}

class SlidingWindow {
  private events: WindowEvent[] = [];
  private total = 0;

  constructor(readonly limit: number) {}

  used(now: number): number {
    let drop = 0;
    while (drop < this.events.length && this.events[drop]!.at <= now - WINDOW_MS) {
      this.total -= this.events[drop]!.amount;
      drop++;
    }
    if (drop > 0) this.events = this.events.slice(drop);
    return this.total;
  }

  add(now: number, amount: number): void {
    if (amount <= 0) return;
    this.events.push({ at: now, amount });
    this.total += amount;
  }

  /** Milliseconds until `amount` more fits (0 if it fits now; a full window if it never will). */
  waitFor(now: number, amount: number): number {
    let excess = this.used(now) + amount - this.limit;
    if (excess <= 0) return 0;
    for (const event of this.events) {
      excess -= event.amount;
      if (excess <= 0) return event.at + WINDOW_MS - now;
    }
    return WINDOW_MS;
  }

  /** When the window is fully replenished (RFC 3339), as the API's `-reset` headers report. */
  resetAt(now: number): string {
    this.used(now);
    const last = this.events[this.events.length - 1];
    return new Date(last ? last.at + WINDOW_MS : now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

export type LimitKind = 'requests' | 'input_tokens' | 'output_tokens';

export type RateDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: LimitKind; readonly retryAfterSeconds: number };

export class RateLimiter {
  private readonly requests: SlidingWindow;
  private readonly input: SlidingWindow;
  private readonly output: SlidingWindow;

  constructor(limits: RateLimits, private readonly clock: () => number) {
    this.requests = new SlidingWindow(limits.requestsPerMinute);
    this.input = new SlidingWindow(limits.inputTokensPerMinute);
    this.output = new SlidingWindow(limits.outputTokensPerMinute);
  }

  check(inputTokens: number, outputTokens: number): RateDecision {
    const now = this.clock();
    const checks: [LimitKind, SlidingWindow, number][] = [
      ['requests', this.requests, 1],
      ['input_tokens', this.input, inputTokens],
      ['output_tokens', this.output, outputTokens],
    ];
    for (const [kind, window, amount] of checks) {
      const waitMs = window.waitFor(now, amount);
      if (waitMs > 0) return { ok: false, kind, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    return { ok: true };
  }

  record(inputTokens: number, outputTokens: number): void {
    const now = this.clock();
    this.requests.add(now, 1);
    this.input.add(now, inputTokens);
    this.output.add(now, outputTokens);
  }

  /** `anthropic-ratelimit-*` headers; `tokens-*` reports the tighter of the input and output windows. */
  headers(): Record<string, string> {
    const now = this.clock();
    const out: Record<string, string> = {};
    const put = (name: string, window: SlidingWindow): void => {
      out[`anthropic-ratelimit-${name}-limit`] = String(window.limit);
      out[`anthropic-ratelimit-${name}-remaining`] = String(Math.max(0, window.limit - window.used(now)));
      out[`anthropic-ratelimit-${name}-reset`] = window.resetAt(now);
    };
    put('requests', this.requests);
    put('input-tokens', this.input);
    put('output-tokens', this.output);
    const inputLeft = this.input.limit - this.input.used(now);
    const outputLeft = this.output.limit - this.output.used(now);
    put('tokens', inputLeft <= outputLeft ? this.input : this.output);
    return out;
  }
}

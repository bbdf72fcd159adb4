import type { ModelInfo } from '../shared/models';

/**
 * The latency model: time to first token and output speed per model (`model.latency` in the
 * model table), divided by `speedUp`. `speedUp` of 0 or Infinity means no delay at all.
 */

export interface LatencyModel {
  readonly firstTokenMs: number;
  readonly msPerOutputToken: number;
}

export function latencyFor(model: ModelInfo, speedUp: number): LatencyModel {
  if (!Number.isFinite(speedUp) || speedUp <= 0) return { firstTokenMs: 0, msPerOutputToken: 0 };
  return {
    firstTokenMs: model.latency.firstTokenMs / speedUp,
    msPerOutputToken: 1000 / model.latency.outputTokensPerSecond / speedUp,
  };
}

/** Resolves after `ms`, or at once when the signal aborts (the client went away). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Paces events against a schedule measured from the start, so sub-millisecond delays add up
 * instead of each costing a whole timer tick.
 */
export class Pacer {
  private readonly start = performance.now();
  private dueMs = 0;

  constructor(private readonly signal: AbortSignal) {}

  async advance(ms: number): Promise<void> {
    this.dueMs += ms;
    const wait = this.start + this.dueMs - performance.now();
    if (wait >= 1) await sleep(wait, this.signal);
  }
}

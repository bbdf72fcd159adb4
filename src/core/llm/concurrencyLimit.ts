import { HeliosError } from '../errors/heliosError';
import type { LlmClient, LlmRequest, LlmResponse } from './llmClient';

/** A counting semaphore; waiters go in order and leave when their signal aborts. */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<{ go: () => void; signal?: AbortSignal }> = [];

  constructor(private readonly max: number) {}

  get inUse(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new HeliosError('cancelled', 'Cancelled');
    if (this.active < this.max) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const entry = { go: resolve, signal };
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new HeliosError('cancelled', 'Cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.queue.push(entry);
    });
    this.active++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.queue.shift()?.go();
    };
  }
}

/**
 * At most N calls of the wrapped client at once (the Claude Code provider: each call is a
 * process on the user's machine). The scheduler's own limits apply on top.
 */
export class ConcurrencyLimitedClient implements LlmClient {
  constructor(
    private readonly inner: LlmClient,
    private readonly semaphore: Semaphore,
  ) {}

  get provider(): string {
    return this.inner.provider;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const release = await this.semaphore.acquire(request.signal);
    try {
      return await this.inner.complete(request);
    } finally {
      release();
    }
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(request);
  }
}

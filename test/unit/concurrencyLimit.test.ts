import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyLimitedClient, Semaphore } from '../../src/core/llm/concurrencyLimit';
import { HeliosError } from '../../src/core/errors/heliosError';
import type { LlmRequest, LlmResponse } from '../../src/core/llm/llmClient';
import { ZERO_USAGE } from '../../src/shared/usage';

describe('ConcurrencyLimitedClient', () => {
  it('never runs more than N calls of the provider at once, and runs them all', async () => {
    let running = 0;
    let peak = 0;
    const inner = {
      provider: 'claude-code',
      async complete(r: LlmRequest): Promise<LlmResponse> {
        running++;
        peak = Math.max(peak, running);
        await new Promise((res) => setTimeout(res, 5));
        running--;
        return { model: r.model, text: 'ok', stopReason: 'end_turn', usage: ZERO_USAGE, requestId: undefined, durationMs: 5 };
      },
      countTokens: async () => 1,
    };
    const client = new ConcurrencyLimitedClient(inner, new Semaphore(3));
    const results = await Promise.all(Array.from({ length: 12 }, () => client.complete({ model: 'm', system: [], messages: [], maxTokens: 1 })));
    assert.equal(results.length, 12);
    assert.equal(peak, 3);
  });

  it('lets a waiting call go when its caller aborts', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    const abort = new AbortController();
    const waiting = slots.acquire(abort.signal);
    abort.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof HeliosError && e.reason === 'cancelled');
    release();
    assert.equal(slots.inUse, 0);
    const again = await slots.acquire();
    assert.equal(slots.inUse, 1);
    again();
  });
});

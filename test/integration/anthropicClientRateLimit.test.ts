import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { AdaptiveRateLimiter } from '../../src/core/scheduler/rateLimiter';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/** The scheduler's rate limiter is fed by the provider's `anthropic-ratelimit-*` headers. */
describe('rate-limit headers reach the rate limiter', () => {
  let sim: ClaudeSimulator;
  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000, limits: { requestsPerMinute: 3 } });
  });
  after(() => sim.stop());

  it('reports remaining requests and the reset time, and the limiter stops until that reset', async () => {
    const client = new AnthropicLlmClient({ apiKey: 'sim-test', baseURL: sim.url, provider: 'simulator', maxRetries: 0 });
    const ask = () => client.complete({ model: 'claude-haiku-5-5', system: [], messages: [{ role: 'user', content: [{ text: 'hi' }] }], maxTokens: 50 });
    const first = await ask();
    assert.equal(first.rateLimit?.requestsRemaining, 2);
    await ask();
    const third = await ask();
    assert.equal(third.rateLimit?.requestsRemaining, 0);
    assert.ok(third.rateLimit?.resetAt && third.rateLimit.resetAt > Date.now(), 'the reset lies ahead');
    const limiter = new AdaptiveRateLimiter(8);
    limiter.onSuccess(third.rateLimit);
    assert.equal(limiter.blockedUntil, third.rateLimit.resetAt);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/** Rate limits, injected faults and the admin endpoints, seen through the SDK's retry logic. */

let sim: ClaudeSimulator;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 1000 });
});
after(() => sim.stop());
beforeEach(() => sim.clearFaults());

const hello = { model: 'claude-haiku-5-5', max_tokens: 300, messages: [{ role: 'user' as const, content: 'Say hello.' }] };

function sdk(maxRetries: number, url = sim.url): Anthropic {
  return new Anthropic({ apiKey: 'sim-test', baseURL: url, maxRetries });
}

describe('simulator: rate limits', () => {
  it('carries anthropic-ratelimit-* headers that count down', async () => {
    const client = sdk(0);
    const first = await client.messages.create(hello).withResponse();
    const second = await client.messages.create(hello).withResponse();
    for (const kind of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
      assert.match(first.response.headers.get(`anthropic-ratelimit-${kind}-limit`) ?? '', /^\d+$/, kind);
      assert.match(first.response.headers.get(`anthropic-ratelimit-${kind}-remaining`) ?? '', /^\d+$/, kind);
      assert.match(first.response.headers.get(`anthropic-ratelimit-${kind}-reset`) ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, kind);
    }
    assert.equal(first.response.headers.get('anthropic-ratelimit-requests-limit'), '4000');
    const remaining = (r: Response): number => Number(r.headers.get('anthropic-ratelimit-requests-remaining'));
    assert.equal(remaining(second.response), remaining(first.response) - 1);
    const outputLeft = (r: Response): number => Number(r.headers.get('anthropic-ratelimit-output-tokens-remaining'));
    assert.equal(outputLeft(first.response) - outputLeft(second.response), second.data.usage.output_tokens);
  });

  it('answers 429 rate_limit_error with retry-after once requests per minute run out', async () => {
    const limited = await ClaudeSimulator.start({ speedUp: 1000, limits: { requestsPerMinute: 2 } });
    try {
      const client = sdk(0, limited.url);
      await client.messages.create(hello);
      await client.messages.create(hello);
      const error = await client.messages.create(hello).then(
        () => assert.fail('third request should be limited'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.equal(error.type, 'rate_limit_error');
      const retryAfter = Number(error.headers?.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
      assert.equal(error.headers?.get('anthropic-ratelimit-requests-remaining'), '0');
      // count_tokens is limited separately and still works.
      assert.ok((await client.messages.countTokens({ model: hello.model, messages: hello.messages })).input_tokens > 0);
    } finally {
      await limited.stop();
    }
  });

  it('limits output tokens per minute too', async () => {
    const limited = await ClaudeSimulator.start({ speedUp: 1000, limits: { outputTokensPerMinute: 100 } });
    try {
      const client = sdk(0, limited.url);
      const ok = await client.messages.create(hello);
      assert.ok(ok.usage.output_tokens > 50);
      await assert.rejects(client.messages.create(hello), (e: unknown) => e instanceof Anthropic.RateLimitError);
    } finally {
      await limited.stop();
    }
  });
});

describe('simulator: injected faults', () => {
  for (const status of [429, 529, 500] as const) {
    it(`the SDK with maxRetries 2 succeeds after one injected ${status}`, async () => {
      const before = sim.requests.length;
      sim.injectFault({ kind: 'status', status, retryAfterSeconds: 0 });
      const message = await sdk(2).messages.create(hello);
      assert.equal(message.stop_reason, 'end_turn');
      const seen = sim.requests.slice(before).map((r) => r.status);
      assert.deepEqual(seen, [status, 200]);
    });
  }

  it('fails without retries, with the error type of the status', async () => {
    sim.injectFault({ kind: 'status', status: 529, count: 2 });
    const error = await sdk(0).messages.create(hello).catch((e: unknown) => e);
    assert.ok(error instanceof Anthropic.APIError && error.status === 529);
    assert.equal(error.type, 'overloaded_error');
    await assert.rejects(sdk(0).messages.create(hello), (e: unknown) => e instanceof Anthropic.APIError && e.status === 529);
    assert.equal((await sdk(0).messages.create(hello)).stop_reason, 'end_turn', 'count 2 applies to two requests only');
  });

  it('drop_stream makes the SDK stream reject instead of hanging', async () => {
    sim.injectFault({ kind: 'drop_stream', afterEvents: 3 });
    const stream = sdk(0).messages.stream(hello);
    const started = Date.now();
    await assert.rejects(stream.finalMessage());
    assert.ok(Date.now() - started < 5_000);
    assert.equal(sim.requests.at(-1)?.outcome, 'dropped');
    assert.equal((await sdk(0).messages.stream(hello).finalMessage()).stop_reason, 'end_turn', 'the next stream is whole');
  });

  it('slow_stream pauses between events', async () => {
    sim.injectFault({ kind: 'slow_stream', delayMs: 30 });
    const started = Date.now();
    const message = await sdk(0).messages.stream(hello).finalMessage();
    const events = 2 + message.content.length * 2 + 2; // lower bound: no deltas counted
    assert.ok(Date.now() - started >= 30 * (events - 1), `took ${Date.now() - started} ms`);
  });

  it('malformed_output makes the structured reply unparseable once', async () => {
    const params = {
      ...hello,
      output_config: { format: { type: 'json_schema' as const, schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false } } },
    };
    sim.injectFault({ kind: 'malformed_output' });
    const bad = await sdk(0).messages.create(params);
    const text = bad.content.find((b) => b.type === 'text');
    assert.ok(text && text.type === 'text');
    assert.throws(() => JSON.parse(text.text));
    const good = await sdk(0).messages.create(params);
    const goodText = good.content.find((b) => b.type === 'text');
    assert.deepEqual(JSON.parse(goodText && goodText.type === 'text' ? goodText.text : ''), { ok: false });
  });
});

describe('simulator: admin endpoints', () => {
  it('injects and clears faults over HTTP and lists requests', async () => {
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 418 }) });
    assert.equal(bad.status, 400);

    const post = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, count: 5 }) });
    assert.equal(post.status, 200);
    const error = await sdk(0).messages.create(hello).catch((e: unknown) => e);
    assert.ok(error instanceof Anthropic.APIError && error.status === 503);

    assert.equal((await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' })).status, 200);
    assert.equal((await sdk(0).messages.create(hello)).stop_reason, 'end_turn');

    const listed = (await (await fetch(`${sim.url}/_sim/requests`)).json()) as { requests: { path: string; status: number; model?: string; fault?: string }[] };
    const lastTwo = listed.requests.slice(-2);
    assert.deepEqual(lastTwo.map((r) => [r.path, r.status, r.model]), [
      ['/v1/messages', 503, 'claude-haiku-5-5'],
      ['/v1/messages', 200, 'claude-haiku-5-5'],
    ]);
    assert.equal(lastTwo[0]?.fault, 'status');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decomposePrd } from '../../src/core/agents/architect';
import { readPrd } from '../../src/core/agents/prdInput';
import { HeliosError } from '../../src/core/errors/heliosError';
import { validateTaskGraph } from '../../src/core/plan/validateTaskGraph';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { makePrd } from '../support/prdFactory';

/** The Architect end to end: core → AnthropicLlmClient → official SDK → simulator on 127.0.0.1. */
describe('Architect through the SDK and the simulator', () => {
  let sim: ClaudeSimulator;
  let client: AnthropicLlmClient;

  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    client = new AnthropicLlmClient({ apiKey: 'sim-test', baseURL: sim.url, provider: 'simulator', maxRetries: 2 });
  });
  after(() => sim.stop());

  for (const lang of ['en', 'ko'] as const) {
    for (const [sections, bytes] of [[4, 1_000], [12, 8_000], [40, 30_000]] as const) {
      it(`plans a ${lang} PRD of ${bytes / 1000} KB with ${sections} sections: one valid task per section`, async () => {
        const text = makePrd({ lang, sections, targetBytes: bytes });
        assert.ok(Buffer.byteLength(text) >= bytes && Buffer.byteLength(text) < bytes * 1.2);
        const result = await decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-opus-5-5' });
        assert.equal(result.graph.tasks.length, sections);
        assert.deepEqual(validateTaskGraph(result.graph), []);
        assert.equal(result.repairs, 0);
        assert.equal(result.model, 'claude-opus-5-5');
        if (lang === 'ko') assert.match(result.graph.tasks[0]!.title, /프로젝트/);
      });
    }
  }

  it('reports usage exactly as the provider returned it', async () => {
    const text = makePrd({ lang: 'en', sections: 5, targetBytes: 2_000 });
    const before = sim.requests.length;
    const result = await decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-sonnet-5-5' });
    const billed = sim.requests.slice(before).filter((r) => r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens') && r.usage);
    assert.equal(billed.length, 1);
    assert.equal(result.usage.inputTokens, billed[0]!.usage!.input_tokens);
    assert.equal(result.usage.outputTokens, billed[0]!.usage!.output_tokens);
    assert.equal(result.calls[0]!.requestId, billed[0]!.requestId);
  });

  it('repairs a cyclic plan with one round trip', async () => {
    sim.injectFault({ kind: 'invalid_plan' });
    const text = makePrd({ lang: 'en', sections: 6, targetBytes: 2_000 });
    const result = await decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-opus-5-5' });
    assert.equal(result.repairs, 1);
    assert.equal(result.graph.tasks.length, 6);
    assert.deepEqual(validateTaskGraph(result.graph), []);
    assert.ok(result.usage.inputTokens > result.calls[0]!.usage.inputTokens, 'both calls are counted');
  });

  it('repairs malformed JSON output', async () => {
    sim.injectFault({ kind: 'malformed_output' });
    const text = makePrd({ lang: 'ko', sections: 3, targetBytes: 1_000 });
    const result = await decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-opus-5-5' });
    assert.equal(result.repairs, 1);
    assert.equal(result.graph.tasks.length, 3);
  });

  it('fails with plan_invalid when the repair is invalid too, and nothing else is called', async () => {
    sim.injectFault({ kind: 'invalid_plan', count: 2 });
    const before = sim.requests.length;
    const text = makePrd({ lang: 'en', sections: 3, targetBytes: 1_000 });
    await assert.rejects(
      decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-opus-5-5' }),
      (e: unknown) => e instanceof HeliosError && e.reason === 'plan_invalid' && /cycle/i.test(String(e.details.problems)),
    );
    const calls = sim.requests.slice(before).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens'));
    assert.equal(calls.length, 2);
  });

  it('retries 429 (retry-after), 529 and 500 transparently', async () => {
    const text = makePrd({ lang: 'en', sections: 2, targetBytes: 500 });
    for (const status of [429, 529, 500] as const) {
      sim.injectFault({ kind: 'status', status, retryAfterSeconds: 0 });
      const result = await decomposePrd(readPrd('PRD.md', new TextEncoder().encode(text)), { client, model: 'claude-haiku-5-5' });
      assert.equal(result.graph.tasks.length, 2, `recovered from ${status}`);
    }
  });

  it('turns exhausted retries into typed reasons', async () => {
    const text = makePrd({ lang: 'en', sections: 2, targetBytes: 500 });
    const prd = readPrd('PRD.md', new TextEncoder().encode(text));
    for (const [status, reason] of [[529, 'provider_overloaded'], [429, 'provider_rate_limited'], [500, 'provider_unavailable']] as const) {
      sim.injectFault({ kind: 'status', status, retryAfterSeconds: 0, count: 3 });
      await assert.rejects(decomposePrd(prd, { client, model: 'claude-haiku-5-5' }), (e: unknown) => e instanceof HeliosError && e.reason === reason);
    }
    const noKey = new AnthropicLlmClient({ apiKey: '', baseURL: sim.url, provider: 'simulator', maxRetries: 0 });
    await assert.rejects(decomposePrd(prd, { client: noKey, model: 'claude-haiku-5-5' }), (e: unknown) => e instanceof HeliosError && e.reason === 'provider_auth');
    await assert.rejects(decomposePrd(prd, { client, model: 'claude-nonexistent-9' }), (e: unknown) => e instanceof HeliosError && e.reason === 'provider_bad_request');
  });

  it('rejects a dropped stream instead of hanging, and cancels mid-stream', async () => {
    const text = makePrd({ lang: 'en', sections: 3, targetBytes: 1_000 });
    const prd = readPrd('PRD.md', new TextEncoder().encode(text));
    const noRetry = new AnthropicLlmClient({ apiKey: 'sim-test', baseURL: sim.url, provider: 'simulator', maxRetries: 0 });
    sim.injectFault({ kind: 'drop_stream', afterEvents: 3 });
    await assert.rejects(decomposePrd(prd, { client: noRetry, model: 'claude-haiku-5-5' }), (e: unknown) => e instanceof HeliosError && e.reason === 'provider_unavailable');

    sim.injectFault({ kind: 'slow_stream', delayMs: 200 });
    const abort = new AbortController();
    const pending = decomposePrd(prd, { client, model: 'claude-haiku-5-5', signal: abort.signal, onProgress: () => abort.abort() });
    await assert.rejects(pending, (e: unknown) => e instanceof HeliosError && e.reason === 'cancelled');
  });
});

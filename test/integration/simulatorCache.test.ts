import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/** Prompt caching as reported in `usage`: writes, reads, minimum length, TTLs, streams. */

let now = Date.parse('2026-11-24T10:00:00Z');
let sim: ClaudeSimulator;
let client: Anthropic;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 1000, clock: () => now });
  client = new Anthropic({ apiKey: 'sim-test', baseURL: sim.url, maxRetries: 0 });
});
after(() => sim.stop());

/** About 1,000 tokens under the simulator's rule (4 ASCII characters a token); unique per label. */
function longSystem(label: string): string {
  return `${label}: ${'You are a careful planning assistant for software projects. '.repeat(66)}`;
}

function request(system: string, ttl?: '5m' | '1h', question = 'Plan the login page.'): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: 'claude-sonnet-5-5',
    max_tokens: 300,
    system: [{ type: 'text', text: system, cache_control: ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: question }],
  };
}

function total(u: Anthropic.Usage): number {
  return u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
}

describe('simulator: prompt caching', () => {
  it('writes a long prefix on the first call and reads it on the second', async () => {
    const req = request(longSystem('A'));
    const first = (await client.messages.create(req)).usage;
    const second = (await client.messages.create(req)).usage;
    assert.ok((first.cache_creation_input_tokens ?? 0) >= 512, `creation ${first.cache_creation_input_tokens}`);
    assert.equal(first.cache_read_input_tokens, 0);
    assert.equal(first.cache_creation?.ephemeral_5m_input_tokens, first.cache_creation_input_tokens);
    assert.equal(second.cache_read_input_tokens, first.cache_creation_input_tokens);
    assert.equal(second.cache_creation_input_tokens, 0);
    assert.equal(total(first), total(second));
    assert.equal(second.input_tokens, first.input_tokens);
  });

  it('still reads the cached system prompt when the conversation changes after it', async () => {
    const system = longSystem('B');
    const first = (await client.messages.create(request(system, undefined, 'First question.'))).usage;
    const other = (await client.messages.create(request(system, undefined, 'A different question entirely.'))).usage;
    assert.equal(other.cache_read_input_tokens, first.cache_creation_input_tokens);
  });

  it('reads the previous turn when a conversation moves its breakpoint forward', async () => {
    const system = longSystem('C');
    const turn1: Anthropic.MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'Turn one.', cache_control: { type: 'ephemeral' } }] }];
    const u1 = (await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 200, system, messages: turn1 })).usage;
    const turn2: Anthropic.MessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: 'Turn one.' }] },
      { role: 'assistant', content: 'Answer one.' },
      { role: 'user', content: [{ type: 'text', text: 'Turn two.', cache_control: { type: 'ephemeral' } }] },
    ];
    const u2 = (await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 200, system, messages: turn2 })).usage;
    assert.equal(u2.cache_read_input_tokens, u1.cache_creation_input_tokens);
    assert.ok((u2.cache_creation_input_tokens ?? 0) > 0 && (u2.cache_creation_input_tokens ?? 0) < 50, 'only the new turn is written');
  });

  it('silently does not cache a prefix shorter than the model minimum', async () => {
    const req = request('Short system prompt.');
    const first = (await client.messages.create(req)).usage;
    const second = (await client.messages.create(req)).usage;
    for (const u of [first, second]) {
      assert.equal(u.cache_creation_input_tokens, 0);
      assert.equal(u.cache_read_input_tokens, 0);
    }
    assert.equal(second.input_tokens, first.input_tokens);
  });

  it('reports 1-hour writes under ephemeral_1h and keeps them past five minutes', async () => {
    const req = request(longSystem('D'), '1h');
    const first = (await client.messages.create(req)).usage;
    assert.ok((first.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0);
    assert.equal(first.cache_creation?.ephemeral_5m_input_tokens, 0);
    now += 30 * 60_000;
    const later = (await client.messages.create(req)).usage;
    assert.equal(later.cache_read_input_tokens, first.cache_creation_input_tokens);
  });

  it('expires 5-minute entries after five idle minutes, and a read refreshes the TTL', async () => {
    const req = request(longSystem('E'));
    const write = (await client.messages.create(req)).usage;
    now += 4 * 60_000;
    assert.ok(((await client.messages.create(req)).usage.cache_read_input_tokens ?? 0) > 0, 'read within the TTL');
    now += 4 * 60_000; // 8 minutes after the write, 4 after the refreshing read
    assert.ok(((await client.messages.create(req)).usage.cache_read_input_tokens ?? 0) > 0, 'the read refreshed the TTL');
    now += 5 * 60_000 + 1;
    const expired = (await client.messages.create(req)).usage;
    assert.equal(expired.cache_read_input_tokens, 0);
    assert.equal(expired.cache_creation_input_tokens, write.cache_creation_input_tokens);
  });

  it('reports the same cache usage in streams', async () => {
    const req = request(longSystem('F'));
    const streamed = (await client.messages.stream(req).finalMessage()).usage;
    const plain = (await client.messages.create(req)).usage;
    assert.ok((streamed.cache_creation_input_tokens ?? 0) > 0);
    assert.equal(plain.cache_read_input_tokens, streamed.cache_creation_input_tokens);
    const again = (await client.messages.stream(req).finalMessage()).usage;
    assert.equal(again.cache_read_input_tokens, streamed.cache_creation_input_tokens);
    assert.equal(total(again), total(streamed));
  });

  it('count_tokens creates no cache entries and equals the cached request total', async () => {
    const req = request(longSystem('G'));
    const counted = await client.messages.countTokens({ model: req.model, system: req.system, messages: req.messages });
    const first = (await client.messages.create(req)).usage;
    assert.ok((first.cache_creation_input_tokens ?? 0) > 0, 'count_tokens must not have cached the prefix');
    assert.equal(counted.input_tokens, total(first));
  });

  it('caches per model', async () => {
    const req = request(longSystem('H'));
    await client.messages.create(req);
    const otherModel = (await client.messages.create({ ...req, model: 'claude-haiku-5-5' })).usage;
    assert.equal(otherModel.cache_read_input_tokens, 0);
    assert.ok((otherModel.cache_creation_input_tokens ?? 0) > 0);
  });
});

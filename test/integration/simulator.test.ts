import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/** The Messages API surface as the official SDK sees it: replies, streams, tools, validation. */

let sim: ClaudeSimulator;
let client: Anthropic;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 1000 });
  client = new Anthropic({ apiKey: 'sim-test', baseURL: sim.url, maxRetries: 0 });
});
after(() => sim.stop());

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Anthropic.APIError, `expected an APIError, got ${String(error)}`);
    return error;
  }
  assert.fail('the request should have been rejected');
}

function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

const hello = { model: 'claude-sonnet-5-5', max_tokens: 400, messages: [{ role: 'user' as const, content: 'Summarise the plan for the login page.' }] };

describe('simulator: messages', () => {
  it('answers the HEAD / and GET / probes Claude Code sends', async () => {
    assert.equal((await fetch(`${sim.url}/`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${sim.url}/`)).status, 200);
  });

  it('returns a complete message with usage and a request-id header', async () => {
    const { data, response } = await client.messages.create(hello).withResponse();
    assert.match(data.id, /^msg_/);
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.equal(data.model, 'claude-sonnet-5-5');
    assert.equal(data.stop_reason, 'end_turn');
    assert.equal(data.stop_sequence, null);
    assert.match(textOf(data), /Summarise the plan for the login page/);
    assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
    assert.equal(data.usage.cache_read_input_tokens, 0);
    assert.deepEqual(data.usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
    assert.equal(data.usage.service_tier, 'standard');
    assert.match(response.headers.get('request-id') ?? '', /^req_/);
  });

  it('is deterministic: the same request gets the same content', async () => {
    const a = await client.messages.create(hello);
    const b = await client.messages.create(hello);
    assert.deepEqual(a.content, b.content);
    assert.notEqual(a.id, b.id);
  });

  it('streams the same text, in several deltas, with the same usage', async () => {
    const plain = await client.messages.create(hello);
    const stream = client.messages.stream(hello);
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    assert.ok(deltas.length > 1, 'text should arrive in more than one delta');
    assert.equal(deltas.join(''), textOf(plain));
    assert.equal(textOf(final), textOf(plain));
    assert.equal(final.stop_reason, 'end_turn');
    assert.deepEqual(final.usage.output_tokens, plain.usage.output_tokens);
    assert.deepEqual(final.usage.input_tokens, plain.usage.input_tokens);
  });

  it('accepts ?beta=true on the messages path (Claude Code uses it)', async () => {
    const message = await client.beta.messages.create({ ...hello, betas: ['context-management-2025-06-27'] });
    assert.match(textOf(message as unknown as Anthropic.Message), /simulated reply/);
    assert.ok(sim.requests.some((r) => r.path === '/v1/messages' && r.status === 200));
  });

  it('opens with one thinking block on opus-5-5, in JSON and in streams', async () => {
    const req = { ...hello, model: 'claude-opus-5-5' };
    const plain = await client.messages.create(req);
    assert.equal(plain.content[0]?.type, 'thinking');
    assert.equal(plain.content.filter((b) => b.type === 'thinking').length, 1);
    assert.equal(plain.content[1]?.type, 'text');
    const streamed = await client.messages.stream(req).finalMessage();
    const thinking = streamed.content[0];
    assert.ok(thinking?.type === 'thinking' && thinking.signature.length > 0, 'streamed thinking block carries its signature');
    assert.equal(textOf(streamed), textOf(plain));
  });

  it('honours max_tokens and stop_sequences', async () => {
    const cut = await client.messages.create({ ...hello, max_tokens: 5 });
    assert.equal(cut.stop_reason, 'max_tokens');
    assert.ok(cut.usage.output_tokens <= 5);
    assert.ok(textOf(cut).length > 0 && textOf(cut).length < textOf(await client.messages.create(hello)).length);
    const stopped = await client.messages.create({ ...hello, stop_sequences: ['Helios'] });
    assert.equal(stopped.stop_reason, 'stop_sequence');
    assert.equal(stopped.stop_sequence, 'Helios');
    assert.ok(!textOf(stopped).includes('Helios'));
  });

  it('counts tokens exactly like the message input total, for free', async () => {
    const before = sim.requests.length;
    const { input_tokens } = await client.messages.countTokens({ model: hello.model, messages: hello.messages, system: 'Be brief.' });
    const message = await client.messages.create({ ...hello, system: 'Be brief.' });
    const u = message.usage;
    assert.equal(input_tokens, u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0));
    assert.equal(sim.requests.length, before + 2);
  });

  it('counts CJK characters as one token each (the stated tokenizer rule)', async () => {
    const ascii = await client.messages.countTokens({ model: hello.model, messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    const korean = await client.messages.countTokens({ model: hello.model, messages: [{ role: 'user', content: '가'.repeat(400) }] });
    assert.equal(korean.input_tokens - ascii.input_tokens, 400 - 100);
  });
});

describe('simulator: tools', () => {
  const tools: Anthropic.Tool[] = [
    { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'] } },
    { name: 'noop', input_schema: { type: 'object', properties: {} } },
  ];

  // Haiku 5.5 takes forced tool use; Sonnet 5.5, Opus 5.5 and Fable 5.1/5.2 refuse it (below).
  const haiku = { ...hello, model: 'claude-haiku-5-5' };

  it('calls the forced tool on haiku-5-5 with schema-shaped input', async () => {
    const message = await client.messages.create({ ...haiku, tools, tool_choice: { type: 'tool', name: 'get_weather' } });
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    assert.match(use.id, /^toolu_/);
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(Object.keys(use.input as object).sort(), ['city', 'unit']);
    assert.equal((use.input as { unit: string }).unit, 'celsius');
    const streamed = await client.messages.stream({ ...haiku, tools, tool_choice: { type: 'tool', name: 'get_weather' } }).finalMessage();
    assert.deepEqual(streamed.content, message.content);
  });

  it('answers with text again once the tool result comes back', async () => {
    const first = await client.messages.create({ ...haiku, tools, tool_choice: { type: 'any' } });
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    const second = await client.messages.create({
      ...haiku,
      tools,
      messages: [...haiku.messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '21 degrees' }] }],
    });
    assert.equal(second.stop_reason, 'end_turn');
    assert.match(textOf(second), /tool result/);
  });

  it('rejects forced tool use on opus-5-5, fable-5-1/5-2 and sonnet-5-5 with a 400', async () => {
    const forced = ['claude-opus-5-5', 'claude-fable-5-1', 'claude-fable-5-2', 'claude-sonnet-5-5'].flatMap((model) =>
      [{ type: 'any' as const }, { type: 'tool' as const, name: 'noop' }].map((tool_choice) => ({ model, tool_choice })));
    for (const { model, tool_choice } of forced) {
      const error = await rejection(client.messages.create({ ...hello, model, tools, tool_choice }));
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.apiMessage?.startsWith(`"tool_choice.type.${tool_choice.type}" is not supported for this model.`), true, error.apiMessage ?? '');
    }
  });

  it('rejects disabled or enabled thinking on opus-5-5 with the documented message', async () => {
    const disabled = await rejection(client.messages.create({ ...hello, model: 'claude-opus-5-5', thinking: { type: 'disabled' } }));
    assert.ok(disabled instanceof Anthropic.BadRequestError);
    assert.equal(
      disabled.apiMessage,
      '"thinking.type.disabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
    const enabled = await rejection(client.messages.create({ ...hello, max_tokens: 4000, model: 'claude-fable-5-1', thinking: { type: 'enabled', budget_tokens: 2000 } }));
    assert.match(enabled.apiMessage ?? '', /^"thinking\.type\.enabled" is not supported for this model/);
    const adaptive = await client.messages.create({ ...hello, model: 'claude-opus-5-5', thinking: { type: 'adaptive' } });
    assert.equal(adaptive.stop_reason, 'end_turn');
  });

  it('answers Claude Code style unforced StructuredOutput tools with a tool call', async () => {
    const message = await client.messages.create({
      ...hello,
      model: 'claude-opus-5-5',
      tools: [{ name: 'StructuredOutput', input_schema: { type: 'object', properties: { answer: { type: 'string', minLength: 3 } }, required: ['answer'] } }],
    });
    const use = message.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use' && use.name === 'StructuredOutput');
    assert.ok((use.input as { answer: string }).answer.length >= 3);
  });
});

describe('simulator: request validation', () => {
  it('401 authentication_error without x-api-key', async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hello) });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { type: string; error: { type: string }; request_id: string };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'authentication_error');
    assert.equal(body.request_id, res.headers.get('request-id'));
  });

  it('404 not_found_error for an unknown model', async () => {
    const error = await rejection(client.messages.create({ ...hello, model: 'claude-nonexistent-9' }));
    assert.ok(error instanceof Anthropic.NotFoundError);
    assert.equal(error.type, 'not_found_error');
    assert.match(error.requestID ?? '', /^req_/);
  });

  it('400 for the request shapes the API refuses', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...hello, max_tokens: undefined }, /max_tokens: Field required/],
      [{ ...hello, max_tokens: -1 }, /max_tokens: Input should be greater than or equal to 0/],
      [{ ...hello, max_tokens: 128_001 }, /128001 > 128000/],
      [{ ...hello, messages: [] }, /at least one message/],
      [{ ...hello, messages: [{ role: 'assistant', content: 'hi' }] }, /first message must use the "user" role/],
      [{ ...hello, messages: [{ role: 'tool', content: 'a' }] }, /messages\.0\.role: Input should be 'user', 'assistant' or 'system'/],
      [{ ...hello, temperature: 0.5, top_k: 1, unknown_field: true }, /^unknown_field: Extra inputs are not permitted$/],
      [{ ...hello, system: Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `s${i}`, cache_control: { type: 'ephemeral' } })) }, /maximum of 4 blocks with cache_control/],
    ];
    for (const [body, message] of bad) {
      // Raw HTTP: the SDK itself refuses some of these shapes before sending them.
      const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 400, `expected 400 for ${String(message)}`);
      const json = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
      assert.equal(json.type, 'error');
      assert.equal(json.error.type, 'invalid_request_error');
      assert.match(json.error.message, message);
      assert.match(json.request_id, /^req_/);
    }
  });

  it('400 for a body that is not JSON', async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k', 'content-type': 'application/json' }, body: '{"model":' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  });

  it('400 with the token count when the prompt exceeds the context window', async () => {
    const error = await rejection(client.messages.create({ ...hello, model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'word '.repeat(170_000) }] }));
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.match(error.apiMessage ?? '', /^prompt is too long: \d+ tokens > 200000 maximum$/);
  });

  it('413 request_too_large above 32 MB', async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: Buffer.alloc(32 * 1024 * 1024 + 10, 0x61) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'request_too_large');
  });

  it('survives a client that disconnects mid-stream', async () => {
    const slow = await ClaudeSimulator.start({ speedUp: 1 });
    try {
      const c = new Anthropic({ apiKey: 'k', baseURL: slow.url, maxRetries: 0 });
      const controller = new AbortController();
      const stream = c.messages.stream(hello, { signal: controller.signal });
      await new Promise<void>((resolve) => stream.on('connect', () => resolve()));
      controller.abort();
      await assert.rejects(stream.finalMessage());
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(slow.requests[0]?.outcome, 'aborted');
    } finally {
      await slow.stop();
    }
  });
});

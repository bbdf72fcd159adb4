import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/**
 * Today's request shapes, through the official SDK: system entries inside `messages`, the
 * per-model thinking and tool rules, `max_tokens: 0`, top-level `cache_control`, unforced tools.
 */

let sim: ClaudeSimulator;
let client: Anthropic;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 0 });
  client = new Anthropic({ apiKey: 'sim-test', baseURL: sim.url, maxRetries: 0 });
});
after(() => sim.stop());

type Params = Anthropic.MessageCreateParamsNonStreaming;
const hello: Params = { model: 'claude-sonnet-5-5', max_tokens: 300, messages: [{ role: 'user', content: 'Summarise the plan for the login page.' }] };
async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Anthropic.APIError, `expected an APIError, got ${String(error)}`);
  return error;
}

const text = (m: Anthropic.Message): string => m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');

async function badRequest(params: unknown): Promise<string> {
  const error = await rejection(client.messages.create(params as Params));
  assert.ok(error instanceof Anthropic.BadRequestError, `expected a 400, got ${String(error)}`);
  assert.equal(error.type, 'invalid_request_error');
  return error.apiMessage ?? '';
}

const system = (content: string): Anthropic.MessageParam => ({ role: 'system', content });

describe('simulator: system messages inside messages', () => {
  it('serves them after a user turn, last or before an assistant turn, and counts them like messages', async () => {
    const withSystem: Params = { ...hello, messages: [...hello.messages, system('Answer in one sentence.')] };
    const message = await client.messages.create(withSystem);
    assert.equal(message.stop_reason, 'end_turn');
    assert.match(text(message), /Summarise the plan for the login page/);
    const { input_tokens } = await client.messages.countTokens({ model: hello.model, messages: withSystem.messages });
    const plain = await client.messages.countTokens({ model: hello.model, messages: hello.messages });
    assert.ok(input_tokens > plain.input_tokens);
    assert.equal(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0), input_tokens);
    const middle = await client.messages.create({
      ...hello,
      model: 'claude-opus-4-8',
      messages: [hello.messages[0]!, system('Be brief.'), { role: 'assistant', content: 'Sure.' }, { role: 'user', content: 'Go on.' }],
    });
    assert.equal(middle.model, 'claude-opus-4-8');
  });

  it('refuses them where the API does: models before Opus 4.8, and the placement rules', async () => {
    assert.equal(await badRequest({ ...hello, model: 'claude-opus-4-7', messages: [...hello.messages, system('x')] }), "role 'system' is not supported on this model");
    const user = hello.messages[0]!;
    const cases: [Anthropic.MessageParam[], RegExp][] = [
      [[system('x'), user], /messages\.0: a system message cannot be the first message/],
      [[user, system('a'), system('b')], /consecutive system messages are not allowed/],
      [[user, { role: 'assistant', content: 'Hi.' }, system('x')], /must immediately follow a user message/],
      [[user, system('x'), { role: 'user', content: 'More.' }], /must be the last message or be followed by an assistant message/],
      [[user, { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] } as unknown as Anthropic.MessageParam], /messages\.1\.content\.0: system messages may contain only text blocks/],
    ];
    for (const [messages, message] of cases) assert.match(await badRequest({ ...hello, messages }), message);
  });

  it('combines consecutive user turns instead of refusing them', async () => {
    const message = await client.messages.create({ ...hello, messages: [{ role: 'user', content: 'First.' }, { role: 'user', content: 'Second.' }] });
    assert.equal(message.stop_reason, 'end_turn');
  });
});

describe('simulator: thinking, effort and sampling per model', () => {
  it('Sonnet 5.5: no disabled thinking (use between_tools), between_tools only up to high effort, no budget', async () => {
    assert.match(await badRequest({ ...hello, thinking: { type: 'disabled' } }), /^"thinking\.type\.disabled" is not supported for this model\. Use "thinking\.type\.between_tools"/);
    assert.match(await badRequest({ ...hello, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 } }), /^"thinking\.type\.enabled" is not supported/);
    assert.match(await badRequest({ ...hello, thinking: { type: 'between_tools' }, output_config: { effort: 'max' } }), /between_tools" is not supported with "output_config\.effort" "max"/);
    const quiet = await client.messages.create({ ...hello, thinking: { type: 'between_tools' }, output_config: { effort: 'high' } });
    assert.equal(quiet.stop_reason, 'end_turn');
    const adaptive = await client.messages.create({ ...hello, thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'xhigh' } });
    assert.equal(adaptive.stop_reason, 'end_turn');
  });

  it('Opus 4.8 takes adaptive or disabled but no budget; Opus 4.5 only a budget; Haiku 4.5 thinks with one', async () => {
    assert.match(await badRequest({ ...hello, model: 'claude-opus-4-8', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 } }), /^"thinking\.type\.enabled" is not supported/);
    await client.messages.create({ ...hello, model: 'claude-opus-4-8', thinking: { type: 'disabled' } });
    assert.match(await badRequest({ ...hello, model: 'claude-opus-4-5', thinking: { type: 'adaptive' } }), /Use "thinking\.type\.enabled" with "thinking\.budget_tokens"/);
    assert.match(await badRequest({ ...hello, model: 'claude-opus-4-6', thinking: { type: 'between_tools' } }), /^"thinking\.type\.between_tools" is not supported/);
    const budget = await client.messages.create({ ...hello, model: 'claude-haiku-4-5', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 } });
    assert.equal(budget.content[0]?.type, 'thinking');
  });

  it('refuses sampling parameters on models since Opus 4.7 and takes them on older ones', async () => {
    const sampled = { ...hello, temperature: 0.2 } as unknown as Params;
    assert.match(await badRequest(sampled), /^"temperature" is not supported for this model/);
    assert.match(await badRequest({ ...hello, model: 'claude-opus-4-7', top_k: 5 }), /^"top_k" is not supported/);
    await client.messages.create({ ...hello, temperature: 1 } as unknown as Params);
    const older = await client.messages.create({ ...sampled, model: 'claude-sonnet-4-6' });
    assert.equal(older.model, 'claude-sonnet-4-6');
    assert.match(await badRequest({ ...hello, output_config: { effort: 'extreme' } }), /^output_config\.effort: Input should be 'low', 'medium', 'high', 'xhigh', 'max'/);
  });
});

describe('simulator: tools and caching', () => {
  const weather: Anthropic.Tool = {
    name: 'get_weather',
    input_schema: { type: 'object', properties: { city: { type: 'string', minLength: 3 }, days: { type: 'integer', minimum: 2, maximum: 5 } }, required: ['city', 'days'] },
  };
  const clock: Anthropic.Tool = { name: 'get_time', input_schema: { type: 'object', properties: {} } };

  it('tool_choice auto: calls the one tool offered, answers text for several, and stops after the tool result', async () => {
    const single = await client.messages.create({ ...hello, tools: [weather], tool_choice: { type: 'auto' } });
    const use = single.content.find((b) => b.type === 'tool_use');
    assert.ok(use?.type === 'tool_use' && single.stop_reason === 'tool_use');
    const input = use.input as { city: string; days: number };
    assert.ok(input.city.length >= 3 && input.days >= 2 && input.days <= 5, JSON.stringify(input));
    const several = await client.messages.create({ ...hello, tools: [weather, clock] });
    assert.equal(several.stop_reason, 'end_turn');
    const after = await client.messages.create({
      ...hello,
      tools: [weather],
      messages: [...hello.messages, { role: 'assistant', content: single.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny' }] }],
    });
    assert.equal(after.stop_reason, 'end_turn');
    assert.match(text(after), /1 tool result/);
  });

  it('tool_choice none never calls a tool; forced tool use works where the model allows it', async () => {
    const none = await client.messages.create({ ...hello, tools: [weather], tool_choice: { type: 'none' } });
    assert.equal(none.stop_reason, 'end_turn');
    const forced = await client.messages.create({ ...hello, model: 'claude-opus-4-6', tools: [weather, clock], tool_choice: { type: 'tool', name: 'get_time', disable_parallel_tool_use: true } });
    const forcedUse = forced.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    assert.equal(forcedUse?.name, 'get_time');
    assert.equal(forced.stop_reason, 'tool_use');
    assert.match(await badRequest({ ...hello, tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } }), /^"tool_choice\.type\.tool" is not supported for this model\./);
  });

  it('max_tokens 0 warms the cache without generating; top-level cache_control marks the last block', async () => {
    const long = 'The login page needs a form, validation, rate limiting and an audit trail. '.repeat(60);
    const warm: Params = { ...hello, max_tokens: 0, system: [{ type: 'text', text: long, cache_control: { type: 'ephemeral' } }] };
    const warmed = await client.messages.create(warm);
    assert.deepEqual(warmed.content, []);
    assert.equal(warmed.stop_reason, 'max_tokens');
    assert.equal(warmed.usage.output_tokens, 0);
    assert.ok((warmed.usage.cache_creation_input_tokens ?? 0) > 0);
    const read = await client.messages.create({ ...warm, max_tokens: 300 });
    assert.equal(read.usage.cache_read_input_tokens, warmed.usage.cache_creation_input_tokens);
    const auto = await client.messages.create({ ...hello, messages: [{ role: 'user', content: long }], cache_control: { type: 'ephemeral', ttl: '1h' } });
    assert.ok((auto.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0, JSON.stringify(auto.usage));
  });

  it('serves every model of the table under /v1/models and answers a retired id with 404 model: <id>', async () => {
    const page = await client.models.list();
    assert.ok(page.data.some((m) => m.id === 'claude-opus-4-8'));
    assert.equal((await client.models.retrieve('claude-fable-5-2')).id, 'claude-fable-5-2');
    const error = await rejection(client.messages.create({ ...hello, model: 'claude-sonnet-4-5' }));
    assert.ok(error instanceof Anthropic.NotFoundError);
    assert.equal(error.apiMessage, 'model: claude-sonnet-4-5');
  });
});

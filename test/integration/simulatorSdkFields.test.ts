import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { COUNT_TOKENS_FIELDS, MESSAGES_FIELDS } from '../../src/simulator/requestFields';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { sdkCountTokensFields, sdkMessagesFields, SDK_VERSION } from '../support/sdkTypes';

/**
 * The simulator accepts every request field the installed SDK can send, and only those (the API
 * refuses extra inputs). The field lists come from the SDK's own declarations twice over: the
 * sample tables below are typed against the SDK's request types, so `tsc` fails when the SDK
 * gains a field; and the SDK's .d.ts files are read at test time, so this test fails too.
 */

type HeaderParam = 'betas' | 'user_profile_id' | 'workspace_id';
type BodyOf<T> = Exclude<keyof T, HeaderParam>;
type MessagesField = BodyOf<Anthropic.MessageCreateParamsNonStreaming> | BodyOf<Anthropic.Beta.Messages.MessageCreateParamsNonStreaming>;
type CountField = BodyOf<Anthropic.MessageCountTokensParams> | BodyOf<Anthropic.Beta.Messages.MessageCountTokensParams>;

const REQUIRED = ['model', 'messages', 'max_tokens'] as const;

/** A valid value of every optional body field of `messages.create` (stable and beta). */
const MESSAGES_SAMPLES: { readonly [K in Exclude<MessagesField, (typeof REQUIRED)[number]>]-?: unknown } = {
  billing_policy: { type: 'billing_policy' },
  cache_control: { type: 'ephemeral' },
  compaction: { type: 'summarize' },
  container: null,
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  diagnostics: { previous_message_id: null },
  fallback_credit_token: null,
  fallbacks: 'default',
  inference_geo: null,
  mcp_servers: [],
  metadata: { user_id: 'user-1234' },
  output_config: { effort: 'low' },
  output_format: { type: 'json_schema', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
  service_tier: 'standard_only',
  speed: 'standard',
  stop_sequences: ['\n\nHuman:'],
  stream: false,
  system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
  thinking: { type: 'adaptive' },
  thread: null,
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  tools: [{ name: 'lookup', description: 'Look a word up', input_schema: { type: 'object', properties: { word: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
};

const COUNT_SAMPLES: { readonly [K in Exclude<CountField, 'model' | 'messages'>]-?: unknown } = {
  billing_policy: MESSAGES_SAMPLES.billing_policy,
  cache_control: MESSAGES_SAMPLES.cache_control,
  compaction: MESSAGES_SAMPLES.compaction,
  context_management: MESSAGES_SAMPLES.context_management,
  mcp_servers: MESSAGES_SAMPLES.mcp_servers,
  output_config: MESSAGES_SAMPLES.output_config,
  output_format: MESSAGES_SAMPLES.output_format,
  speed: MESSAGES_SAMPLES.speed,
  system: MESSAGES_SAMPLES.system,
  thinking: MESSAGES_SAMPLES.thinking,
  tool_choice: { type: 'none' },
  tools: MESSAGES_SAMPLES.tools,
};

let sim: ClaudeSimulator;
let client: Anthropic;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 0 });
  client = new Anthropic({ apiKey: 'sim-test', baseURL: sim.url, maxRetries: 0 });
});
after(() => sim.stop());

const base = { model: 'claude-sonnet-5-5', max_tokens: 200, messages: [{ role: 'user' as const, content: 'Name one colour.' }] };
const bodyNames = (fields: { name: string; where: string }[]): string[] => fields.filter((f) => f.where === 'body').map((f) => f.name).sort();

describe(`simulator: request fields of @anthropic-ai/sdk ${SDK_VERSION}`, () => {
  it('lists exactly the body fields the SDK declares for messages and count_tokens', () => {
    assert.deepEqual([...MESSAGES_FIELDS].sort(), bodyNames(sdkMessagesFields()), 'src/simulator/requestFields.ts MESSAGES_FIELDS vs the SDK');
    assert.deepEqual([...COUNT_TOKENS_FIELDS].sort(), bodyNames(sdkCountTokensFields()), 'src/simulator/requestFields.ts COUNT_TOKENS_FIELDS vs the SDK');
    const headers = sdkMessagesFields().filter((f) => f.where === 'header').map((f) => f.name).sort();
    assert.deepEqual(headers, ['betas', 'user_profile_id', 'workspace_id'], 'header params (sent as headers, never in the body)');
  });

  it('has a sample for every SDK body field (the type-level check, at run time)', () => {
    assert.deepEqual(Object.keys(MESSAGES_SAMPLES).sort(), bodyNames(sdkMessagesFields()).filter((n) => !(REQUIRED as readonly string[]).includes(n)));
    assert.deepEqual(Object.keys(COUNT_SAMPLES).sort(), bodyNames(sdkCountTokensFields()).filter((n) => n !== 'model' && n !== 'messages'));
  });

  it('serves a messages request carrying any one SDK field, through the stable and the beta client', async () => {
    const stableFields = bodyNames(sdkMessagesFields('stable'));
    for (const [field, value] of Object.entries(MESSAGES_SAMPLES)) {
      const body = { ...base, [field]: value } as unknown as Anthropic.Beta.Messages.MessageCreateParamsNonStreaming;
      const beta = await client.beta.messages.create({ ...body, betas: ['context-management-2025-06-27'] });
      assert.equal(beta.type, 'message', `beta ${field}`);
      assert.ok(beta.usage.input_tokens > 0, `beta ${field}: usage`);
      if (stableFields.includes(field)) {
        const stable = await client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming);
        assert.equal(stable.type, 'message', `stable ${field}`);
      }
    }
    assert.ok(sim.requests.some((r) => r.path === '/v1/messages' && r.status === 200));
  });

  it('serves a count_tokens request carrying any one SDK field, through the stable and the beta client', async () => {
    const stableFields = bodyNames(sdkCountTokensFields('stable'));
    for (const [field, value] of Object.entries(COUNT_SAMPLES)) {
      const body = { model: base.model, messages: base.messages, [field]: value };
      const beta = await client.beta.messages.countTokens(body);
      assert.ok(beta.input_tokens > 0, `beta ${field}`);
      if (stableFields.includes(field)) {
        const stable = await client.messages.countTokens(body);
        assert.equal(stable.input_tokens, beta.input_tokens, `stable ${field}`);
      }
    }
  });

  it('refuses a field the SDK does not know with the API’s 400 "Extra inputs are not permitted"', async () => {
    const attempts: [Promise<unknown>, string][] = [
      [client.messages.create({ ...base, max_token: 10 } as unknown as Anthropic.MessageCreateParamsNonStreaming), 'max_token: Extra inputs are not permitted'],
      [client.messages.countTokens({ ...base }), 'max_tokens: Extra inputs are not permitted'],
      [client.messages.create({ ...base, metadata: { user: 'x' } } as unknown as Anthropic.MessageCreateParamsNonStreaming), 'metadata.user: Extra inputs are not permitted'],
    ];
    for (const [attempt, message] of attempts) {
      const error = await attempt.then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof Anthropic.BadRequestError, message);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.apiMessage, message);
      assert.match(error.requestID ?? '', /^req_/);
    }
  });
});

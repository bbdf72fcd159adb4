import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, Output, stepCountIs, streamText, tool, type LanguageModelUsage } from 'ai';
import { z } from 'zod';
import type { RecordedRequest } from '../../../src/simulator/simulator';
import { ClaudeSimulator } from '../../../src/simulator/simulator';

/**
 * Conformance: the Vercel AI SDK (`ai` + `@ai-sdk/anthropic`, a client no one here wrote)
 * against the simulator on 127.0.0.1. Every case asserts the client's own view of the result
 * (text, tool input parsed by its own schema, usage) against what the simulator recorded.
 */

let sim: ClaudeSimulator;
let anthropic: ReturnType<typeof createAnthropic>;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 0 });
  anthropic = createAnthropic({ baseURL: `${sim.url}/v1`, apiKey: 'sim-vercel' });
});
after(() => sim.stop());

/** The one billed /v1/messages request since `from` (the simulator's own record). */
function billedSince(from: number): RecordedRequest[] {
  return sim.requests.slice(from).filter((r) => r.path === '/v1/messages' && r.status === 200 && r.usage);
}

function assertUsage(usage: LanguageModelUsage, record: RecordedRequest): void {
  const u = record.usage!;
  assert.equal(usage.inputTokenDetails.noCacheTokens, u.input_tokens);
  assert.equal(usage.inputTokenDetails.cacheReadTokens, u.cache_read_input_tokens);
  assert.equal(usage.inputTokenDetails.cacheWriteTokens, u.cache_creation_input_tokens);
  assert.equal(usage.inputTokens, u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens);
  assert.equal(usage.outputTokens, u.output_tokens);
}

const WeatherInput = z.object({ city: z.string().min(2), unit: z.enum(['celsius', 'fahrenheit']), days: z.number().int().min(1).max(7) });
const weather = tool({ description: 'The weather forecast for a city', inputSchema: WeatherInput });

describe('conformance: Vercel AI SDK', () => {
  it('installs versions that declare Node 20 support', () => {
    for (const pkg of ['ai', '@ai-sdk/anthropic']) {
      const manifest = JSON.parse(readFileSync(path.join('node_modules', pkg, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
      const min = /^>=\s*(\d+)/.exec(manifest.engines?.node ?? '>=0')?.[1];
      assert.ok(min !== undefined && Number(min) <= 20, `${pkg}@${manifest.version} declares node ${manifest.engines?.node}`);
    }
    assert.equal(process.versions.node.split('.')[0], '20', 'the suite runs on the Node of VS Code 1.96');
  });

  it('generateText: the text, finish reason and usage the simulator served', async () => {
    const from = sim.requests.length;
    const result = await generateText({ model: anthropic('claude-sonnet-5-5'), system: 'Be brief.', prompt: 'Describe the login page in one line.', maxRetries: 0 });
    const [record] = billedSince(from);
    assert.ok(record);
    assert.match(result.text, /^This is a simulated reply from Sonnet 5\.5/);
    assert.match(result.text, /Describe the login page in one line\./);
    assert.equal(result.finishReason, 'stop');
    assertUsage(result.usage, record);
    assert.equal(result.response.modelId, 'claude-sonnet-5-5');
    assert.deepEqual(result.warnings, []);
  });

  it('streamText: the same text in several chunks, and the same usage', async () => {
    const plain = await generateText({ model: anthropic('claude-haiku-5-5'), prompt: 'Stream a short answer, please.', maxRetries: 0 });
    const from = sim.requests.length;
    const stream = streamText({ model: anthropic('claude-haiku-5-5'), prompt: 'Stream a short answer, please.', maxRetries: 0 });
    const chunks: string[] = [];
    for await (const chunk of stream.textStream) chunks.push(chunk);
    assert.ok(chunks.length > 1, `${chunks.length} chunks`);
    assert.equal(chunks.join(''), plain.text);
    assert.equal(await stream.finishReason, 'stop');
    const [record] = billedSince(from);
    assert.ok(record);
    assertUsage(await stream.usage, record);
  });

  it('a forced tool call: the input validates against the tool schema (Haiku 5.5 takes tool_choice tool)', async () => {
    const from = sim.requests.length;
    const result = await generateText({
      model: anthropic('claude-haiku-5-5'),
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      toolChoice: { type: 'tool', toolName: 'weather' },
      maxRetries: 0,
    });
    assert.deepEqual(result.warnings, [], 'the client forced the tool itself');
    assert.equal(result.finishReason, 'tool-calls');
    assert.equal(result.toolCalls.length, 1);
    const call = result.toolCalls[0]!;
    assert.equal(call.toolName, 'weather');
    assert.equal(call.invalid, undefined);
    assert.ok(WeatherInput.safeParse(call.input).success, JSON.stringify(call.input));
    assert.match(call.toolCallId, /^toolu_/);
    const [record] = billedSince(from);
    assert.ok(record);
    assertUsage(result.usage, record);
  });

  it('a forced tool call on Sonnet 5.5: the client falls back to auto with that tool alone, and still gets the call', async () => {
    const result = await generateText({
      model: anthropic('claude-sonnet-5-5'),
      prompt: 'Use the weather tool for Seoul.',
      tools: { weather },
      toolChoice: { type: 'tool', toolName: 'weather' },
      maxRetries: 0,
    });
    assert.ok((result.warnings ?? []).some((w) => w.type === 'unsupported' && w.feature === 'toolChoice'), JSON.stringify(result.warnings));
    assert.equal(result.toolCalls[0]?.toolName, 'weather');
    assert.ok(WeatherInput.safeParse(result.toolCalls[0]?.input).success);
  });

  it('a tool loop: the tool result continues the conversation to a text answer', async () => {
    const executed: unknown[] = [];
    const runnable = tool({ ...weather, execute: (input) => (executed.push(input), Promise.resolve({ forecast: 'sunny', high: 21 })) });
    const result = await generateText({
      model: anthropic('claude-haiku-5-5'),
      prompt: 'Plan my weekend in Lisbon around the weather.',
      tools: { weather: runnable },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.equal(executed.length, 1);
    assert.equal(result.steps.length, 2);
    assert.equal(result.steps[0]?.finishReason, 'tool-calls');
    assert.equal(result.finishReason, 'stop');
    assert.match(result.text, /received 1 tool result/);
  });

  it('structured output through output_config.format: the object passes the client’s own schema', async () => {
    const schema = z.object({ title: z.string().min(3), steps: z.array(z.string()).min(2), effort: z.number().int().min(1).max(5) });
    const result = await generateText({ model: anthropic('claude-sonnet-5-5'), prompt: 'Plan the login page.', output: Output.object({ schema }), maxRetries: 0 });
    const plan = result.output;
    assert.ok(schema.safeParse(plan).success, JSON.stringify(plan));
    assert.ok(plan.steps.length >= 2);
  });
});

import assert from 'node:assert/strict';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { LlmRequest } from '../../src/core/llm/llmClient';
import { ClaudeCodeLlmClient } from '../../src/infra/claudeCode/claudeCodeClient';
import type { ClaudeCodeClientOptions } from '../../src/infra/claudeCode/claudeCodeClient';
import { ClaudeSimulator } from '../../src/simulator/simulator';

/**
 * The REAL `claude` binary (devDependency @anthropic-ai/claude-code) against the embedded
 * simulator: a temporary HOME, ANTHROPIC_BASE_URL pointing at the simulator and a dummy key in
 * the child environment only. Nothing reaches the network.
 */

const CLAUDE = path.resolve('node_modules/.bin/claude');
const available = existsSync(CLAUDE);

let sim: ClaudeSimulator;
let home: string;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 0 });
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-cc-home-'));
});
after(async () => {
  await sim.stop();
  await fs.rm(home, { recursive: true, force: true });
});
beforeEach(() => sim.clearFaults());

function client(extra: Partial<ClaudeCodeClientOptions> = {}): ClaudeCodeLlmClient {
  return new ClaudeCodeLlmClient({
    binaryPath: CLAUDE,
    env: { PATH: process.env['PATH'], HOME: home, ANTHROPIC_BASE_URL: sim.url },
    apiKey: 'sim-claude-code',
    timeoutMs: 30_000,
    maxRetries: 0,
    ...extra,
  });
}

const ask = (text: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'claude-haiku-5-5',
  system: [{ text: 'You are a terse assistant.' }],
  messages: [{ role: 'user', content: [{ text }] }],
  maxTokens: 2_000,
  ...extra,
});

/** Pids whose environment carries this HOME: Claude Code processes of this test that are still alive. */
function processesWithHome(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`HOME=${dir}`)) found.push(Number(entry));
    } catch {
      // Gone or not ours.
    }
  }
  return found;
}

async function pendingFaults(): Promise<number> {
  const body = (await (await fetch(`${sim.url}/_sim/faults`)).json()) as { pending: unknown[] };
  return body.pending.length;
}

describe('ClaudeCodeLlmClient with the real claude binary', { skip: available ? false : 'node_modules/.bin/claude missing' }, () => {
  it('detects the binary and its version', async () => {
    const binary = await client().detect();
    assert.match(binary.version, /^\d+\.\d+\.\d+$/);
  });

  it('completes a plain prompt; usage equals what the simulator billed, to the token', async () => {
    const before = sim.requests.length;
    let progress = 0;
    const reply = await client().complete(ask('Say hello.', { onProgress: (n) => (progress = n) }));
    const billed = sim.requests.slice(before).filter((r) => r.path === '/v1/messages' && r.usage);
    assert.equal(billed.length, 1, 'one API request per call (no title or side requests)');
    const usage = billed[0]!.usage!;
    assert.match(reply.text, /simulated reply/);
    assert.equal(reply.model, 'claude-haiku-5-5');
    assert.equal(reply.stopReason, 'end_turn');
    assert.equal(reply.usage.inputTokens, usage.input_tokens);
    assert.equal(reply.usage.outputTokens, usage.output_tokens);
    assert.equal(reply.usage.cacheReadInputTokens, usage.cache_read_input_tokens);
    assert.equal(reply.usage.cacheCreationInputTokens, usage.cache_creation_input_tokens);
    assert.equal(reply.messageIds.length, 1);
    assert.match(reply.messageIds[0]!, /^msg_/);
    assert.equal(progress, reply.text.length);
  });

  it('returns the StructuredOutput of a --json-schema call as JSON text', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, steps: { type: 'array', items: { type: 'string' }, minItems: 2 } },
      required: ['title', 'steps'],
      additionalProperties: false,
    };
    const before = sim.requests.length;
    const reply = await client().complete(ask('Plan a small change.', { model: 'claude-opus-5-5', outputSchema: schema, effort: 'low' }));
    const parsed = JSON.parse(reply.text) as { title: unknown; steps: unknown[] };
    assert.equal(typeof parsed.title, 'string');
    assert.ok(Array.isArray(parsed.steps) && parsed.steps.length >= 2);
    assert.equal(reply.stopReason, 'end_turn');
    assert.equal(reply.model, 'claude-opus-5-5');
    const served = sim.requests.slice(before).filter((r) => r.path === '/v1/messages');
    assert.match(served[0]!.summary, /tools=1/, 'Claude Code sends StructuredOutput as an unforced tool');
  });

  it('without a key or a login: provider_auth (not logged in)', async () => {
    const noLogin = new ClaudeCodeLlmClient({ binaryPath: CLAUDE, env: { PATH: process.env['PATH'], HOME: home, ANTHROPIC_BASE_URL: sim.url } });
    await assert.rejects(noLogin.complete(ask('Hello?')), (e) => isHeliosError(e, 'provider_auth') && e.details.claudeCode === 'not_logged_in');
  });

  it('maps an injected 429 to provider_rate_limited (not the window) and 529 to provider_overloaded', async () => {
    sim.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    await assert.rejects(client().complete(ask('One')), (e) => isHeliosError(e, 'provider_rate_limited') && e.details.status === 429 && e.details.limitReached === 0);
    sim.injectFault({ kind: 'status', status: 529 });
    await assert.rejects(client().complete(ask('Two')), (e) => isHeliosError(e, 'provider_overloaded') && e.details.status === 529);
    sim.injectFault({ kind: 'status', status: 500 });
    await assert.rejects(client().complete(ask('Three')), (e) => isHeliosError(e, 'provider_unavailable') && e.details.status === 500);
  });

  it('abort mid-stream kills the whole process group: cancelled, nothing left running', async () => {
    const abortHome = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-cc-abort-'));
    try {
      sim.injectFault({ kind: 'slow_stream', delayMs: 2_000 });
      const controller = new AbortController();
      const c = client({ env: { PATH: process.env['PATH'], HOME: abortHome, ANTHROPIC_BASE_URL: sim.url } });
      const call = c.complete(ask('Take your time.', { signal: controller.signal }));
      const deadline = Date.now() + 10_000;
      // The fault is taken when the request arrives: then claude is mid-request.
      while ((await pendingFaults()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(processesWithHome(abortHome).length > 0, 'claude is running');
      const abortedAt = Date.now();
      controller.abort();
      await assert.rejects(call, (e) => isHeliosError(e, 'cancelled'));
      assert.ok(Date.now() - abortedAt < 3_000, 'cancelled promptly');
      assert.deepEqual(processesWithHome(abortHome), []);
    } finally {
      await fs.rm(abortHome, { recursive: true, force: true });
    }
  });

  it('a hung call ends at the timeout with provider_timeout', async () => {
    sim.injectFault({ kind: 'slow_stream', delayMs: 5_000 });
    await assert.rejects(client({ timeoutMs: 1_500 }).complete(ask('Slow')), (e) => isHeliosError(e, 'provider_timeout'));
  });
});

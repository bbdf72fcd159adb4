import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { GovernedLlmClient } from '../../src/core/governor/governedLlmClient';
import { Governor, type Admission } from '../../src/core/governor/governor';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { FileAccountBoard } from '../../src/infra/governor/fileAccountBoard';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { MemoryLedger } from '../support/memoryLedger';

const config = { ...DEFAULT_BUDGET, plan: 'custom' as const, windowTokens: 10_000_000, windowMessages: 0 };
const MODEL = 'claude-haiku-5-5';

async function pair(leaseMs = 30_000): Promise<[Governor, Governor]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-rate-'));
  const on = () => Governor.create({ ledger: new MemoryLedger(), config, board: new FileAccountBoard({ dir, leaseMs }) });
  return Promise.all([on(), on()]);
}

/** Resolves to the admission, or to undefined when it was not admitted within `ms`. */
async function within(g: Governor, ms: number, inputTokens = 100): Promise<Admission | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await g.admit({ model: MODEL, inputTokens, maxTokens: 1_024, signal: abort.signal });
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

describe('the provider\'s per-minute limits are shared by every process on the account', () => {
  it('the requests-per-minute limit one process learned holds the other back once the minute is full', async () => {
    const [a, b] = await pair();
    try {
      a.observeRate({ requestsLimit: 3, requestsRemaining: 3 });
      const first = await Promise.all([within(a, 2_000), within(a, 2_000)]);
      assert.ok(first.every(Boolean), 'A starts two calls');
      // B never saw a response, but the board tells it the limit and A's two calls.
      assert.ok(await within(b, 2_000), 'B starts the third');
      const started = Date.now();
      const [fromA, fromB] = await Promise.all([within(a, 700), within(b, 700)]);
      assert.equal(fromA, undefined, 'no fourth call in the minute from A');
      assert.equal(fromB, undefined, 'nor from B');
      assert.ok(Date.now() - started >= 650);
      const waiting = b.admit({ model: MODEL, inputTokens: 100, maxTokens: 1_024, signal: AbortSignal.timeout(400) }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(b.state, 'throttled', 'a call held back by the per-minute limit shows as throttled, not paused');
      await waiting;
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('a 429 in one process holds every process back until its retry-after has passed', async () => {
    const [a, b] = await pair();
    try {
      a.rateLimitedFor(800);
      const started = Date.now();
      const admission = await within(b, 3_000);
      assert.ok(admission, 'admitted after the retry-after');
      assert.ok(Date.now() - started >= 600, `B waited for A's 429 (${Date.now() - started} ms)`);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('through the real SDK: the simulator\'s 429 and its ratelimit headers reach every governor', async () => {
    // A real minute of the simulator's limiter: 2 requests a minute, so the third is a 429 with retry-after.
    const sim = await ClaudeSimulator.start({ speedUp: 0, limits: { requestsPerMinute: 2 } });
    const [a, b] = await pair();
    try {
      const client = (g: Governor) => new GovernedLlmClient(new AnthropicLlmClient({ apiKey: 'sk-ant-test', baseURL: sim.url, provider: 'simulator', maxRetries: 0 }), g, { workspace: 'w', now: () => new Date() });
      const ask = (g: Governor) => client(g).complete({ model: MODEL, maxTokens: 64, system: [{ text: 'Reply briefly.' }], messages: [{ role: 'user', content: [{ text: 'Say hi.' }] }] });
      await ask(a);
      // A learned the limit (2 a minute) from the headers; B learns it from the board.
      await ask(b);
      const started = Date.now();
      const third = await within(b, 800);
      assert.equal(third, undefined, `the third call of the minute is held back before it reaches the provider (${Date.now() - started} ms)`);
      assert.equal(sim.requests.filter((r) => r.path.endsWith('/messages')).length, 2, 'no request was sent only to be refused');
    } finally {
      a.dispose();
      b.dispose();
      await sim.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCoder, type CoderWorkspace } from '../../src/core/agents/coder';
import { planOverview, withSharedContext } from '../../src/core/agents/coderPrompt';
import { CachedLlmClient, type CacheEvent } from '../../src/core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { ExactCache } from '../../src/core/cache/exactCache';
import { contextFingerprint, SemanticCache, type SemanticScope } from '../../src/core/cache/semanticCache';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { GovernedLlmClient } from '../../src/core/governor/governedLlmClient';
import { Governor } from '../../src/core/governor/governor';
import type { LlmRequest } from '../../src/core/llm/llmClient';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { FileExactCacheStore } from '../../src/infra/cache/fileExactCacheStore';
import { VectraIndex } from '../../src/infra/cache/vectraIndex';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { totalTokens } from '../../src/shared/usage';
import { MemoryLedger } from '../support/memoryLedger';

/** The facade on the product path: cache → GovernedLlmClient → AnthropicLlmClient (SDK) → simulator. */

const task = (id: string, title: string, files: string[]): Task => ({
  id, title, description: `Implement ${title}.`, taskType: 'code_generation', dependsOn: [], files, priority: 2, estimatedTokens: 600,
});
const TASKS = Array.from({ length: 12 }, (_, i) => task(`T${i + 1}`, `Helper number ${i + 1} for the billing module`, [`src/billing/helper${i + 1}.ts`]));
const PLAN = { id: 'plan-billing', graph: { tasks: TASKS } } as unknown as Plan;

const question = (text: string): LlmRequest => ({
  model: 'claude-sonnet-5-5', system: [{ text: 'You are the Helios Reviewer.' }], maxTokens: 2_000,
  messages: [{ role: 'user', content: [{ text }] }], tags: { agent: 'reviewer' },
});

describe('cache facade through the SDK and the simulator', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  let ledger: MemoryLedger;
  let governor: Governor;
  let cached: CachedLlmClient;
  const events: CacheEvent[] = [];
  const files = new Map<string, string>([['src/billing/rates.ts', 'export const rate = 1;\n']]);
  const scopes = new Map<string, SemanticScope>();
  const workspace: CoderWorkspace = { read: (p) => Promise.resolve(files.get(p)) };

  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: Infinity });
    dir = await mkdtemp(path.join(tmpdir(), 'helios-cache-facade-'));
    ledger = new MemoryLedger();
    governor = await Governor.create({ ledger, config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 10_000_000, windowMessages: 0 } });
    const sdk = new AnthropicLlmClient({ apiKey: 'test', baseURL: sim.url, provider: 'simulator' });
    const governed = new GovernedLlmClient(sdk, governor, { workspace: 'w', now: () => new Date() });
    cached = new CachedLlmClient(governed, {
      exact: new ExactCache({ store: new FileExactCacheStore(path.join(dir, 'exact.json')) }),
      semantic: new SemanticCache({ index: new VectraIndex(path.join(dir, 'l3')), embedder: new HashedNgramEmbedder() }),
      scopeOf: (r) => scopes.get(r.messages[0]!.content[0]!.text),
      // rates.ts is imported by every helper: a change to it impacts them all.
      impactOf: (paths) => (paths.includes('src/billing/rates.ts') ? TASKS.map((t) => t.files[0]!) : []),
      onEvent: (e) => events.push(e),
    });
  });
  after(async () => {
    await cached.settled();
    governor.dispose();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const coder = (t: Task) => runCoder(t, { client: cached, model: 'claude-sonnet-5-5', workspace, planId: PLAN.id, context: withSharedContext(planOverview(PLAN), undefined) });

  it('an L2 hit never reaches the governor: the ledger does not grow and nothing is billed', async () => {
    const first = await coder(TASKS[0]!);
    const records = ledger.records.length;
    const served = sim.requests.length;
    assert.ok(totalTokens(first.usage) > 0);
    const again = await coder(TASKS[0]!);
    assert.equal(ledger.records.length, records);
    assert.equal(sim.requests.length, served);
    assert.deepEqual(again.change.files, first.change.files);
    assert.equal(totalTokens(again.usage), 0);
    const stats = await cached.stats();
    assert.equal(stats.L2.hits, 1);
    assert.ok(stats.L2.savedTokens === totalTokens(first.usage) && stats.L2.savedUsd > 0);
  });

  it('L1: tasks of one plan read the shared system → plan-overview prefix from the provider cache', async () => {
    const before = (await cached.stats()).L1.readTokens;
    const second = await coder(TASKS[1]!);
    assert.ok(second.usage.cacheReadInputTokens > 0);
    const stats = await cached.stats();
    assert.equal(stats.L1.readTokens - before, second.usage.cacheReadInputTokens);
    assert.ok(stats.L1.savedUsd > 0);
    assert.ok(events.some((e) => e.kind === 'prompt_cache' && e.readTokens > 0));
  });

  it('a changed dependency invalidates every answer that depended on it', async () => {
    scopes.clear();
    const request = question('Review helper 3 against the rates.');
    scopes.set(request.messages[0]!.content[0]!.text, {
      agent: 'reviewer', taskType: 'code_review', query: 'Review helper 3 against the rates.',
      fingerprint: contextFingerprint([['src/billing/helper3.ts', 'x']]), paths: ['src/billing/helper3.ts'],
    });
    await cached.complete(request);
    await cached.complete(request);
    const records = ledger.records.length;
    assert.ok((await cached.invalidate(['src/billing/rates.ts'])) >= 1);
    await cached.complete(request);
    assert.equal(ledger.records.length, records + 1);
  });

  it('L3 serves a trusted answer to a reworded request, and hints (not answers) when the files changed', async () => {
    const fp = contextFingerprint([['src/billing/rates.ts', files.get('src/billing/rates.ts')]]);
    const ask = (text: string, fingerprint = fp) => {
      scopes.set(text, { agent: 'reviewer', taskType: 'code_review', query: text, fingerprint, paths: ['src/billing/rates.ts'] });
      return cached.complete(question(text));
    };
    const original = await ask('Check that the rate constant is exported and documented.');
    assert.equal(await cached.markTrusted(cached.keyOf(question('Check that the rate constant is exported and documented.'))!), true);
    const records = ledger.records.length;
    const reworded = await ask('check that the rate constant is exported, and documented!');
    assert.equal(reworded.text, original.text);
    assert.equal(ledger.records.length, records);
    const changed = contextFingerprint([['src/billing/rates.ts', 'export const rate = 2;\n']]);
    await ask('Please check that the rate constant is exported and documented.', changed);
    assert.equal(ledger.records.length, records + 1);
    const stats = await cached.stats();
    assert.equal(stats.L3.hits, 1);
    assert.equal(stats.L3.hints, 1);
  });

  it('never caches a max_tokens cut-off or an error', async () => {
    scopes.clear();
    const cut = { ...question('Write a very long review of everything in the billing module, file by file.'), maxTokens: 5 };
    const first = await cached.complete(cut);
    assert.equal(first.stopReason, 'max_tokens');
    const records = ledger.records.length;
    await cached.complete(cut);
    assert.equal(ledger.records.length, records + 1);

    sim.injectFault({ kind: 'drop_stream', afterEvents: 1 });
    const failing = question('Summarize the billing module.');
    await assert.rejects(cached.complete(failing));
    sim.clearFaults();
    const ok = await cached.complete(failing);
    assert.equal(ok.stopReason, 'end_turn');
    assert.ok(ledger.records.length > records + 1);
  });

  it('persists L2 across a restart of the facade', async () => {
    await cached.stats();
    const exact = new ExactCache({ store: new FileExactCacheStore(path.join(dir, 'exact.json')) });
    await exact.load();
    assert.ok(exact.size >= 2);
  });
});

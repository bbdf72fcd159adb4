import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coderSystem, planOverview, taskMessage, withSharedContext } from '../../src/core/agents/coderPrompt';
import { chooseTtl, MAX_BREAKPOINTS, planPromptCache, promptCacheSavingsUsd, ttlCosts } from '../../src/core/cache/promptCachePlan';
import type { LlmRequest, TextPart } from '../../src/core/llm/llmClient';
import { findModel } from '../../src/shared/models';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const words = (tokens: number): string => 'abc '.repeat(tokens); // 4 ASCII chars = 1 token
const part = (tokens: number, boundary = true): TextPart => ({ text: words(tokens), ...(boundary ? { cacheControl: { ttl: '5m' as const } } : {}) });

const request = (system: TextPart[], content: TextPart[], model = 'claude-sonnet-5-5'): LlmRequest => ({
  model, system, messages: [{ role: 'user', content }], maxTokens: 100,
});

const STANDARD = findModel('claude-sonnet-5-5')!.cache;

describe('L1 breakpoint planner', () => {
  it('never places a breakpoint whose prefix is below the model minimum', () => {
    // Sonnet 5.5 caches from 512 tokens: the 300-token system alone is too short, with the next part it is not.
    const plan = planPromptCache(request([part(300)], [part(300), part(50, false)]));
    assert.deepEqual(plan.breakpoints.map((b) => [b.message, b.part, b.prefixTokens]), [[0, 0, 600]]);
    assert.equal(plan.dropped, 1);
    assert.equal(plan.request.system[0]!.cacheControl, undefined);
    assert.ok(plan.request.messages[0]!.content[0]!.cacheControl);
  });

  it('uses the model minimum from the table (2,048 for an older model)', () => {
    const older = planPromptCache(request([part(1_000)], [part(1_000), part(10, false)], 'claude-haiku-4-5'));
    assert.equal(findModel('claude-haiku-4-5')?.minCacheableTokens, 2_048);
    assert.deepEqual(older.breakpoints, []);
    const longer = planPromptCache(request([part(1_000)], [part(1_100), part(10, false)], 'claude-haiku-4-5'));
    assert.deepEqual(longer.breakpoints.map((b) => b.prefixTokens), [2_100]);
  });

  it('keeps at most 4 breakpoints: the earliest ones and always the longest prefix', () => {
    const plan = planPromptCache(request([part(600), part(100)], [part(100), part(100), part(100), part(100), part(10, false)]));
    assert.equal(plan.breakpoints.length, MAX_BREAKPOINTS);
    assert.deepEqual(plan.breakpoints.map((b) => b.prefixTokens), [600, 700, 800, 1_100]);
    const marked = [...plan.request.system, ...plan.request.messages[0]!.content].filter((p) => p.cacheControl).length;
    assert.equal(marked, MAX_BREAKPOINTS);
  });

  it('chooses 1 h only when expected 5-minute expiries make it cheaper', () => {
    assert.equal(chooseTtl({ remainingUses: 10, expectedGapMs: 60_000 }, STANDARD), '5m');
    assert.equal(chooseTtl({ remainingUses: 0, expectedGapMs: 20 * 60_000 }, STANDARD), '5m');
    assert.equal(chooseTtl({ remainingUses: 3, expectedGapMs: 20 * 60_000 }, STANDARD), '1h');
    const c = ttlCosts({ remainingUses: 3, expectedGapMs: 20 * 60_000 }, STANDARD);
    assert.ok(Math.abs(c['5m'] - 1.25 * 4) < 1e-9 && Math.abs(c['1h'] - (2 + 0.3)) < 1e-9);
    const plan = planPromptCache(request([part(600)], [part(10, false)]), { reuse: { remainingUses: 5, expectedGapMs: 10 * 60_000 } });
    assert.equal(plan.request.system[0]!.cacheControl?.ttl, '1h');
  });

  it('counts what prompt-cache reads saved and what writes cost', () => {
    const read = promptCacheSavingsUsd('claude-sonnet-5-5', { ...ZERO_USAGE, inputTokens: 100, cacheReadInputTokens: 1_000_000 });
    assert.ok(Math.abs(read - 2 * 0.9) < 1e-9); // $2/MTok input, read at 0.1×
    assert.ok(promptCacheSavingsUsd('claude-sonnet-5-5', { ...ZERO_USAGE, cacheCreationInputTokens: 1_000_000 }) < 0);
  });
});

describe('Coder prompt order: system → plan overview → task', () => {
  const task = (id: string, title: string): Task => ({
    id, title, description: `Build ${title}.`, taskType: 'code_generation', dependsOn: id === 'T1' ? [] : ['T1'], files: [`src/${id}.ts`], priority: 2, estimatedTokens: 500,
  });
  const tasks = Array.from({ length: 12 }, (_, i) => task(`T${i + 1}`, `feature number ${i + 1}`));
  const plan = { id: 'p1', graph: { tasks } } as unknown as Plan;

  it('gives every task of a plan the same prefix, ending at a boundary the planner keeps', () => {
    const shared = planOverview(plan);
    const a = taskMessage(tasks[1]!, [], withSharedContext(shared, '### src/x.ts\n```ts\nx\n```'));
    const b = taskMessage(tasks[7]!, [], withSharedContext(shared, undefined));
    assert.equal(a.content[0]!.text, b.content[0]!.text);
    assert.ok(a.content[0]!.cacheControl);
    assert.notEqual(a.content[1]!.text, b.content[1]!.text);
    assert.match(a.content[1]!.text, /<context>\n### src\/x\.ts/);
    const planned = planPromptCache({ model: 'claude-sonnet-5-5', system: coderSystem(), messages: [a], maxTokens: 100 });
    assert.deepEqual(planned.breakpoints.map((x) => x.message), ['system', 0]);
  });

  it('without a shared part the message is unchanged: one part, the task first', () => {
    const m = taskMessage(tasks[0]!, [], undefined);
    assert.equal(m.content.length, 1);
    assert.match(m.content[0]!.text, /^Implement this task\./);
  });
});

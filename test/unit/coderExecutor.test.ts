import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCoderExecutor, type CoderExecutorDeps, type ReviewEvent } from '../../src/core/pipeline/taskPipeline';
import type { RouteDecision } from '../../src/core/router/router';
import type { VerificationResult } from '../../src/shared/verification';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

const task: Task = {
  // Not trivial (long description, two files, a real estimate), so the router keeps it on Sonnet.
  id: 'T1', title: 'Add a module', description: `Create the utility module with a sum function. ${'Handle overflow, NaN and negative zero carefully. '.repeat(5)}`,
  taskType: 'code_generation', dependsOn: [], files: ['src/util.ts', 'src/index.ts'], priority: 2, estimatedTokens: 3_000,
};
const plan: Plan = {
  version: 1, id: 'p1', createdAt: '', prdPath: 'PRD.md', prdSha256: '', plannedBy: 'm', provider: 's',
  graph: { tasks: [task] }, status: {}, usage: ZERO_USAGE, costUsd: 0, repairs: 0,
};
const valid = JSON.stringify({ summary: 'Adds util.', files: [{ path: 'src/util.ts', action: 'create', content: 'export const sum = (a: number, b: number) => a + b;\n' }] });
const invalid = JSON.stringify({ summary: 'Edits a file that is not there.', files: [{ path: 'src/missing.ts', action: 'edit', hunks: [{ search: 'x', replace: 'y' }] }] });
const zeroFamilies = { opus: { units: 0 }, sonnet: { units: 0 }, haiku: { units: 0 }, fable: { units: 0 } };

function executor(client: ScriptedLlmClient, state: 'ok' | 'throttled' = 'ok', saved: ProposedChange[] = []) {
  return createCoderExecutor({
    client,
    budget: () => ({ state, byFamily: zeroFamilies }),
    workspace: () => ({ read: async () => undefined }),
    saveChange: async (c) => void saved.push(c),
  });
}

describe('createCoderExecutor', () => {
  it('routes, codes and stores the proposed change, reporting model, reason, usage and cost', async () => {
    const saved: ProposedChange[] = [];
    const client = new ScriptedLlmClient([{ text: valid }]);
    const result = await executor(client, 'ok', saved)({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
    assert.ok(result.ok);
    assert.equal(result.model, 'claude-sonnet-5-5');
    assert.equal(result.reasonCode, 'default_map');
    assert.match(result.reason, /Sonnet/);
    assert.equal(result.usage.inputTokens, 100);
    assert.ok(result.costUsd > 0);
    assert.equal(saved[0]?.taskId, 'T1');
    assert.equal(client.requests[0]!.model, 'claude-sonnet-5-5');
  });

  it('escalates once to the next stronger model when the Coder\'s answer stays invalid after its repair', async () => {
    const client = new ScriptedLlmClient([{ text: invalid }, { text: invalid }, { text: valid }]);
    const result = await executor(client)({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
    assert.ok(result.ok);
    assert.deepEqual(client.requests.map((r) => r.model), ['claude-sonnet-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5']);
    assert.equal(result.reasonCode, 'escalated');
    assert.equal(result.model, 'claude-opus-5-5');
    // The failed Sonnet attempt (answer and repair) is paid for too.
    assert.equal(result.calls, 3);
    assert.equal(result.usage.inputTokens, 300);
  });

  it('hands provider trouble back to the scheduler as retryable, and model failures as final', async () => {
    const overloaded = new ScriptedLlmClient([]);
    const { HeliosError } = await import('../../src/core/errors/heliosError');
    overloaded.complete = () => Promise.reject(new HeliosError('provider_overloaded', '529'));
    const r1 = await executor(overloaded)({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
    assert.ok(!r1.ok && r1.retryable && r1.error.reason === 'provider_overloaded');
    const refusing = new ScriptedLlmClient([{ text: '', stopReason: 'refusal' }]);
    const r2 = await executor(refusing)({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
    assert.ok(!r2.ok && !r2.retryable && r2.error.reason === 'model_refused');
  });

  describe('review loop', () => {
    const approve = JSON.stringify({ verdict: 'approve', summary: 'Good.', findings: [{ path: 'src/util.ts', startLine: 1, endLine: 1, severity: 'nit', message: 'Name it.' }] });
    const blocker = JSON.stringify({ verdict: 'request_changes', summary: 'Broken.', findings: [{ path: 'src/util.ts', startLine: 1, endLine: 1, severity: 'blocker', message: 'Overflow is not handled.' }] });
    const job = () => ({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
    function reviewing(client: ScriptedLlmClient, extra: Partial<CoderExecutorDeps> = {}) {
      const saved: ProposedChange[] = [];
      const routed: RouteDecision[] = [];
      const events: ReviewEvent[] = [];
      const run = createCoderExecutor({
        client, budget: () => ({ state: 'ok', byFamily: zeroFamilies }), workspace: () => ({ read: async () => undefined }),
        saveChange: async (c) => void saved.push(c), onRouted: (_p, _t, d) => void routed.push(d), onReview: (_p, _t, e) => void events.push(e),
        review: { enabled: true, maxRounds: 2 }, ...extra,
      });
      return { run, saved, routed, events };
    }

    it('approves in one round on the router\'s review model, counting the review in the task\'s cost', async () => {
      const client = new ScriptedLlmClient([{ text: valid }, { text: approve }]);
      const { run, saved, events } = reviewing(client);
      const result = await run(job());
      assert.ok(result.ok);
      assert.deepEqual(client.requests.map((r) => [r.tags?.agent, r.model]), [['coder', 'claude-sonnet-5-5'], ['reviewer', 'claude-opus-5-5']]);
      const routedReview = events.find((e) => e.kind === 'review_routed');
      assert.ok(routedReview?.kind === 'review_routed' && routedReview.decision.reason.code === 'default_map');
      assert.equal(result.calls, 2);
      assert.equal(result.usage.inputTokens, 200);
      assert.deepEqual({ ...result.review, costUsd: undefined }, { verdict: 'approve', blockers: 0, findings: 1, rounds: 1, costUsd: undefined });
      assert.ok(result.review!.costUsd > 0 && result.costUsd > result.review!.costUsd);
      assert.equal(saved.length, 1);
      assert.equal(saved[0]!.review?.verdict, 'approve');
      assert.equal(saved[0]!.review?.findings[0]?.id, 'f1');
      assert.equal(saved[0]!.reviewRounds, 1);
    });

    for (const maxRounds of [2, 3]) {
      it(`stops after ${maxRounds} rounds when the Reviewer always requests changes, every round counted`, async () => {
        const script = Array.from({ length: maxRounds }, () => [{ text: valid }, { text: blocker }]).flat();
        const client = new ScriptedLlmClient(script);
        const { run, saved } = reviewing(client, { review: { enabled: true, maxRounds } });
        const result = await run(job());
        assert.ok(result.ok);
        assert.equal(client.requests.length, 2 * maxRounds);
        assert.equal(result.calls, 2 * maxRounds);
        assert.equal(result.usage.inputTokens, 100 * 2 * maxRounds);
        assert.equal(result.review?.rounds, maxRounds);
        assert.equal(result.review?.verdict, 'request_changes');
        assert.equal(result.review?.blockers, 1);
        const reviewCalls = client.requests.filter((r) => r.tags?.agent === 'reviewer').length;
        assert.equal(reviewCalls, maxRounds);
        assert.equal(saved.length, 1, 'only the final change is stored');
        assert.equal(saved[0]!.reviewRounds, maxRounds);
        assert.ok(Math.abs(saved[0]!.review!.costUsd - result.review.costUsd) < 1e-12);
      });
    }

    it('sends the task back to the Coder with the findings, routed as an escalation caused by review', async () => {
      const client = new ScriptedLlmClient([{ text: valid }, { text: blocker }, { text: valid }, { text: approve }]);
      const { run, routed } = reviewing(client);
      const result = await run(job());
      assert.ok(result.ok);
      assert.equal(routed.length, 2);
      assert.deepEqual(routed[1]!.reason, { code: 'escalated', params: { from: 'sonnet', family: 'opus', cause: 'review' } });
      assert.equal(client.requests[2]!.tags?.agent, 'coder');
      assert.equal(client.requests[2]!.model, 'claude-opus-5-5');
      const rework = client.requests[2]!.messages[0]!.content.map((p) => p.text).join('\n');
      assert.match(rework, /<rework>[\s\S]*\[blocker\] src\/util.ts:1-1: Overflow is not handled\.[\s\S]*\| export const sum/);
      assert.match(client.requests[3]!.messages[0]!.content[0]!.text, /<previous-review>/);
      assert.equal(result.reasonCode, 'escalated');
      assert.deepEqual([result.review?.verdict, result.review?.rounds], ['approve', 2]);
    });

    it('verifies, retries the Coder once with the failure output, verifies again, then reviews with the verification', async () => {
      const order: string[] = [];
      const results: VerificationResult[] = [
        { status: 'failed', command: 'npm test', exitCode: 1, failedTests: 1, output: 'not ok 1 - sum overflows', durationMs: 3, timedOut: false, violations: [] },
        { status: 'passed', command: 'npm test', exitCode: 0, output: 'ok 1 - sum', durationMs: 3, timedOut: false, violations: [] },
      ];
      const client = new ScriptedLlmClient([{ text: valid }, { text: valid }, { text: approve }]);
      const complete = client.complete.bind(client);
      client.complete = (r) => { order.push(r.tags?.agent ?? '?'); return complete(r); };
      const { run, saved, routed } = reviewing(client, { verify: async () => { order.push('verify'); return results.shift()!; } });
      const result = await run(job());
      assert.ok(result.ok);
      assert.deepEqual(order, ['coder', 'verify', 'coder', 'verify', 'reviewer']);
      assert.match(client.requests[1]!.messages[0]!.content.map((p) => p.text).join('\n'), /failed against it \(exit code 1\)[\s\S]*not ok 1 - sum overflows/);
      assert.ok(routed[1]!.reason.code === 'escalated' && routed[1]!.reason.params.cause === 'validation');
      assert.match(client.requests[2]!.messages[0]!.content[0]!.text, /<verification status="passed" exit-code="0" command="npm test">\nok 1 - sum/);
      assert.deepEqual(result.verification, { status: 'passed' });
      assert.equal(saved[0]!.verification?.status, 'passed');
    });

    it('keeps the Coder\'s change, unreviewed, when the Reviewer\'s output stays invalid', async () => {
      const bad = JSON.stringify({ verdict: 'approve', summary: 'x', findings: [{ path: 'src/util.ts', startLine: 40, endLine: 41, severity: 'nit', message: 'Past the end.' }] });
      const client = new ScriptedLlmClient([{ text: valid }, { text: bad }, { text: bad }]);
      const { run, saved, events } = reviewing(client);
      const result = await run(job());
      assert.ok(result.ok);
      assert.equal(result.review, undefined);
      assert.equal(result.calls, 3);
      assert.equal(result.usage.inputTokens, 300);
      assert.equal(saved.length, 1);
      assert.equal(saved[0]!.review, undefined);
      assert.match(saved[0]!.files[0]!.proposedContent, /export const sum/);
      const failed = events.find((e) => e.kind === 'review_failed');
      assert.ok(failed?.kind === 'review_failed' && failed.reason === 'model_output_invalid');
    });
  });
});

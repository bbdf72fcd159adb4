import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCoderExecutor } from '../../src/core/scheduler/coderExecutor';
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
});

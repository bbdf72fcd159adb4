import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDagSnapshot } from '../../src/extension/dagPanel/dagSnapshot';
import { budgetNotice } from '../../src/webview/dag/format';
import type { Plan } from '../../src/shared/taskGraph';

const plan: Plan = {
  version: 1,
  id: 'plan-1',
  createdAt: '2026-01-02T03:04:05.000Z',
  prdPath: 'docs/PRD.md',
  prdSha256: 'ab'.repeat(32),
  plannedBy: 'claude-opus-5-5',
  provider: 'simulator',
  graph: {
    tasks: [
      { id: 'T1', title: 'Schema', description: 'Define the schema', taskType: 'architectural_reasoning', dependsOn: [], files: ['src/schema.ts'], priority: 1, estimatedTokens: 1200 },
      { id: 'T2', title: 'API', description: 'Build the API', taskType: 'code_generation', dependsOn: ['T1'], files: ['src/api.ts', 'src/routes.ts'], priority: 2, estimatedTokens: 3400 },
      { id: 'T3', title: 'Tests', description: 'Test the API', taskType: 'unit_test', dependsOn: ['T1', 'T2'], files: [], priority: 3, estimatedTokens: 800 },
    ],
  },
  status: { T1: 'done', T2: 'running' },
  usage: { inputTokens: 1000, outputTokens: 200, cacheCreationInputTokens: 30, cacheReadInputTokens: 4, cacheCreation5mTokens: 30, cacheCreation1hTokens: 0 },
  costUsd: 0.0123,
  repairs: 0,
};

describe('buildDagSnapshot', () => {
  it('carries the plan header and sums all four token counts', () => {
    const s = buildDagSnapshot(plan);
    assert.equal(s.planId, 'plan-1');
    assert.equal(s.prdPath, 'docs/PRD.md');
    assert.equal(s.plannedBy, 'claude-opus-5-5');
    assert.equal(s.provider, 'simulator');
    assert.equal(s.createdAt, '2026-01-02T03:04:05.000Z');
    assert.equal(s.totalTokens, 1234, 'input + output + cache creation + cache read (TTL split not double counted)');
    assert.equal(s.costUsd, 0.0123);
  });

  it('maps every task to a node in plan order, with status defaulting to pending', () => {
    const s = buildDagSnapshot(plan);
    assert.deepEqual(s.nodes.map((n) => [n.id, n.status]), [['T1', 'done'], ['T2', 'running'], ['T3', 'pending']]);
    assert.deepEqual(s.nodes[1], {
      id: 'T2',
      title: 'API',
      description: 'Build the API',
      taskType: 'code_generation',
      status: 'running',
      priority: 2,
      estimatedTokens: 3400,
      dependsOn: ['T1'],
      files: ['src/api.ts', 'src/routes.ts'],
    });
  });

  it('is plain data that survives the postMessage round trip', () => {
    const s = buildDagSnapshot(plan);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  });

  it('handles an empty graph', () => {
    const s = buildDagSnapshot({ ...plan, graph: { tasks: [] }, status: {} });
    assert.deepEqual(s.nodes, []);
  });
});

describe('the DAG header while the budget holds a run back', () => {
  it('says the run is paused and when the window resets, only while the plan runs', () => {
    const plan = {
      version: 1 as const, id: 'p', createdAt: '2026-12-02T00:00:00Z', prdPath: 'PRD.md', prdSha256: 'x', plannedBy: 'm', provider: 's',
      graph: { tasks: [] }, status: {}, usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
      costUsd: 0, repairs: 0,
    };
    const running = { planId: 'p', state: 'running' as const, tasks: {}, updatedAt: '2026-12-02T00:00:00Z' };
    const strings = { budgetPaused: 'Paused until {0}.', budgetThrottled: 'Throttled until {0}.' } as unknown as Parameters<typeof budgetNotice>[1];
    const paused = buildDagSnapshot(plan, running, { state: 'paused', resetsAt: 'soon' });
    assert.deepEqual(paused.budget, { state: 'paused', resetsAt: 'soon' });
    assert.equal(budgetNotice(paused, strings), '⏸ Paused until soon.');
    assert.equal(buildDagSnapshot(plan, { ...running, state: 'done' }, { state: 'paused', resetsAt: 'soon' }).budget, undefined, 'a finished plan is not held back');
    assert.equal(buildDagSnapshot(plan, running, { state: 'ok', resetsAt: 'soon' }).budget, undefined);
    assert.equal(budgetNotice(buildDagSnapshot(plan, running, { state: 'throttled', resetsAt: 'later' }), strings), '⚠ Throttled until later.');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWorkflowBench } from '../../src/cli/benchWorkflow';
import { billedTokenEquivalents, formatTable, lowerBound } from '../../src/cli/benchWorkflowMetrics';
import { makeWorkflowPrd, planSpecs } from '../../src/cli/benchWorkflowPrds';
import { buildTaskGraph } from '../../src/infra/simulator/brains/architect';
import type { Plan } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const REQUIRED = ['cost_usd', 'makespan_s', 'lower_bound_s', 'opus_share', 'overshoot', 'input_tokens', 'output_tokens'] as const;

/**
 * The workflow benchmark on a small workload (3 plans: wide, deep, mixed; English and Korean)
 * through the real SDK against two fresh simulators. Timing ratios depend on the machine, so this
 * asserts the invariants and the shape of the JSON; the targets are checked on the default run.
 */
describe('workflow bench (SDK + simulator)', () => {
  it('runs both modes and reports consistent numbers', async () => {
    const r = JSON.parse(JSON.stringify(await runWorkflowBench({ plans: 3, speedUp: 400 }))) as Awaited<ReturnType<typeof runWorkflowBench>>;
    for (const mode of [r.baseline, r.helios]) {
      for (const key of REQUIRED) assert.equal(typeof mode[key], 'number', `${mode.mode}.${key}`);
      assert.equal(mode.plans, 3);
      assert.equal(mode.tasks_failed, 0);
      assert.equal(mode.tasks_done, mode.tasks);
      assert.equal(mode.overshoot, 0);
      assert.ok(mode.makespan_s >= mode.lower_bound_s, `${mode.mode}: makespan ${mode.makespan_s} ≥ bound ${mode.lower_bound_s}`);
      assert.ok(mode.lower_bound_s >= mode.critical_path_s && mode.critical_path_s > 0);
      assert.equal(mode.usage_matches_provider_log, true, 'ledger usage equals the simulator log');
    }
    assert.equal(r.baseline.tasks, r.helios.tasks);
    assert.equal(r.baseline.opus_share, 1);
    assert.deepEqual(Object.keys(r.baseline.calls_by_model), ['claude-opus-5-5']);
    assert.equal(r.baseline.cache_write_tokens + r.baseline.cache_read_tokens, 0, 'baseline sends no cache breakpoints');
    assert.equal(r.baseline.concurrency, 1);
    assert.ok(r.helios.cache_read_tokens > 0, 'helios reads the Coder prompt from the cache');
    assert.ok(r.helios.cost_usd < r.baseline.cost_usd, `helios cheaper: ${r.helios.cost_usd} vs ${r.baseline.cost_usd}`);
    assert.ok(r.helios.input_tokens < r.baseline.input_tokens);
    assert.ok(r.helios.opus_share < 0.5);
    assert.ok(Math.abs(r.ratios.cost - r.helios.cost_usd / r.baseline.cost_usd) < 1e-9);
    assert.equal(typeof r.targets.overshoot_zero, 'boolean');
    assert.match(formatTable(r.baseline, r.helios, 400), /makespan ÷ lower bound/);
  });

  it('generates wide, deep and mixed DAGs in both languages', () => {
    const graphs = planSpecs(12).map((s) => ({ s, g: buildTaskGraph(makeWorkflowPrd(s, 1)) }));
    for (const { s, g } of graphs) assert.equal(g.tasks.length, s.sections, s.name);
    const depth = (tasks: ReturnType<typeof buildTaskGraph>['tasks']) => {
      const d = new Map<string, number>();
      for (const t of tasks) d.set(t.id, 1 + Math.max(0, ...t.dependsOn.map((x) => d.get(x)!)));
      return Math.max(...d.values());
    };
    const deep40 = graphs.find(({ s }) => s.shape === 'deep' && s.sections === 40)!;
    const wide40 = graphs.find(({ s }) => s.shape === 'wide' && s.sections === 40)!;
    assert.ok(depth(deep40.g.tasks) >= 30, 'a long chain');
    assert.ok(depth(wide40.g.tasks) <= 3, 'a wide fan-out');
    assert.ok(graphs.some(({ s }) => s.lang === 'ko') && graphs.some(({ s }) => s.lang === 'en'));
  });

  it('computes the lower bound from the critical path or the work per slot', () => {
    const task = (id: string, dependsOn: string[]) => ({ id, title: id, description: id, taskType: 'code_generation' as const, dependsOn, files: [], priority: 2, estimatedTokens: 1 });
    const plan = { id: 'p', graph: { tasks: [task('T1', []), task('T2', ['T1']), task('T3', ['T1']), task('T4', ['T2', 'T3'])] } } as unknown as Plan;
    const d = new Map([['p/T1', 10], ['p/T2', 30], ['p/T3', 5], ['p/T4', 10]]);
    assert.deepEqual(lowerBound([plan], d, 4), { boundMs: 50, criticalPathMs: 50, workMs: 55 });
    assert.deepEqual(lowerBound([plan], d, 1), { boundMs: 55, criticalPathMs: 50, workMs: 55 });
    assert.equal(billedTokenEquivalents({ ...ZERO_USAGE, inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 8, cacheReadInputTokens: 50 }), 100 + 50 + 10 + 5);
  });
});

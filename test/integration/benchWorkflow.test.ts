import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWorkflowBench } from '../../src/cli/benchWorkflow';
import { billedTokenEquivalents, formatTable, integrationMetrics, lostEdits, lowerBound, staleTasks, type PlanHistory } from '../../src/cli/benchWorkflowMetrics';
import { makeWorkflowPrd, planSpecs } from '../../src/cli/benchWorkflowPrds';
import { buildTaskGraph } from '../../src/simulator/brains/architect';
import type { ProposedChange, ProposedFileChange } from '../../src/shared/proposedChange';
import type { Plan } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const REQUIRED = [
  'cost_usd', 'makespan_s', 'lower_bound_s', 'opus_share', 'overshoot', 'input_tokens', 'output_tokens',
  'tasks_stale_base', 'merges', 'rebases', 'rebase_cost_usd', 'conflicts', 'lost_edits', 'edits_checked', 'edits_superseded',
] as const;

function planOf(tasks: Array<[string, string[]]>): Plan {
  const task = (id: string, dependsOn: string[]) => ({ id, title: id, description: id, taskType: 'code_generation' as const, dependsOn, files: [], priority: 2, estimatedTokens: 1 });
  return { id: 'p', graph: { tasks: tasks.map(([id, deps]) => task(id, deps)) } } as unknown as Plan;
}

/** A stored change with only what the checks read (paths, actions, bases, proposals). */
function changeOf(taskId: string, files: Array<{ path: string; base?: string; proposed: string }>): ProposedChange {
  const file = (f: { path: string; base?: string; proposed: string }): ProposedFileChange => ({
    path: f.path, action: f.base === undefined ? 'create' : 'edit', baseSha256: null, ...(f.base === undefined ? {} : { baseContent: f.base }),
    proposedContent: f.proposed, proposedSha256: '', linesAdded: 0, linesRemoved: 0,
  });
  return { version: 1, planId: 'p', taskId, state: 'proposed', createdAt: '', model: 'm', summary: '', files: files.map(file) };
}

function historyOf(plan: Plan, steps: ProposedChange[], others: ProposedChange[], final: Record<string, string>, startedEarly: string[] = []): PlanHistory {
  return {
    plan, final: new Map(Object.entries(final)), startedEarly: new Set(startedEarly), conflicts: 0, conflictRebaseCostUsd: 0, applies: true,
    integrations: steps.map((c) => ({ taskId: c.taskId, status: 'integrated', files: Object.fromEntries(c.files.map((f) => [f.path, f.proposedContent])) })),
    changes: new Map([...steps, ...others].map((c) => [c.taskId, c])),
  };
}

/**
 * The workflow benchmark on a small workload (3 plans: wide, deep, mixed; English and Korean)
 * through the real SDK against a fresh simulator per run (baseline, helios with `merge`, helios with
 * `wait`). Timing ratios depend on the machine, and so does whether siblings overlap after a
 * rebase (a conflict), so this asserts the invariants and the shape of the JSON; the targets are
 * checked on the default run.
 */
describe('workflow bench (SDK + simulator)', () => {
  it('runs the baseline and helios under both shared-files policies, with consistent numbers', async () => {
    const r = JSON.parse(JSON.stringify(await runWorkflowBench({ plans: 3, speedUp: 400 }))) as Awaited<ReturnType<typeof runWorkflowBench>>;
    for (const mode of [r.baseline, r.helios, r.helios_wait]) {
      const name = `${mode.mode}/${mode.shared_files ?? 'none'}`;
      for (const key of REQUIRED) assert.equal(typeof mode[key], 'number', `${name}.${key}`);
      assert.equal(mode.plans, 3);
      assert.equal(mode.tasks_done + mode.tasks_failed, mode.tasks);
      // The only failures integration may cause: a conflict, and the dependants it leaves skipped.
      if (mode.conflicts === 0) assert.equal(mode.tasks_failed, 0, name);
      assert.ok(mode.tasks_failed >= mode.conflicts, name);
      assert.equal(mode.overshoot, 0);
      assert.ok(mode.makespan_s >= mode.lower_bound_s, `${name}: makespan ${mode.makespan_s} ≥ bound ${mode.lower_bound_s}`);
      assert.ok(mode.lower_bound_s >= mode.critical_path_s && mode.critical_path_s > 0);
      assert.equal(mode.usage_matches_provider_log, true, 'ledger usage equals the simulator log');
      assert.equal(mode.tasks_stale_base, 0, `${name}: no task coded on a stale base`);
      assert.equal(mode.lost_edits, 0, `${name}: every integrated hunk is in the final tree`);
      assert.ok(mode.edits_checked >= mode.tasks_done, `${name}: at least one added block per done task checked (${mode.edits_checked})`);
      assert.equal(mode.final_tree_applies, true, name);
      assert.ok(mode.cost_usd >= mode.rebase_cost_usd);
    }
    assert.equal(r.baseline.shared_files, null);
    assert.deepEqual([r.baseline.merges, r.baseline.rebases, r.baseline.conflicts, r.baseline.rebase_cost_usd], [0, 0, 0, 0], 'sequential: nothing to merge');
    assert.equal(r.helios.shared_files, 'merge');
    // The simulator's brains share files (entry module, package.json, shared types, README) and a
    // seeded fifth of the Coder answers edit the same lines, so running siblings side by side merges.
    assert.ok(r.helios.merges + r.helios.rebases > 0, `merges ${r.helios.merges}, rebases ${r.helios.rebases}`);
    if (r.helios.rebases > 0) assert.ok(r.helios.rebase_cost_usd > 0, 'a rebase re-runs the Coder');
    assert.equal(r.helios_wait.shared_files, 'wait');
    // `wait` never runs two tasks of a plan that declare the same file: nothing moves under a task.
    assert.deepEqual([r.helios_wait.merges, r.helios_wait.rebases, r.helios_wait.conflicts], [0, 0, 0]);
    assert.equal(r.helios_wait.tasks_done, r.helios_wait.tasks);
    assert.equal(r.baseline.tasks_done, r.baseline.tasks);
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
    assert.equal(r.targets.no_stale_base, true);
    assert.equal(r.targets.no_lost_edits, true);
    assert.equal(r.targets.no_unresolved_conflicts, r.helios.conflicts === 0);
    const table = formatTable(r.baseline, r.helios, 400, r.helios_wait);
    assert.match(table, /makespan ÷ lower bound/);
    assert.match(table, /Shared files \(helios\)\s+merge\s+wait/);
    assert.match(table, /tasks coded on a stale base\s+0\s+0/);
  });

  it('catches a stale base: a dependency-changed file read without its content, or a start before the dependencies', () => {
    const plan = planOf([['T1', []], ['T2', ['T1']], ['T3', ['T1']], ['T4', []], ['T5', ['T3']], ['T6', ['T1']]]);
    const t1 = changeOf('T1', [{ path: 'a.ts', proposed: 'one\ntwo\n' }]);
    const t3 = changeOf('T3', [{ path: 'a.ts', base: 'one\ntwo\n', proposed: 'one\nthree\ntwo\n' }]);
    const t4 = changeOf('T4', [{ path: 'a.ts', base: 'one\nthree\ntwo\n', proposed: 'one\nthree\ntwo\nfour\n' }]);
    // T2 created a.ts as if T1 had not; T5 (after T3) never touched a.ts but started too early.
    const t2 = changeOf('T2', [{ path: 'a.ts', proposed: 'mine\n' }]);
    const t5 = changeOf('T5', [{ path: 'b.ts', proposed: 'b\n' }]);
    // T6 read a.ts after its sibling T3 had landed (a later tree than right after T1): fresh.
    const t6 = changeOf('T6', [{ path: 'a.ts', base: 'one\nthree\ntwo\n', proposed: 'zero\none\nthree\ntwo\n' }]);
    const h = historyOf(plan, [t1, t3, t4, t5, t6], [t2], { 'a.ts': 'zero\none\nthree\ntwo\nfour\n', 'b.ts': 'b\n' }, ['T5']);
    assert.deepEqual(staleTasks(h), ['T2', 'T5']);
    assert.equal(integrationMetrics([h]).tasks_stale_base, 2);
    // T6 with a base from before T1 (no a.ts) would be stale; T4 has no dependency to be stale about.
    const early = changeOf('T6', [{ path: 'a.ts', proposed: 'zero\n' }]);
    assert.deepEqual(staleTasks(historyOf(plan, [t1, t3, t4, early], [], {})), ['T6']);
  });

  it('catches a lost edit, and tells it from a line a later task read and changed', () => {
    const plan = planOf([['T1', []], ['T2', ['T1']], ['T3', ['T1']]]);
    const t1 = changeOf('T1', [{ path: 'a.ts', proposed: 'a\nb\nc\n' }]);
    const t2 = changeOf('T2', [{ path: 'a.ts', base: 'a\nb\nc\n', proposed: 'a\nb\nX\nc\n' }]);
    // A merge that dropped T1's `b`: nobody who saw it removed it.
    assert.deepEqual(lostEdits(historyOf(plan, [t1, t2], [], { 'a.ts': 'a\nX\nc\n' })), { checked: 2, lost: 1, superseded: 0 });
    // T3 read `b` and changed it to `B` itself: superseded, not lost; later insertions between lines are fine.
    const t3 = changeOf('T3', [{ path: 'a.ts', base: 'a\nb\nX\nc\n', proposed: 'a\nB\nX\nc\n' }]);
    const h = historyOf(plan, [t1, t2, t3], [], { 'a.ts': 'a\nB\nX\nc\n' });
    assert.deepEqual(lostEdits(h), { checked: 3, lost: 0, superseded: 1 });
    assert.deepEqual(lostEdits(historyOf(plan, [t1, t2], [], { 'a.ts': 'a\nb\nX\nc\n' })), { checked: 2, lost: 0, superseded: 0 });
    assert.equal(integrationMetrics([h]).lost_edits, 0);
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
    const plan = planOf([['T1', []], ['T2', ['T1']], ['T3', ['T1']], ['T4', ['T2', 'T3']]]);
    const d = new Map([['p/T1', 10], ['p/T2', 30], ['p/T3', 5], ['p/T4', 10]]);
    assert.deepEqual(lowerBound([plan], d, 4), { boundMs: 50, criticalPathMs: 50, workMs: 55 });
    assert.deepEqual(lowerBound([plan], d, 1), { boundMs: 55, criticalPathMs: 50, workMs: 55 });
    assert.equal(billedTokenEquivalents({ ...ZERO_USAGE, inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 8, cacheReadInputTokens: 50 }), 100 + 50 + 10 + 5);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanRun, TaskRun } from '../../src/core/scheduler/runState';
import { ENGLISH_RUN_TEXT } from '../../src/extension/dagPanel/dagSnapshot';
import { planRows, type PlanRowsInput } from '../../src/extension/views/plansTreeModel';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
const statusLabels = { pending: 'Pending', ready: 'Ready', running: 'Running', done: 'Done', failed: 'Failed', skipped: 'Skipped' };
const money = (usd: number) => `$${usd.toFixed(4)}`;

const task = (id: string, title: string, dependsOn: string[] = []): Task => ({
  id, title, description: `${title}, as the PRD says`, taskType: 'code_generation', dependsOn, files: [], priority: 3, estimatedTokens: 2_000,
});

function plan(id: string, prdPath: string, tasks: Task[]): Plan {
  return {
    version: 1, id, createdAt: '2026-12-02T09:30:00.000Z', prdPath, prdSha256: 'f'.repeat(64), plannedBy: 'claude-opus-5-5', provider: 'simulator',
    graph: { tasks }, status: Object.fromEntries(tasks.map((x) => [x.id, x.dependsOn.length === 0 ? 'ready' : 'pending'])), usage: ZERO_USAGE, costUsd: 0.01, repairs: 0,
  };
}

const run = (planId: string, state: PlanRun['state'], tasks: Record<string, TaskRun>): PlanRun => ({ planId, state, tasks, updatedAt: '2026-12-02T09:40:00.000Z' });

function rows(plans: Plan[], runs: Array<PlanRun | undefined> = [], running: string[] = []) {
  const input: PlanRowsInput = {
    plans, latestId: plans[0]?.id, runs: new Map(plans.map((p, i) => [p.id, runs[i]])), isRunning: (id) => running.includes(id), t, statusLabels, money, runText: ENGLISH_RUN_TEXT,
  };
  return planRows(input);
}

const shelf = plan('plan-a', 'PRD.md', [task('T1', 'Project setup'), task('T2', 'Book catalogue', ['T1']), task('T3', 'Reading sessions', ['T2'])]);

describe('the Plans view', () => {
  it('lists a fresh plan with its tasks, ready or waiting, and what planning cost', () => {
    const [row] = rows([shelf]);
    assert.equal(row!.label, 'PRD.md');
    assert.equal(row!.description, 'not started · 0/3 tasks · $0.0100');
    assert.equal(row!.contextValue, 'helios.plan.notStarted', 'Run is offered');
    assert.deepEqual(row!.tasks.map((x) => [x.label, x.description]), [
      ['T1 · Project setup', 'Ready'],
      ['T2 · Book catalogue', 'Pending'],
      ['T3 · Reading sessions', 'Pending'],
    ]);
  });

  it('shows each task\'s status, model and cost while the plan runs, and the plan\'s total', () => {
    const live = run('plan-a', 'running', {
      T1: { status: 'done', attempts: 1, model: 'claude-haiku-5-5', costUsd: 0.002 },
      T2: { status: 'running', attempts: 1, model: 'claude-sonnet-5-5' },
      T3: { status: 'pending', attempts: 0 },
    });
    const [row] = rows([shelf], [live], ['plan-a']);
    assert.equal(row!.contextValue, 'helios.plan.running', 'Pause and Cancel are offered');
    assert.equal(row!.description, 'running · 1/3 tasks · $0.0120');
    assert.match(row!.tasks[0]!.description, /^Done · Haiku \d\.\d · \$0\.0020$/);
    assert.equal(row!.tasks[1]!.description, 'Running · Sonnet 5.5');
    assert.equal(row!.tasks[1]!.contextValue, 'helios.planTask.running');
  });

  it('tells a paused run from one a reload stopped, and says why a task failed or was skipped', () => {
    const stopped = run('plan-a', 'running', {
      T1: { status: 'failed', attempts: 2, model: 'claude-sonnet-5-5', error: { reason: 'model_output_invalid', message: 'x' }, costUsd: 0.01 },
      T2: { status: 'skipped', attempts: 0, blockedBy: 'T1' },
    });
    const [interrupted] = rows([shelf], [stopped]);
    assert.equal(interrupted!.state, 'interrupted', 'a stored "running" run that this window does not run');
    assert.match(interrupted!.tasks[0]!.tooltip, /the model's answer was invalid/);
    assert.match(interrupted!.tasks[1]!.tooltip, /skipped: T1 failed/);
    const [paused] = rows([shelf], [{ ...stopped, state: 'paused' }]);
    assert.equal(paused!.contextValue, 'helios.plan.paused', 'Resume is offered');
  });

  it('lists every stored plan, newest first as stored; only the current one offers the plan commands', () => {
    const docs = plan('plan-b', 'docs/PRD-docs.md', [task('T1', 'Guide')]);
    const done = run('plan-b', 'done', { T1: { status: 'done', attempts: 1, model: 'claude-haiku-5-5', costUsd: 0.001 } });
    const list = rows([docs, shelf], [done, undefined]);
    assert.deepEqual(list.map((r) => [r.label, r.state]), [['docs/PRD-docs.md', 'done'], ['PRD.md', 'notStarted']]);
    assert.equal(list[0]!.description, 'done · 1/1 tasks · $0.0110');
    // Run / Pause / Cancel / Show act on the latest plan: an older plan's row does not pretend otherwise.
    assert.deepEqual(list.map((r) => [r.contextValue, r.current]), [['helios.plan.done', true], ['helios.olderPlan', false]]);
    assert.ok(list[1]!.tasks.every((x) => !x.current));
    assert.match(list[1]!.tooltip, /An older plan/);
    // The row's cost is planning + tasks, and the tooltip says which is which.
    assert.match(list[0]!.tooltip, /^Cost \$0\.0110: planning \$0\.0100, tasks \$0\.0010$/m);
  });
});

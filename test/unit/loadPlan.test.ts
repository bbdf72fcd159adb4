import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHeliosError, type HeliosError } from '../../src/core/errors/heliosError';
import { createPlan } from '../../src/core/plan/plan';
import { planFromJson } from '../../src/core/plan/loadPlan';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

function task(id: string, dependsOn: string[] = [], files = [`src/${id}.ts`]): Task {
  return { id, title: `Task ${id}`, description: `Do ${id}.`, taskType: 'code_generation', dependsOn, files, priority: 2, estimatedTokens: 800 };
}

function planJson(tasks: Task[]): string {
  return JSON.stringify(createPlan({
    prd: { path: 'PRD.md', text: '', sha256: 'a'.repeat(64), bytes: 0 },
    result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
    provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
  }));
}

function refusal(text: string, file = 'plan.json'): HeliosError {
  try {
    planFromJson(text, file);
  } catch (error) {
    assert.ok(isHeliosError(error, 'plan_invalid'), String(error));
    return error;
  }
  assert.fail('the plan was accepted');
}

/** Issue 18 rows 1 and 6: a loaded plan is validated like the Architect's output before anything runs. */
describe('planFromJson', () => {
  it('names a cycle and a self-dependency in a stored plan', () => {
    const e = refusal(planJson([task('T1', ['T3']), task('T2', ['T2']), task('T3', ['T1'])]));
    assert.equal(e.details.path, 'plan.json');
    assert.equal(e.details.problem, 'invalid_graph');
    assert.deepEqual(e.details.problems, ['T2 depends on itself', 'dependency cycle T1 → T3 → T1']);
  });

  it('names unknown dependencies, duplicate ids and paths outside the workspace', () => {
    const e = refusal(planJson([task('T1'), task('T2', ['T9']), task('T2'), task('T3', [], ['../outside.ts'])]));
    assert.deepEqual(e.details.problems, [
      'id T2 is used more than once',
      'T2 depends on T9, which is not a task of the plan',
      'T3 names ../outside.ts, which is outside the workspace',
    ]);
  });

  it('lists at most five problems, then how many more', () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(`T${i + 1}`, [`X${i + 1}`]));
    const problems = refusal(planJson(tasks)).details.problems as readonly string[];
    assert.equal(problems.length, 6);
    assert.equal(problems[5], 'and 3 more');
  });

  it('accepts a bare task graph as a PRD-less plan whose id comes from the file content', () => {
    const text = JSON.stringify({ tasks: [task('T1'), task('T2', ['T1'])] });
    const plan = planFromJson(text, 'graph.json', new Date('2026-12-01T00:00:00Z'));
    assert.match(plan.id, /^graph-[0-9a-f]{12}$/);
    assert.equal(plan.id, planFromJson(text, 'elsewhere.json').id, 'the same content is the same plan');
    assert.equal(plan.prdPath, '');
    assert.deepEqual(plan.status, { T1: 'ready', T2: 'pending' });
    assert.equal(plan.costUsd, 0);
  });

  it('validates a bare task graph the same way', () => {
    const e = refusal(JSON.stringify({ tasks: [task('T1', ['T2']), task('T2', ['T1'])] }), 'graph.json');
    assert.equal(e.details.path, 'graph.json');
    assert.deepEqual(e.details.problems, ['dependency cycle T1 → T2 → T1']);
  });

  it('refuses a wrong shape with a few short phrases, not a schema dump', () => {
    const e = refusal(JSON.stringify({ tasks: [{ id: 'T1' }, { id: 'T2' }] }));
    assert.equal(e.details.problem, 'not_a_plan');
    const problems = e.details.problems as readonly string[];
    assert.ok(problems.length <= 3, problems.join(' | '));
    assert.match(problems[0]!, /^tasks\.0 lacks title, description, taskType, dependsOn, files, priority, estimatedTokens$/);
    assert.ok(problems.join('; ').length < 300);
  });

  it('refuses text that is not JSON, naming why', () => {
    const e = refusal('{"tasks": [', 'broken.json');
    assert.equal(e.details.path, 'broken.json');
    assert.equal(e.details.problem, 'not_json');
  });

  it('returns a valid stored plan unchanged', () => {
    const text = planJson([task('T1'), task('T2', ['T1'])]);
    assert.deepEqual(planFromJson(text, 'plan.json'), JSON.parse(text));
  });
});

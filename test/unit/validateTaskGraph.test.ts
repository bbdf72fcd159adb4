import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIssues, findCycle, isSafeRelativePath, topologicalOrder, validateTaskGraph } from '../../src/core/plan/validateTaskGraph';
import type { Task, TaskGraph } from '../../src/shared/taskGraph';

function task(id: string, dependsOn: string[] = [], files: string[] = []): Task {
  return { id, title: id, description: id, taskType: 'code_generation', dependsOn, files, priority: 2, estimatedTokens: 100 };
}
const graph = (...tasks: Task[]): TaskGraph => ({ tasks });

describe('validateTaskGraph', () => {
  it('accepts a valid DAG', () => {
    assert.deepEqual(validateTaskGraph(graph(task('T1'), task('T2', ['T1']), task('T3', ['T1', 'T2']))), []);
  });

  it('rejects an empty plan', () => {
    assert.deepEqual(validateTaskGraph(graph()), [{ code: 'empty' }]);
  });

  it('names duplicate ids, unknown and self dependencies', () => {
    const issues = validateTaskGraph(graph(task('T1'), task('T1'), task('T2', ['T9']), task('T3', ['T3'])));
    assert.deepEqual(issues, [
      { code: 'duplicate_id', taskId: 'T1' },
      { code: 'unknown_dependency', taskId: 'T2', dependency: 'T9' },
      { code: 'self_dependency', taskId: 'T3' },
    ]);
  });

  it('names the cycle in dependency order', () => {
    const issues = validateTaskGraph(graph(task('T1', ['T3']), task('T2', ['T1']), task('T3', ['T2']), task('T4')));
    const cycle = issues.find((i) => i.code === 'cycle');
    assert.ok(cycle && cycle.code === 'cycle');
    assert.equal(cycle.cycle[0], cycle.cycle[cycle.cycle.length - 1]);
    assert.deepEqual(new Set(cycle.cycle), new Set(['T1', 'T2', 'T3']));
    assert.match(describeIssues(issues)[0]!, /Dependency cycle: T\d → T\d → T\d → T\d/);
  });

  it('rejects file paths that leave the workspace', () => {
    const issues = validateTaskGraph(graph(task('T1', [], ['src/ok.ts', '../etc/passwd', '/abs.ts', 'C:\\x.ts', 'a/../../b'])));
    assert.deepEqual(issues.map((i) => (i.code === 'unsafe_path' ? i.path : i.code)), ['../etc/passwd', '/abs.ts', 'C:\\x.ts', 'a/../../b']);
    assert.equal(isSafeRelativePath('docs/설계.md'), true);
  });

  it('finds cycles in a 5,000-task chain without overflowing the stack', () => {
    const tasks = Array.from({ length: 5_000 }, (_, i) => task(`T${i}`, i === 0 ? ['T4999'] : [`T${i - 1}`]));
    const cycle = findCycle(graph(...tasks));
    assert.equal(cycle?.length, 5_001);
  });

  it('orders tasks after their dependencies', () => {
    const order = topologicalOrder(graph(task('T3', ['T2']), task('T1'), task('T2', ['T1'])));
    assert.deepEqual(order, ['T1', 'T2', 'T3']);
  });
});

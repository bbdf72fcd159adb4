import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanRun, TaskRun } from '../../src/core/scheduler/runState';
import { resumable } from '../../src/extension/commands/resumable';

/** Resume Plan Run (its palette entry and the DAG panel's button) shows exactly for these runs. */
function run(state: PlanRun['state'], ...statuses: Array<TaskRun['status']>): PlanRun {
  return { planId: 'p', state, updatedAt: '2026-12-01T00:00:00.000Z', tasks: Object.fromEntries(statuses.map((status, i) => [`T${i + 1}`, { status, attempts: 1 }])) };
}

describe('which runs Resume Plan Run offers', () => {
  it('offers a paused run with tasks left, and one a closed window left running', () => {
    assert.equal(resumable(run('paused', 'done', 'pending'), false), true);
    assert.equal(resumable(run('running', 'done', 'running'), false), true);
  });

  it('does not offer a run that runs here, finished, was cancelled, or has nothing left to do', () => {
    assert.equal(resumable(run('paused', 'done', 'pending'), true), false);
    assert.equal(resumable(run('done', 'done', 'done'), false), false);
    assert.equal(resumable(run('cancelled', 'done', 'pending'), false), false);
    assert.equal(resumable(run('paused', 'done', 'failed', 'skipped'), false), false);
    assert.equal(resumable(undefined, false), false);
  });
});

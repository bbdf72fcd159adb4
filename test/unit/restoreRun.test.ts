import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HeliosError } from '../../src/core/errors/heliosError';
import type { TreeState } from '../../src/core/integration/planTree';
import { restoringRunStore, type RestoreEvent } from '../../src/core/pipeline/restoreRun';
import type { PlanRun, RunStore } from '../../src/core/scheduler/runState';
import { Scheduler } from '../../src/core/scheduler/scheduler';
import { FileRunStore } from '../../src/infra/storage/fileRunStore';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { MemoryTreeStore, OUTCOME } from '../support/memoryTreeStore';

/**
 * #18 row 8 — a lost run state (deleted, or unreadable and moved aside by FileRunStore) never costs
 * a finished task again: the scheduler resumes from the integrated tree's records, with their cost.
 */

function task(id: string, dependsOn: string[] = []): Task {
  return { id, title: id, description: id, taskType: 'code_generation', dependsOn, files: [], priority: 3, estimatedTokens: 1_000 };
}

const plan: Plan = {
  version: 1, id: 'p', createdAt: '2026-11-24T00:00:00Z', prdPath: 'PRD.md', prdSha256: 'x', plannedBy: 'm', provider: 'p',
  graph: { tasks: [task('T1'), task('T2', ['T1']), task('T3', ['T2'])] }, status: {}, usage: ZERO_USAGE, costUsd: 0, repairs: 0,
};

const tree: TreeState = {
  version: 1, planId: 'p', createdAt: '2026-12-02T00:00:00Z', base: {}, files: { 'a.ts': 'x' },
  tasks: {
    T2: { taskId: 'T2', status: 'merged', order: 2, at: '2026-12-02T00:02:00Z', paths: ['a.ts'], outcome: { ...OUTCOME, costUsd: 0.02, review: { verdict: 'approve', blockers: 0, findings: 1, rounds: 1, costUsd: 0.005 } } },
    T1: { taskId: 'T1', status: 'integrated', order: 1, at: '2026-12-02T00:01:00Z', paths: ['a.ts'], outcome: { ...OUTCOME, costUsd: 0.01 } },
  },
};

class MemoryRuns implements RunStore {
  constructor(public run?: PlanRun) {}
  load = async () => this.run;
  save = async (run: PlanRun) => {
    this.run = run;
  };
}

describe('restoringRunStore', () => {
  it('with the run state missing, the tree\'s tasks come back done with their stored outcome; the scheduler starts only the rest', async () => {
    const events: RestoreEvent[] = [];
    const store = restoringRunStore(new MemoryRuns(), new MemoryTreeStore(tree), (e) => events.push(e));
    const started: string[] = [];
    const scheduler = new Scheduler({
      store, globalConcurrency: 2, perPlanConcurrency: 2,
      executor: async (job) => {
        started.push(job.task.id);
        return { ok: true, model: 'm', reasonCode: 'r', reason: 'r', usage: ZERO_USAGE, costUsd: 0.03, calls: 1 };
      },
    });
    const run = await scheduler.addPlan(plan);
    assert.equal(run.tasks.T1?.status, 'done');
    assert.equal(run.tasks.T2?.status, 'done');
    assert.equal(run.tasks.T2?.costUsd, 0.02);
    assert.equal(run.tasks.T2?.review?.verdict, 'approve');
    assert.deepEqual(run.tasks.T2?.integration, { status: 'merged' });
    assert.equal(run.tasks.T2?.finishedAt, '2026-12-02T00:02:00Z');
    assert.deepEqual(events, [{ kind: 'run_restored', planId: 'p', taskIds: ['T1', 'T2'] }]);
    await scheduler.whenIdle();
    assert.deepEqual(started, ['T3']);
    const total = Object.values(scheduler.runOf('p')!.tasks).reduce((n, t) => n + (t.costUsd ?? 0), 0);
    assert.equal(Math.round(total * 100) / 100, 0.06, 'the cost of the restored tasks is kept');
  });

  it('a stored run wins; no tree, or an empty one, means no run; an unreadable tree is reported', async () => {
    const stored: PlanRun = { planId: 'p', state: 'running', tasks: { T1: { status: 'failed', attempts: 1 } }, updatedAt: 'x' };
    assert.equal(await restoringRunStore(new MemoryRuns(stored), new MemoryTreeStore(tree)).load('p'), stored);
    assert.equal(await restoringRunStore(new MemoryRuns(), new MemoryTreeStore()).load('p'), undefined);
    assert.equal(await restoringRunStore(new MemoryRuns(), new MemoryTreeStore({ ...tree, tasks: {} })).load('p'), undefined);
    const events: RestoreEvent[] = [];
    const broken = { load: () => Promise.reject(new HeliosError('state_corrupt', 'tree moved to x.corrupt')), save: async () => {} };
    assert.equal(await restoringRunStore(new MemoryRuns(), broken, (e) => events.push(e)).load('p'), undefined);
    assert.deepEqual(events, [{ kind: 'restore_failed', planId: 'p', error: 'tree moved to x.corrupt' }]);
  });

  it('FileRunStore moves an unreadable run file aside and reports it, then reads it as missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-run-store-'));
    await writeFile(path.join(dir, 'p.json'), '{"planId":"p","state":');
    const reports: { file: string; aside: string | undefined }[] = [];
    const store = new FileRunStore(dir, (file, _error, aside) => reports.push({ file, aside }));
    assert.equal(await store.load('p'), undefined);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.file, path.join(dir, 'p.json'));
    assert.match(path.basename(reports[0]!.aside!), /^p\.json\.corrupt-\d{4}-\d\d-\d\dT/);
    assert.equal(await readFile(reports[0]!.aside!, 'utf8'), '{"planId":"p","state":');
    assert.deepEqual((await readdir(dir)).filter((n) => n === 'p.json'), []);
    assert.equal(await store.load('p'), undefined);
    assert.equal(reports.length, 1, 'reported once');
  });
});

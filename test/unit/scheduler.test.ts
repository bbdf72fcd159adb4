import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptiveRateLimiter } from '../../src/core/scheduler/rateLimiter';
import type { PlanRun, RunStore } from '../../src/core/scheduler/runState';
import { Scheduler, type TaskJob, type TaskResult } from '../../src/core/scheduler/scheduler';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, PlanRun>();
  saves = 0;
  async load(planId: string) {
    return this.runs.get(planId);
  }
  async save(run: PlanRun) {
    this.saves++;
    this.runs.set(run.planId, run);
  }
}

function task(id: string, dependsOn: string[] = [], estimatedTokens = 1_000, priority = 3): Task {
  return { id, title: id, description: id, taskType: 'code_generation', dependsOn, files: [], priority, estimatedTokens };
}

function plan(id: string, tasks: Task[]): Plan {
  return {
    version: 1, id, createdAt: '2026-11-24T00:00:00Z', prdPath: 'PRD.md', prdSha256: 'x', plannedBy: 'm', provider: 'p',
    graph: { tasks }, status: {}, usage: ZERO_USAGE, costUsd: 0, repairs: 0,
  };
}

const ok = (): TaskResult => ({ ok: true, model: 'claude-sonnet-5-5', reasonCode: 'default_map', reason: 'code → Sonnet', usage: ZERO_USAGE, costUsd: 0, calls: 1 });

/** An executor whose calls the test finishes by hand (or at once with `auto`). */
class ManualExecutor {
  readonly started: TaskJob[] = [];
  private readonly pending = new Map<string, (r: TaskResult) => void>();
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly auto?: (job: TaskJob) => TaskResult | undefined) {}
  readonly run = (job: TaskJob): Promise<TaskResult> => {
    this.started.push(job);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<TaskResult>((resolve) => {
      const done = (r: TaskResult) => {
        this.inFlight--;
        resolve(r);
      };
      job.signal.addEventListener('abort', () => done({ ok: false, retryable: false, error: { reason: 'cancelled', message: 'aborted' } }));
      const immediate = this.auto?.(job);
      if (immediate) setImmediate(() => done(immediate));
      else this.pending.set(`${job.plan.id}/${job.task.id}`, done);
    });
  };
  finish(key: string, result: TaskResult = ok()): void {
    const done = this.pending.get(key);
    assert.ok(done, `${key} is running`);
    this.pending.delete(key);
    done(result);
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('Scheduler', () => {
  it('starts the task on the longest remaining path first, then by user priority', async () => {
    // A(1000) → B(5000) → C(1000): a 7,000-token path. D and E (3,000 each) stand alone; E has
    // the user's priority 1, D the default 3.
    const exec = new ManualExecutor(() => ok());
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 1, perPlanConcurrency: 1 });
    await s.addPlan(plan('p', [task('D', [], 3_000), task('A'), task('B', ['A'], 5_000), task('C', ['B']), task('E', [], 3_000, 1)]));
    await s.whenIdle();
    assert.deepEqual(exec.started.map((j) => j.task.id), ['A', 'B', 'E', 'D', 'C']);
    assert.equal(s.runOf('p')?.state, 'done');
  });

  it('respects the global and the per-plan concurrency limits', async () => {
    const exec = new ManualExecutor(() => ok());
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 3, perPlanConcurrency: 2 });
    await Promise.all(['p1', 'p2'].map((id) => s.addPlan(plan(id, Array.from({ length: 6 }, (_, i) => task(`T${i}`))))));
    await s.whenIdle();
    assert.equal(exec.started.length, 12);
    assert.equal(exec.maxInFlight, 3);
    const perPlan = new ManualExecutor();
    const s2 = new Scheduler({ executor: perPlan.run, store: new MemoryRunStore(), globalConcurrency: 10, perPlanConcurrency: 2 });
    await s2.addPlan(plan('p', Array.from({ length: 6 }, (_, i) => task(`T${i}`))));
    await tick();
    assert.equal(perPlan.inFlight, 2);
    s2.dispose();
  });

  it('gives 12 plans a fair share: every waiting plan gets a slot before a busy one gets more', async () => {
    const exec = new ManualExecutor();
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 4, perPlanConcurrency: 4 });
    // The first plan arrives alone and takes every slot; then eleven more arrive.
    await s.addPlan(plan('plan0', Array.from({ length: 5 }, (_, i) => task(`T${i}`))));
    for (let p = 1; p < 12; p++) await s.addPlan(plan(`plan${p}`, Array.from({ length: 5 }, (_, i) => task(`T${i}`))));
    assert.equal(exec.started.length, 4);
    // Finish the oldest running task, one at a time, and watch who gets each freed slot.
    for (let i = 0; i < 11; i++) {
      const oldest = exec.started.find((j) => !j.signal.aborted && s.runOf(j.plan.id)?.tasks[j.task.id]?.status === 'running')!;
      const before: number = exec.started.length;
      exec.finish(`${oldest.plan.id}/${oldest.task.id}`);
      for (let n = 0; n < 50 && exec.started.length === before; n++) await tick();
    }
    // plan0 is busy with its first burst; the freed slots go to plans with nothing in flight.
    const next = exec.started.slice(4, 15).map((j) => j.plan.id);
    assert.equal(next.length, 11);
    assert.deepEqual(next.slice(0, 3), ['plan1', 'plan2', 'plan3']);
    assert.equal(new Set(next).size, 11, `each freed slot went to a different plan: ${next.join(', ')}`);
    s.dispose();
  });

  it('pauses, resumes and cancels a plan; cancelling aborts calls in flight', async () => {
    const exec = new ManualExecutor();
    const store = new MemoryRunStore();
    const s = new Scheduler({ executor: exec.run, store, globalConcurrency: 2, perPlanConcurrency: 2 });
    await s.addPlan(plan('p', [task('A'), task('B'), task('C'), task('D')]));
    await tick();
    assert.equal(exec.started.length, 2);
    await s.pausePlan('p');
    exec.finish(`p/${exec.started[0]!.task.id}`);
    await tick();
    assert.equal(exec.started.length, 2, 'paused: nothing new starts');
    assert.equal(store.runs.get('p')?.state, 'paused');
    await s.resumePlan('p');
    await tick();
    assert.equal(exec.started.length, 3);
    await s.cancelPlan('p');
    await s.whenIdle();
    const run = s.runOf('p')!;
    assert.equal(run.state, 'cancelled');
    assert.equal(Object.values(run.tasks).filter((t) => t.status === 'done').length, 1);
    assert.equal(exec.inFlight, 0, 'in-flight calls were aborted');
  });

  it('fails only the dependants of a failed task, naming the cause; the rest continues', async () => {
    const exec = new ManualExecutor((job) => (job.task.id === 'B'
      ? { ok: false, retryable: false, error: { reason: 'model_output_invalid', message: 'bad edits twice' } }
      : ok()));
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 2, perPlanConcurrency: 2 });
    await s.addPlan(plan('p', [task('A'), task('B', ['A']), task('C', ['B']), task('D', ['C']), task('E', ['A'])]));
    await s.whenIdle();
    const t = s.runOf('p')!.tasks;
    assert.deepEqual([t.A!.status, t.B!.status, t.C!.status, t.D!.status, t.E!.status], ['done', 'failed', 'skipped', 'skipped', 'done']);
    assert.equal(t.B!.error?.reason, 'model_output_invalid');
    assert.equal(t.D!.blockedBy, 'B', 'skipped tasks name the failed task at the root');
    assert.equal(s.runOf('p')!.state, 'done');
  });

  it('rides out a 429 storm: the limiter halves concurrency, every task still completes once', async () => {
    let storm = 12;
    const completed: string[] = [];
    const exec = new ManualExecutor((job) => {
      if (storm-- > 0) return { ok: false, retryable: true, retryAfterMs: 5, error: { reason: 'provider_rate_limited', message: '429' } };
      completed.push(job.task.id);
      return ok();
    });
    const limiter = new AdaptiveRateLimiter(8);
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 8, perPlanConcurrency: 8, limiter, maxRetries: 20 });
    await s.addPlan(plan('p', Array.from({ length: 16 }, (_, i) => task(`T${i}`))));
    const limits: number[] = [];
    s.onEvent(() => limits.push(limiter.limit));
    await s.whenIdle();
    assert.equal(completed.length, 16);
    assert.equal(new Set(completed).size, 16);
    assert.ok(Math.min(...limits) < 8, 'the limiter backed off');
    assert.ok(Object.values(s.runOf('p')!.tasks).every((t) => t.status === 'done'));
  });

  it('resumes a stored run: finished tasks are never re-run, interrupted ones are', async () => {
    const store = new MemoryRunStore();
    const p = plan('p', [task('A'), task('B', ['A']), task('C', ['B'])]);
    store.runs.set('p', {
      planId: 'p', state: 'running', updatedAt: '',
      tasks: { A: { status: 'done', attempts: 1, model: 'm' }, B: { status: 'running', attempts: 1 }, C: { status: 'pending', attempts: 0 } },
    });
    const exec = new ManualExecutor(() => ok());
    const s = new Scheduler({ executor: exec.run, store, globalConcurrency: 2, perPlanConcurrency: 2 });
    await s.addPlan(p);
    await s.whenIdle();
    assert.deepEqual(exec.started.map((j) => j.task.id), ['B', 'C']);
    assert.equal(s.runOf('p')!.tasks.B!.attempts, 2);
    assert.equal(store.runs.get('p')!.state, 'done', 'the final state was saved');
  });

  it('re-runs stale tasks of a finished plan, after their stale dependencies, keeping what the first runs cost', async () => {
    const store = new MemoryRunStore();
    const p = plan('p', [task('A'), task('B', ['A']), task('C', ['B']), task('D')]);
    const done = (costUsd: number) => ({ status: 'done' as const, attempts: 1, model: 'm', costUsd, integration: { status: 'stale' as const } });
    store.runs.set('p', { planId: 'p', state: 'done', updatedAt: '', tasks: { A: { status: 'done', attempts: 1, costUsd: 1 }, B: done(0.5), C: done(0.25), D: { status: 'done', attempts: 1, costUsd: 2 } } });
    const exec = new ManualExecutor((job) => ({ ...ok(), costUsd: job.task.id === 'B' ? 0.125 : 0.0625 }));
    const s = new Scheduler({ executor: exec.run, store, globalConcurrency: 4, perPlanConcurrency: 4 });
    await s.markIntegration('p', ['B'], { status: 'stale' }); // a plan not loaded: its stored run is amended
    await s.rerunTasks(p, ['C', 'B']);
    await s.whenIdle();
    assert.deepEqual(exec.started.map((j) => j.task.id), ['B', 'C'], 'C waits for B; A and D are not run again');
    const run = s.runOf('p')!;
    assert.equal(run.state, 'done');
    assert.deepEqual([run.tasks.B!.costUsd, run.tasks.B!.earlierCostUsd, run.tasks.C!.costUsd, run.tasks.C!.earlierCostUsd], [0.625, 0.5, 0.3125, 0.25]);
    assert.equal(run.tasks.B!.integration, undefined, 'the stale mark went with the old run');
    assert.equal(store.runs.get('p')!.tasks.B!.attempts, 1);
  });
});

describe('AdaptiveRateLimiter', () => {
  it('halves on 429, grows back by one per window of successes, and stops until the headers\' reset', () => {
    let now = 1_000;
    const l = new AdaptiveRateLimiter(8, () => now);
    l.onRateLimited(2_000);
    assert.equal(l.limit, 4);
    assert.equal(l.blockedUntil, 3_000);
    now = 3_001;
    assert.equal(l.blockedUntil, 0);
    for (let i = 0; i < 4; i++) l.onSuccess();
    assert.equal(l.limit, 5);
    l.onSuccess({ requestsRemaining: 0, resetAt: 10_000 });
    assert.equal(l.blockedUntil, 10_000);
  });
});

describe('Scheduler, per task', () => {
  it('pauses a running task (aborting its call), lets the others go on, and runs it after resume', async () => {
    const exec = new ManualExecutor();
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 2, perPlanConcurrency: 2 });
    await s.addPlan(plan('p', [task('A'), task('B'), task('C')]));
    await tick();
    const [first] = exec.started;
    await s.pauseTask('p', first!.task.id);
    await tick();
    await tick();
    assert.ok(first!.signal.aborted, 'the paused task\'s call was aborted');
    assert.equal(s.runOf('p')!.tasks[first!.task.id]!.status, 'ready');
    assert.equal(exec.started.length, 3, 'another task took the freed slot');
    for (const j of exec.started.slice(1)) exec.finish(`p/${j.task.id}`);
    await tick();
    assert.equal(exec.started.filter((j) => j.task.id === first!.task.id).length, 1, 'held: not restarted');
    s.resumeTask('p', first!.task.id);
    await tick();
    exec.finish(`p/${first!.task.id}`);
    await s.whenIdle();
    assert.ok(Object.values(s.runOf('p')!.tasks).every((t) => t.status === 'done'));
    assert.equal(s.runOf('p')!.tasks[first!.task.id]!.attempts, 1, 'a paused attempt does not count');
  });

  it('cancels one task: it fails as cancelled, its dependants are skipped, the rest completes', async () => {
    const exec = new ManualExecutor();
    const s = new Scheduler({ executor: exec.run, store: new MemoryRunStore(), globalConcurrency: 2, perPlanConcurrency: 2 });
    await s.addPlan(plan('p', [task('A'), task('B', ['A']), task('C')]));
    await tick();
    await s.cancelTask('p', 'A');
    exec.finish('p/C');
    await s.whenIdle();
    const t = s.runOf('p')!.tasks;
    assert.deepEqual([t.A!.status, t.B!.status, t.C!.status], ['failed', 'skipped', 'done']);
    assert.equal(t.A!.error?.reason, 'cancelled');
  });
});

import type { Plan, Task, TaskStatus } from '../../shared/taskGraph';
import type { StoredTaskOutcome, TaskIntegration } from '../../shared/integration';
import { HeliosError, type HeliosErrorReason } from '../errors/heliosError';
import { criticalPathWeights, fanOut, priorityScore } from './priority';
import { AdaptiveRateLimiter, type RateLimitInfo } from './rateLimiter';
import { resumeRun, type PlanRun, type RunStore, type TaskRun } from './runState';

export interface TaskJob {
  readonly plan: Plan;
  readonly task: Task;
  /** 1 for the first run of the task; more after a retryable failure. */
  readonly attempt: number;
  /** Transitive dependants, for the router's complexity score. */
  readonly fanOut: number;
  readonly signal: AbortSignal;
}

export type TaskResult =
  | (StoredTaskOutcome & {
    readonly ok: true;
    readonly rateLimit?: RateLimitInfo;
    /** How the change reached the plan's tree (absent when the run keeps no tree). */
    readonly integration?: TaskIntegration;
  })
  | {
    readonly ok: false;
    /** `details` as the HeliosError had them (a storage fault's path). */
    readonly error: { readonly reason: string; readonly message: string; readonly details?: HeliosError['details'] };
    /** Rate limits, overload, unreachable provider: the task goes back to the queue. */
    readonly retryable: boolean;
    readonly retryAfterMs?: number;
    readonly model?: string;
  };

/** Runs one task (router → context → Coder); the scheduler only decides when. */
export type TaskExecutor = (job: TaskJob) => Promise<TaskResult>;

/** A plan's run after a saved transition. */
export interface SchedulerEvent {
  readonly planId: string;
  readonly run: PlanRun;
}

/**
 * Tasks of one plan that declare the same file: `merge` runs them side by side and lets
 * integration merge them (an overlap costs a rebase); `wait` starts a task only when no running
 * task of its plan declares one of its files.
 */
export type SharedFilesPolicy = 'merge' | 'wait';

export interface SchedulerOptions {
  readonly executor: TaskExecutor;
  readonly store: RunStore;
  readonly globalConcurrency: number;
  readonly perPlanConcurrency: number;
  readonly limiter?: AdaptiveRateLimiter;
  /** Retryable failures per task before it fails for good. */
  readonly maxRetries?: number;
  readonly now?: () => number;
  readonly sharedFiles?: SharedFilesPolicy;
}

interface PlanEntry {
  plan: Plan;
  run: PlanRun;
  readonly weights: Map<string, number>;
  readonly fanOut: Map<string, number>;
  readonly readySince: Map<string, number>;
  readonly inFlight: Map<string, AbortController>;
  /** Tasks started for this plan so far: the fair-share tie-breaker. */
  served: number;
  /** Tasks the user paused: they keep their place but do not start until resumed. */
  readonly held: Set<string>;
  saving: Promise<void>;
  /** The save waiting for the one before it, and the newest snapshot it will write. */
  queued?: Promise<void> | undefined;
  unsaved?: PlanRun | undefined;
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'skipped']);
/** Faults of the state folder itself: every later task would pay for its calls and then fail the same way. */
const STORAGE_FAULTS: ReadonlySet<string> = new Set<HeliosErrorReason>(['disk_full', 'state_unwritable']);
const isStorageFault = (reason: string): reason is HeliosErrorReason => STORAGE_FAULTS.has(reason);

/**
 * The Hybrid Scheduler: many plans at once, each a DAG. A ready task starts when the global and
 * per-plan limits and the rate limiter allow; plans get a fair share (the plan with the fewest
 * running tasks goes next), and within a plan the task on the longest remaining path goes first.
 * Nothing is dropped: what cannot start waits. Every transition is saved before it is announced;
 * a failed task fails only its dependants.
 */
export class Scheduler {
  private readonly plans = new Map<string, PlanEntry>();
  private readonly listeners = new Set<(e: SchedulerEvent) => void>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly limiter: AdaptiveRateLimiter;
  private readonly now: () => number;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private running = 0;
  /** `interrupt()` was called: nothing new starts. */
  private interrupted = false;
  /** The run state could not be saved (a full disk): nothing more starts, and `whenIdle` rejects with it. */
  private storageFault: Error | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.limiter = options.limiter ?? new AdaptiveRateLimiter(options.globalConcurrency, this.now);
  }

  onEvent(listener: (e: SchedulerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a plan, resuming its stored run if there is one (finished tasks stay finished). */
  async addPlan(plan: Plan): Promise<PlanRun> {
    const stored = await this.options.store.load(plan.id);
    const tasks: Record<string, TaskRun> = {};
    for (const t of plan.graph.tasks) tasks[t.id] = stored?.tasks[t.id] ?? { status: 'pending', attempts: 0 };
    const run = resumeRun({ planId: plan.id, state: stored?.state ?? 'running', tasks, updatedAt: new Date(this.now()).toISOString() });
    const entry: PlanEntry = {
      plan, run, weights: criticalPathWeights(plan.graph), fanOut: fanOut(plan.graph),
      readySince: new Map(), inFlight: new Map(), served: 0, held: new Set(), saving: Promise.resolve(),
    };
    this.plans.set(plan.id, entry);
    this.refreshReadiness(entry);
    await this.persist(entry);
    this.pump();
    return entry.run;
  }

  runOf(planId: string): PlanRun | undefined {
    return this.plans.get(planId)?.run;
  }

  pausePlan(planId: string): Promise<void> {
    return this.setPlanState(planId, 'paused');
  }

  resumePlan(planId: string): Promise<void> {
    return this.setPlanState(planId, 'running');
  }

  /** Stops a plan: calls in flight are aborted (their budget reservations are released). */
  async cancelPlan(planId: string): Promise<void> {
    const entry = this.plans.get(planId);
    if (!entry) return;
    for (const c of entry.inFlight.values()) c.abort();
    await this.setPlanState(planId, 'cancelled');
  }

  /**
   * Pauses one task: it does not start until resumed; if it is running, its call is aborted (the
   * budget reservation released) and it goes back to the queue. The rest of the plan goes on.
   */
  async pauseTask(planId: string, taskId: string): Promise<void> {
    const entry = this.plans.get(planId);
    const run = entry?.run.tasks[taskId];
    if (!entry || !run || TERMINAL.has(run.status)) return;
    entry.held.add(taskId);
    const controller = entry.inFlight.get(taskId);
    if (controller) {
      controller.abort();
      return; // finish() puts it back as ready, held
    }
    await this.persist(entry);
  }

  resumeTask(planId: string, taskId: string): void {
    if (this.plans.get(planId)?.held.delete(taskId)) this.pump();
  }

  /** Cancels one task; its dependants are skipped, the rest of the plan continues. */
  async cancelTask(planId: string, taskId: string): Promise<void> {
    const entry = this.plans.get(planId);
    if (!entry || TERMINAL.has(entry.run.tasks[taskId]?.status ?? 'done')) return;
    entry.inFlight.get(taskId)?.abort();
    this.fail(entry, taskId, { reason: 'cancelled', message: 'Cancelled by the user' });
    await this.persist(entry);
    this.pump();
  }

  /**
   * Marks finished tasks' integration (the user rejected a task they were built on: `stale`), in
   * the live run or, for a plan not running here, in its stored run.
   */
  async markIntegration(planId: string, taskIds: readonly string[], integration: TaskIntegration): Promise<void> {
    const entry = this.plans.get(planId);
    if (entry) {
      for (const id of taskIds) {
        const t = entry.run.tasks[id];
        if (t) this.setTask(entry, id, { ...t, integration });
      }
      return this.persist(entry);
    }
    const stored = await this.options.store.load(planId);
    if (!stored) return;
    const tasks = { ...stored.tasks };
    for (const id of taskIds) if (tasks[id]) tasks[id] = { ...tasks[id], integration };
    await this.options.store.save({ ...stored, tasks, updatedAt: new Date(this.now()).toISOString() });
  }

  /**
   * Runs finished tasks again, on the plan's tree as it is now (their change was built on one the
   * user rejected): each goes back to the queue, what its earlier runs cost kept in `earlierCostUsd`
   * (and still counted in `costUsd` when it finishes), and the plan runs again. A plan not loaded
   * here is loaded from its stored run first.
   */
  async rerunTasks(plan: Plan, taskIds: readonly string[]): Promise<void> {
    const entry = this.plans.get(plan.id) ?? (await this.addPlan(plan), this.plans.get(plan.id)!);
    for (const id of taskIds) {
      const t = entry.run.tasks[id];
      if (!t || entry.inFlight.has(id) || t.status === 'running') continue;
      const earlier = (t.costUsd ?? 0) + (t.status === 'done' ? 0 : (t.earlierCostUsd ?? 0));
      this.setTask(entry, id, { status: 'pending', attempts: 0, ...(earlier > 0 ? { earlierCostUsd: earlier } : {}) });
      entry.held.delete(id);
    }
    entry.run = { ...entry.run, state: 'running' };
    this.refreshReadiness(entry);
    await this.persist(entry);
    this.pump();
  }

  /**
   * Stops the whole run for now (a signal, the window closing): every call in flight is aborted
   * (its budget reservation released, its child process killed), its task goes back to the queue
   * and nothing new starts. Run states stay `running`, so the next run resumes them; resolves
   * when the aborted tasks are back and saved, with how many calls it aborted.
   */
  async interrupt(): Promise<number> {
    this.interrupted = true;
    let aborted = 0;
    for (const entry of this.plans.values()) {
      for (const [taskId, controller] of entry.inFlight) {
        entry.held.add(taskId);
        controller.abort();
        aborted++;
      }
    }
    this.pump();
    await this.whenIdle().catch(() => undefined);
    return aborted;
  }

  /**
   * Resolves when nothing runs and nothing can start (every plan finished, paused or cancelled);
   * rejects with the storage fault (`disk_full`, `state_unwritable`) that stopped the run.
   */
  async whenIdle(): Promise<void> {
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all([...this.plans.values()].map((e) => e.saving));
    if (this.storageFault !== undefined) throw this.storageFault;
  }

  dispose(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const entry of this.plans.values()) for (const c of entry.inFlight.values()) c.abort();
    this.listeners.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private async setPlanState(planId: string, state: PlanRun['state']): Promise<void> {
    const entry = this.plans.get(planId);
    if (!entry || entry.run.state === 'done') return;
    entry.run = { ...entry.run, state };
    await this.persist(entry);
    this.pump();
  }

  private pump(): void {
    for (;;) {
      if (this.running >= Math.min(this.options.globalConcurrency, this.limiter.limit)) break;
      const blocked = this.limiter.blockedUntil;
      if (blocked > 0) {
        this.wakeAt(blocked);
        break;
      }
      const next = this.storageFault === undefined && !this.interrupted ? this.pickNext() : undefined;
      if (!next) break;
      this.start(next.entry, next.task);
    }
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Fair share: the running plan with the fewest tasks in flight, then the one served least so
   * far; within it, the ready task on the heaviest remaining path, then the longest waiting.
   */
  private pickNext(): { entry: PlanEntry; task: Task } | undefined {
    let best: { entry: PlanEntry; task: Task; inFlight: number; served: number; score: number; since: number } | undefined;
    for (const entry of this.plans.values()) {
      if (entry.run.state !== 'running' || entry.inFlight.size >= this.options.perPlanConcurrency) continue;
      for (const task of entry.plan.graph.tasks) {
        if (entry.run.tasks[task.id]?.status !== 'ready' || entry.held.has(task.id)) continue;
        if (this.options.sharedFiles === 'wait' && sharesFileWithRunning(entry, task)) continue;
        const score = priorityScore(entry.weights.get(task.id) ?? 1, task.priority);
        const since = entry.readySince.get(task.id) ?? 0;
        const better = !best || compare(
          [entry.inFlight.size, entry.served, -score, since],
          [best.inFlight, best.served, -best.score, best.since],
        ) < 0;
        if (better) best = { entry, task, inFlight: entry.inFlight.size, served: entry.served, score, since };
      }
    }
    return best && { entry: best.entry, task: best.task };
  }

  private start(entry: PlanEntry, task: Task): void {
    const previous = entry.run.tasks[task.id]!;
    const controller = new AbortController();
    entry.inFlight.set(task.id, controller);
    entry.served++;
    this.running++;
    this.setTask(entry, task.id, { ...previous, status: 'running', attempts: previous.attempts + 1, startedAt: new Date(this.now()).toISOString(), error: undefined });
    const job: TaskJob = { plan: entry.plan, task, attempt: previous.attempts + 1, fanOut: entry.fanOut.get(task.id) ?? 0, signal: controller.signal };
    void this.persist(entry);
    void this.options.executor(job)
      .catch((error: unknown): TaskResult => ({
        ok: false,
        retryable: false,
        error: error instanceof HeliosError ? { reason: error.reason, message: error.message, details: error.details } : { reason: 'unexpected', message: String(error) },
      }))
      .then((result) => this.finish(entry, task, controller, result));
  }

  private async finish(entry: PlanEntry, task: Task, controller: AbortController, result: TaskResult): Promise<void> {
    entry.inFlight.delete(task.id);
    this.running--;
    const current = entry.run.tasks[task.id]!;
    const finishedAt = new Date(this.now()).toISOString();
    if (result.ok) {
      this.limiter.onSuccess(result.rateLimit);
      this.setTask(entry, task.id, {
        ...current, status: 'done', finishedAt, model: result.model, reasonCode: result.reasonCode, reason: result.reason,
        usage: result.usage, costUsd: result.costUsd + (current.earlierCostUsd ?? 0), ...(result.review ? { review: result.review } : {}), ...(result.verification ? { verification: result.verification } : {}),
        ...(result.integration ? { integration: result.integration } : {}),
      });
    } else if (controller.signal.aborted && entry.run.state === 'cancelled') {
      this.setTask(entry, task.id, { ...current, status: 'skipped', finishedAt, error: { reason: 'cancelled', message: 'The plan was cancelled' } });
    } else if (controller.signal.aborted && current.status !== 'running') {
      // cancelTask already failed it (and its dependants).
    } else if (controller.signal.aborted && entry.held.has(task.id)) {
      // Paused by the user mid-call: back to the queue, held until resumed.
      this.setTask(entry, task.id, { ...current, status: 'ready', attempts: current.attempts - 1 });
    } else if (result.retryable && current.attempts <= (this.options.maxRetries ?? 5)) {
      if (result.error.reason === 'provider_rate_limited') this.limiter.onRateLimited(result.retryAfterMs);
      this.setTask(entry, task.id, { ...current, status: 'ready', error: result.error });
      entry.readySince.set(task.id, this.now());
    } else {
      this.fail(entry, task.id, { reason: result.error.reason, message: result.error.message }, result.model);
      const { reason, message, details } = result.error;
      if (isStorageFault(reason)) this.stopOnStorageFault(new HeliosError(reason, message, details));
    }
    this.refreshReadiness(entry);
    if (Object.values(entry.run.tasks).every((t) => TERMINAL.has(t.status)) && entry.run.state !== 'cancelled') {
      entry.run = { ...entry.run, state: 'done' };
    }
    // The next task starts while this transition is written: a finished task's outcome is already
    // in the plan's tree, so a crash before this save loses nothing and re-runs nothing.
    const saved = this.persist(entry);
    this.pump();
    await saved;
  }

  /** Fails a task and skips everything that depends on it, naming the cause. */
  private fail(entry: PlanEntry, taskId: string, error: { reason: string; message: string }, model?: string): void {
    const finishedAt = new Date(this.now()).toISOString();
    const current = entry.run.tasks[taskId]!;
    this.setTask(entry, taskId, { ...current, status: 'failed', finishedAt, error, ...(model ? { model } : {}) });
    const stack = entry.plan.graph.tasks.filter((t) => t.dependsOn.includes(taskId)).map((t) => t.id);
    while (stack.length > 0) {
      const id = stack.pop()!;
      const t = entry.run.tasks[id];
      if (!t || TERMINAL.has(t.status)) continue;
      entry.inFlight.get(id)?.abort();
      this.setTask(entry, id, { ...t, status: 'skipped', finishedAt, blockedBy: taskId });
      stack.push(...entry.plan.graph.tasks.filter((x) => x.dependsOn.includes(id)).map((x) => x.id));
    }
  }

  private refreshReadiness(entry: PlanEntry): void {
    for (const task of entry.plan.graph.tasks) {
      const run = entry.run.tasks[task.id]!;
      if (run.status !== 'pending') continue;
      if (task.dependsOn.every((d) => entry.run.tasks[d]?.status === 'done')) {
        this.setTask(entry, task.id, { ...run, status: 'ready' });
        entry.readySince.set(task.id, this.now());
      }
    }
  }

  private setTask(entry: PlanEntry, taskId: string, run: TaskRun): void {
    entry.run = { ...entry.run, tasks: { ...entry.run.tasks, [taskId]: run }, updatedAt: new Date(this.now()).toISOString() };
  }

  /**
   * Saves the plan's run (serialised per plan), then announces it. A save that fails stops the run
   * (see `stopOnStorageFault`); the last state saved stays on disk, and nothing is saved after it.
   */
  private persist(entry: PlanEntry): Promise<void> {
    // Transitions that arrive while a save is waiting its turn ride along with it: only the newest
    // snapshot is written (a large plan would otherwise write its whole run once per transition).
    entry.unsaved = entry.run;
    if (entry.queued) return entry.queued;
    const queued = entry.saving.then(async () => {
      entry.queued = undefined;
      const snapshot = entry.unsaved ?? entry.run;
      if (this.storageFault !== undefined) return;
      try {
        await this.options.store.save(snapshot);
      } catch (error) {
        this.stopOnStorageFault(error);
        return;
      }
      for (const l of this.listeners) l({ planId: snapshot.planId, run: snapshot });
    });
    entry.queued = queued;
    entry.saving = queued;
    return queued;
  }

  /** Stops everything: calls in flight are aborted (their reservations released), nothing new starts. */
  private stopOnStorageFault(error: unknown): void {
    if (this.storageFault !== undefined) return;
    this.storageFault = error instanceof Error ? error : new Error(String(error));
    for (const entry of this.plans.values()) for (const c of entry.inFlight.values()) c.abort();
    this.pump();
  }

  private isIdle(): boolean {
    if (this.running > 0) return false;
    if (this.storageFault !== undefined || this.interrupted) return true;
    if (this.limiter.blockedUntil > 0) return false;
    for (const entry of this.plans.values()) {
      if (entry.run.state !== 'running') continue;
      if (Object.entries(entry.run.tasks).some(([id, t]) => t.status === 'ready' && !entry.held.has(id))) return false;
    }
    return true;
  }

  private wakeAt(at: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.max(1, at - this.now()));
  }
}

function sharesFileWithRunning(entry: PlanEntry, task: Task): boolean {
  if (entry.inFlight.size === 0) return false;
  const mine = new Set(task.files);
  for (const other of entry.plan.graph.tasks) {
    if (!entry.inFlight.has(other.id)) continue;
    if (other.files.some((f) => mine.has(f))) return true;
  }
  return false;
}

/** Lexicographic comparison of equal-length number tuples. */
function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

import * as vscode from 'vscode';
import { pathProblem, normalizeWorkspacePath } from '../core/changes/paths';
import { createContextHook } from '../core/context/contextHook';
import { createReviewContextHook, once } from '../core/context/reviewContext';
import { routerSettingsFrom } from '../core/router/routerSettings';
import type { IntegrationEvent, ReviewEvent } from '../core/pipeline/taskPipeline';
import { buildCallChain, createRunPipeline, type PipelineEvent, type RunPipeline } from '../core/pipeline/runPipeline';
import type { PlanBranchInfo } from '../core/integration/planBranch';
import type { PlanTree, WithdrawResult } from '../core/integration/planTree';
import { HeliosError } from '../core/errors/heliosError';
import { FileTreeStore } from '../infra/storage/fileTreeStore';
import { resolveInside } from '../infra/changes/safeWorkspace';
import { vscodeGitPath } from './agentDiffs/planBranches';
import { loadAnalysis } from './analysis/loadAnalysis';
import type { PlanRun } from '../core/scheduler/runState';
import type { FileChangeStore } from '../infra/storage/fileChangeStore';
import { FileRunStore } from '../infra/storage/fileRunStore';
import { acquirePlanRunLocks, type PlanRunLock } from '../infra/storage/planRunLock';
import { sweepStaleTemp } from '../infra/storage/tempSweep';
import { corruptStateWarning } from './stateWarnings';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan } from '../shared/taskGraph';
import { coderScopeResolver, type ScopedCacheClient } from '../core/cache/scopedCacheClient';
import type { HeliosContext } from './heliosContext';
import { VerifyNotice } from './verifyNotice';
import type { HeliosSettings } from '../core/config/settings';
import { createWorkspaceVerifier } from '../infra/sandbox/workspaceVerifier';

/**
 * Runs plans in this window: one scheduler for all of them, created on the first Run Plan. Runs
 * and proposed changes live in workspace storage; nothing is applied to the workspace.
 */
export class PlanRunner implements vscode.Disposable {
  private pipeline: RunPipeline | undefined;
  private readonly store: FileRunStore;
  private readonly trees: FileTreeStore;
  private readonly verifyNotice: VerifyNotice;
  private cached: ScopedCacheClient | undefined;
  /** Plans this window ran, by id: a Coder call's tags name its task. */
  private readonly plans = new Map<string, Plan>();
  /**
   * The run lock of each plan this window runs (`runs/<plan>.lock`, shared with `helios run` and
   * the other windows of this workspace): held from Run Plan until the plan is done or cancelled,
   * the pipeline is rebuilt, or the window closes — paused plans stay this window's.
   */
  private readonly locks = new Map<string, PlanRunLock>();
  private swept: Promise<unknown> | undefined;
  private readonly changed = new vscode.EventEmitter<{ planId: string; run: PlanRun }>();
  readonly onDidChange = this.changed.event;
  private readonly saved = new vscode.EventEmitter<ProposedChange>();
  /** A task's proposed change was stored (reviewed and verified when those are on). */
  readonly onDidSaveChange = this.saved.event;

  constructor(
    private readonly ctx: HeliosContext,
    private readonly storage: vscode.Uri,
    private readonly changes: FileChangeStore,
  ) {
    this.verifyNotice = new VerifyNotice(ctx.log);
    this.store = new FileRunStore(vscode.Uri.joinPath(storage, 'runs').fsPath, corruptStateWarning(ctx.log, 'run'));
    this.trees = new FileTreeStore(vscode.Uri.joinPath(storage, 'integration').fsPath);
  }

  /** The stored or live run of a plan, for the DAG panel. */
  async runOf(planId: string): Promise<PlanRun | undefined> {
    return this.pipeline?.scheduler.runOf(planId) ?? (await this.store.load(planId));
  }

  isRunning(planId: string): boolean {
    const run = this.pipeline?.scheduler.runOf(planId);
    return run !== undefined && run.state === 'running' && Object.values(run.tasks).some((t) => t.status !== 'done' && t.status !== 'failed' && t.status !== 'skipped');
  }

  /** Where a plan's result lives (its branch), once it ran in this window. */
  branchOf(planId: string): PlanBranchInfo | undefined {
    return this.pipeline?.branchInfo(planId);
  }

  /** The plan's integrated tree (for the plan diff and Accept Plan). */
  async treeOf(plan: Plan): Promise<PlanTree> {
    return (await this.ensurePipeline()).tree(plan);
  }

  /**
   * Starts (or resumes) plans together; resolves when they finished, were cancelled or paused.
   * When nothing runs, the pipeline is built anew from the current settings, so a changed provider,
   * key, review, verify or cache setting takes effect on this run without a reload.
   */
  async run(plans: readonly Plan[]): Promise<PlanRun[]> {
    if (!this.anyRunning()) this.release();
    // `plan_running` when another window or `helios run` runs one of them: nothing starts then.
    await this.lock(plans.map((p) => p.id));
    try {
      const { scheduler } = await this.ensurePipeline();
      for (const plan of plans) {
        this.plans.set(plan.id, plan);
        // A cancelled run continues too ("Run Plan again to continue"); finished tasks stay finished.
        if (scheduler.runOf(plan.id) || (await scheduler.addPlan(plan)).state === 'cancelled') await scheduler.resumePlan(plan.id);
      }
      await scheduler.whenIdle();
      return plans.map((p) => scheduler.runOf(p.id)!);
    } catch (error) {
      this.unlock(plans.map((p) => p.id));
      throw error;
    }
  }

  /**
   * The user rejected an integrated task: it and the given dependants (built on it) are taken off
   * the plan's tree and branch; the dependants' run entries are marked `stale`. Refused while the
   * plan runs here, since tasks in flight read the tree.
   */
  async withdraw(plan: Plan, rejected: string, dependants: readonly string[]): Promise<WithdrawResult> {
    if (this.isRunning(plan.id)) {
      throw new HeliosError('plan_running', `Plan ${plan.id} is running: pause or cancel it, then reject ${rejected}`, { planId: plan.id, taskId: rejected, where: 'here' });
    }
    // Another window or `helios run` may hold the plan: its tree is theirs until they finish.
    const held = this.locks.has(plan.id);
    await this.lock([plan.id]);
    try {
      const pipeline = await this.ensurePipeline();
      this.plans.set(plan.id, plan);
      const result = await pipeline.withdraw(plan, [rejected, ...dependants]);
      const stale = result.withdrawn.filter((id) => id !== rejected);
      if (stale.length > 0) await pipeline.scheduler.markIntegration(plan.id, stale, { status: 'stale' });
      this.ctx.log.info(`${plan.id}: ${rejected} rejected and taken off the plan${stale.length > 0 ? `; stale: ${stale.join(', ')}` : ''}`);
      return result;
    } finally {
      if (!held) this.unlock([plan.id]);
    }
  }

  /**
   * Re-runs stale tasks (built on a change the user rejected) on the plan's tree as it is now;
   * resolves when the plan is idle again, like `run`.
   */
  async rerun(plan: Plan, taskIds: readonly string[]): Promise<PlanRun> {
    if (!this.anyRunning()) this.release();
    await this.lock([plan.id]);
    try {
      const pipeline = await this.ensurePipeline();
      this.plans.set(plan.id, plan);
      // Idempotent: a crash after the stale marks but before the tree was rebuilt is repaired here.
      await pipeline.withdraw(plan, taskIds);
      await pipeline.scheduler.rerunTasks(plan, taskIds);
      await pipeline.scheduler.whenIdle();
      return pipeline.scheduler.runOf(plan.id)!;
    } catch (error) {
      this.unlock([plan.id]);
      throw error;
    }
  }

  /**
   * The Reviewer approved, or the user accepted, the task's change: its answer may serve similar
   * tasks (L3). A change stored with its answer's key is trusted by that key, in any window.
   */
  async trust(planId: string, taskId: string, cacheKey?: string): Promise<void> {
    const trusted = cacheKey ? await this.ctx.cache?.trust(cacheKey) : await this.cached?.trust(planId, taskId);
    if (trusted) this.ctx.log.info(`${planId}/${taskId}: answer trusted for the semantic cache`);
  }

  pause(planId: string): Promise<void> {
    return this.pipeline?.scheduler.pausePlan(planId) ?? Promise.resolve();
  }

  /** Per task: pause (abort its call, keep its place), resume, or cancel (its dependants are skipped). */
  async task(action: 'pause' | 'resume' | 'cancel', planId: string, taskId: string): Promise<void> {
    const s = this.pipeline?.scheduler;
    if (!s) return;
    if (action === 'pause') await s.pauseTask(planId, taskId);
    else if (action === 'resume') s.resumeTask(planId, taskId);
    else await s.cancelTask(planId, taskId);
  }

  async cancel(planId: string): Promise<void> {
    const scheduler = this.pipeline?.scheduler;
    if (scheduler?.runOf(planId)) return scheduler.cancelPlan(planId);
    // A run a closed window left unfinished: marked cancelled in its store, under the plan's run
    // lock (another window may have resumed it), so nothing offers to resume it any more.
    const stored = await this.store.load(planId);
    if (!stored || stored.state === 'done' || stored.state === 'cancelled') return;
    await this.lock([planId]);
    try {
      await this.store.save({ ...stored, state: 'cancelled', updatedAt: new Date().toISOString() });
    } finally {
      this.unlock([planId]);
    }
  }

  /**
   * The window is closing: abort the calls in flight (reservations released, `claude` and verify
   * process groups killed) and wait for them, so nothing keeps spending the window unrecorded. The
   * run states stay resumable.
   */
  async stop(): Promise<void> {
    await this.pipeline?.scheduler.interrupt();
  }

  dispose(): void {
    this.release();
    this.changed.dispose();
    this.saved.dispose();
  }

  /** Whether any plan runs in this window (paused and finished plans do not). */
  anyRunning(): boolean {
    return [...this.plans.keys()].some((id) => this.isRunning(id));
  }

  private release(): void {
    this.pipeline?.dispose();
    this.pipeline = undefined;
    this.unlock([...this.locks.keys()]);
  }

  private async lock(planIds: readonly string[]): Promise<void> {
    const taken = await acquirePlanRunLocks(vscode.Uri.joinPath(this.storage, 'runs').fsPath, planIds.filter((id) => !this.locks.has(id)));
    for (const l of taken) this.locks.set(l.planId, l);
  }

  private unlock(planIds: readonly string[]): void {
    for (const id of planIds) {
      const held = this.locks.get(id);
      this.locks.delete(id);
      void held?.release();
    }
  }

  private async ensurePipeline(): Promise<RunPipeline> {
    if (this.pipeline) return this.pipeline;
    const { ctx } = this;
    // Temp files a crashed (or disk-full) window left in storage, once per window.
    this.swept ??= sweepStaleTemp(this.storage.fsPath).then((removed) => {
      if (removed.length > 0) ctx.log.info(`Removed ${removed.length} stale temp file(s) from Helios's storage`);
    });
    const folder = vscode.workspace.workspaceFolders?.[0];
    const settings = ctx.settings();
    // router → cache → governor → provider; a Coder call's L3 scope is its task's files as they are now.
    const { governed, client: cached } = await buildCallChain({
      provider: await ctx.providers.client(), governor: ctx.governor,
      governed: { workspace: folder?.uri.toString() ?? 'unknown', now: () => new Date(), onRecorded: (r) => ctx.onRecorded(r) },
      cache: async (g) => ctx.cache?.wrap(g, coderScopeResolver(
        (planId, taskId) => this.plans.get(planId)?.graph.tasks.find((t) => t.id === taskId),
        // What the Coder is shown: the plan's tree (the pipeline is assigned below, before any call).
        (p, planId) => {
          const plan = this.plans.get(planId);
          return plan && this.pipeline ? this.pipeline.tree(plan).then((tree) => tree.read(p)) : readWorkspaceFile(folder?.uri, p);
        },
      )),
    });
    this.cached = cached;
    const graph = folder ? once(async () => {
      const { openWorkspaceGraph } = await loadAnalysis();
      const { workspace, stats } = await openWorkspaceGraph({ root: folder.uri.fsPath, cacheDir: vscode.Uri.joinPath(this.storage, 'analysis').fsPath });
      // Kept for the next session (content hashes): a reopened workspace rescans nothing.
      void workspace.save().catch((error: unknown) => ctx.log.warn(`Dependency graph: could not save the cache: ${String(error)}`));
      return { workspace, files: stats.files, ms: stats.totalMs };
    }) : undefined;
    const verify = folder ? workspaceVerifier(folder.uri.fsPath, settings) : undefined;
    const taskContext = graph ? createContextHook(graph, {
      onEvent: (e) => ctx.log.info(`Context: ${e.kind === 'opened' ? `${e.files} files analysed in ${Math.round(e.ms)} ms` : `${e.kind} (${'error' in e ? e.error : ''})`}`),
    }) : undefined;
    const gitPath = vscodeGitPath();
    const pipeline = createRunPipeline({
      client: cached ?? governed,
      routerSettings: routerSettingsFrom(settings),
      budget: () => {
        const s = ctx.budgetSnapshot();
        return { state: s.state, byFamily: s.byFamily };
      },
      // The user's files as saved on disk (unsaved editor changes are not part of a plan's base).
      workspace: { read: (p) => readWorkspaceFile(folder?.uri, p) },
      trees: this.trees,
      ...(folder && settings.plansGitBranch ? {
        openBranch: async (plan: Plan) => {
          const { openGitPlanBranch } = await import('../infra/git/gitPlanBranch');
          return openGitPlanBranch({
            workspaceRoot: folder.uri.fsPath, storageDir: this.storage.fsPath, planId: plan.id,
            ...(gitPath ? { gitPath } : {}),
          });
        },
      } : {}),
      runs: this.store,
      changes: {
        save: async (change) => {
          // The answer's key goes with the change, so accepting it after a reload still trusts it (L3).
          const cacheKey = this.cached?.coderKeyOf(change.planId, change.taskId);
          const stored = cacheKey ? { ...change, cacheKey } : change;
          await this.changes.save(stored);
          this.saved.fire(stored);
        },
        load: (planId, taskId) => this.changes.load(planId, taskId),
      },
      globalConcurrency: settings.runConcurrency,
      perPlanConcurrency: settings.runPerPlanConcurrency,
      // Minimal context from the dependency graph over the plan's tree (loaded on first use, shared by
      // the Coder and the Reviewer); without it the Coder picks files itself.
      ...(taskContext ? { taskContext } : {}),
      ...(graph ? { reviewContext: createReviewContextHook(graph) } : {}),
      ...(settings.reviewEnabled ? { review: { enabled: true, maxRounds: settings.reviewMaxRounds } } : {}),
      ...(verify ? { verify } : {}),
      onEvent: (e) => this.onPipelineEvent(e),
    });
    pipeline.scheduler.onEvent((e) => {
      if (e.run.state === 'done' || e.run.state === 'cancelled') this.unlock([e.planId]);
      this.changed.fire(e);
    });
    this.pipeline = pipeline;
    return pipeline;
  }

  private onPipelineEvent(e: PipelineEvent): void {
    const { log } = this.ctx;
    switch (e.kind) {
      case 'routed':
        return log.info(`${e.plan.id}/${e.task.id}: ${e.decision.model} (${e.decision.reason.code})`);
      case 'review':
        log.info(`${e.plan.id}/${e.task.id}: ${describeReviewEvent(e.event)}`);
        if (e.event.kind === 'verified') this.verifyNotice.report(e.event.verification);
        if (e.event.kind === 'reviewed' && e.event.review.verdict === 'approve') void this.trust(e.plan.id, e.task.id);
        return;
      case 'integration':
        return log.info(`${e.plan.id}/${e.task.id}: ${describeIntegrationEvent(e.event)}`);
      case 'branch_failed':
        return log.warn(`${e.plan.id}: the plan branch could not be kept (${e.error}); the plan's result stays in Helios's storage`);
      case 'change_saved':
        return;
      case 'run_restored':
        return log.info(`${e.planId}: run state missing; ${e.taskIds.length} finished task(s) restored from the plan's tree, not run again (${e.taskIds.join(', ')})`);
      case 'restore_failed':
        return log.warn(`${e.planId}: run state missing and the plan's tree unreadable (${e.error}); its tasks run again`);
    }
  }
}

function describeIntegrationEvent(e: IntegrationEvent): string {
  switch (e.kind) {
    case 'integrated': return `integrated (${e.record.status}${e.merged.length > 0 ? `: ${e.merged.join(', ')} merged line by line` : ''})`;
    case 'rebasing': return `edits overlap the plan's tree in ${e.overlaps.map((o) => o.path).join(', ')}; re-running once on the merged tree`;
    case 'conflicted': return `still overlaps after the rebase in ${e.overlaps.map((o) => o.path).join(', ')}; both versions kept, nothing merged`;
    case 'resumed': return `already integrated (${e.record.status}); not run again`;
  }
}

/**
 * The agents read workspace files through VS Code (unsaved edits are not included). A path that
 * leaves the workspace — by `..` or through a symlink — throws `path_outside_workspace`: it is never
 * read, so nothing outside the folder reaches a prompt, a cache or a store.
 */
async function readWorkspaceFile(root: vscode.Uri | undefined, relative: string): Promise<string | undefined> {
  if (!root || pathProblem(relative)) return undefined;
  const file = await resolveInside(root.fsPath, normalizeWorkspacePath(relative));
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  } catch {
    return undefined;
  }
}

/** One log line per review step: what the user sees in the Helios output channel. */
function describeReviewEvent(e: ReviewEvent): string {
  switch (e.kind) {
    case 'verified': return `verify ${e.verification.status}${e.verification.failedTests ? ` (${e.verification.failedTests} failing tests)` : ''}${e.verification.reason ? ` (${e.verification.reason})` : ''}`;
    case 'review_routed': return `review on ${e.decision.model} (${e.decision.reason.code})`;
    case 'reviewed': return `review round ${e.round}: ${e.review.verdict}, ${e.review.findings.length} findings`;
    case 'rework_failed': return `rework failed (${e.reason}): ${e.message}`;
    case 'review_failed': return `review failed, change kept unreviewed (${e.reason}): ${e.message}`;
  }
}

/** `helios.verify.command`: empty = detect from the project, `none` = off; sandboxed unless the workspace opted out. */
function workspaceVerifier(root: string, settings: HeliosSettings): ReturnType<typeof createWorkspaceVerifier> {
  const command = settings.verifyCommand === '' ? 'auto' : settings.verifyCommand.toLowerCase() === 'none' ? undefined : settings.verifyCommand;
  return createWorkspaceVerifier(command, root, {
    allowedHosts: settings.verifyAllowedHosts,
    timeoutMs: settings.verifyTimeoutSeconds * 1_000,
    allowUnsandboxed: settings.verifyAllowUnsandboxed,
  });
}

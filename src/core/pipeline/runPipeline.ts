import type { ProposedChange } from '../../shared/proposedChange';
import type { Plan, Task } from '../../shared/taskGraph';
import { planOverview, taskNeighbourhood, withSharedContext } from '../agents/coderPrompt';
import type { TreeView } from '../context/contextHook';
import { GovernedLlmClient, type GovernedClientOptions } from '../governor/governedLlmClient';
import type { Governor } from '../governor/governor';
import type { PlanBranch, PlanBranchInfo } from '../integration/planBranch';
import { PlanTree, type BaseReader, type IntegratedTask, type TreeStore, type WithdrawResult } from '../integration/planTree';
import type { LlmClient } from '../llm/llmClient';
import type { RouteDecision } from '../router/router';
import type { RouterSettings } from '../router/routerSettings';
import type { RunStore } from '../scheduler/runState';
import { Scheduler, type SharedFilesPolicy, type TaskExecutor } from '../scheduler/scheduler';
import { restoringRunStore, type RestoreEvent } from './restoreRun';
import { createCoderExecutor, type CoderExecutorDeps, type IntegrationEvent, type ReviewEvent, type ReviewLoopOptions, type VerifyHook } from './taskPipeline';

/**
 * The one assembly of Helios's run (STYLE.md habit 13): the model-call chain and the task pipeline
 * that the extension, `helios run` and `bench workflow` all use. Nothing else builds either.
 */

/** router → cache → governor → provider: the governed client, then the caches the caller keeps around it. */
export async function buildCallChain<C>(options: {
  readonly provider: LlmClient;
  readonly governor: Governor;
  readonly governed: GovernedClientOptions;
  /** L2/L3 (and L1 planning) around the governed client; undefined when the caller keeps none. */
  readonly cache: (governed: LlmClient) => Promise<C> | C;
}): Promise<{ readonly governed: GovernedLlmClient; readonly client: C }> {
  const governed = new GovernedLlmClient(options.provider, options.governor, options.governed);
  return { governed, client: await options.cache(governed) };
}

/** Everything a run reports, for the output channel, the CLI's stderr and the benchmark. */
export type PipelineEvent =
  | { readonly kind: 'routed'; readonly plan: Plan; readonly task: Task; readonly decision: RouteDecision }
  | { readonly kind: 'review'; readonly plan: Plan; readonly task: Task; readonly event: ReviewEvent }
  | { readonly kind: 'integration'; readonly plan: Plan; readonly task: Task; readonly event: IntegrationEvent }
  | { readonly kind: 'branch_failed'; readonly plan: Plan; readonly error: string }
  | { readonly kind: 'change_saved'; readonly change: ProposedChange }
  /** A plan's run state was missing (or unreadable): its finished tasks were restored from its tree, or that failed. */
  | RestoreEvent;

export interface RunPipelineOptions {
  /** The model-call chain from `buildCallChain`. */
  readonly client: LlmClient;
  readonly budget: CoderExecutorDeps['budget'];
  /** The user's files, read-only and confined to the workspace: every plan's base. */
  readonly workspace: BaseReader;
  readonly trees: TreeStore;
  /** The plan branch (git) for a plan, or undefined to keep the tree in storage only. */
  readonly openBranch?: (plan: Plan) => Promise<PlanBranch | undefined>;
  readonly runs: RunStore;
  readonly changes: {
    save(change: ProposedChange): Promise<void>;
    load(planId: string, taskId: string): Promise<ProposedChange | undefined>;
  };
  readonly globalConcurrency: number;
  readonly perPlanConcurrency: number;
  /** Tasks of one plan that declare the same file: run side by side and merge (default), or wait. */
  readonly sharedFiles?: SharedFilesPolicy;
  readonly routerSettings?: RouterSettings;
  readonly review?: ReviewLoopOptions;
  readonly verify?: VerifyHook;
  /** The task's own context (code analysis over the plan's tree); the plan overview is added here. */
  readonly taskContext?: (plan: Plan, task: Task, tree?: TreeView) => Promise<string | undefined>;
  readonly reviewContext?: CoderExecutorDeps['reviewContext'];
  readonly onEvent?: (event: PipelineEvent) => void;
  /** Keep each integrated task's files in the tree even without a branch (the benchmark's checks replay them). */
  readonly keepTaskFiles?: boolean;
  /** Wraps the task executor (the benchmark times each task). */
  readonly wrapExecutor?: (executor: TaskExecutor) => TaskExecutor;
  readonly now?: () => Date;
}

export interface RunPipeline {
  readonly scheduler: Scheduler;
  /** The plan's integrated tree (opened once; its branch is brought up to date on open). */
  tree(plan: Plan): Promise<PlanTree>;
  /** Where the plan's result lives: its git branch, or storage. */
  branchInfo(planId: string): PlanBranchInfo | undefined;
  /**
   * Takes tasks off the plan's tree and its branch (see `PlanTree.withdraw`): the tree is rebuilt
   * without them, the branch gets one commit that brings it to the same content.
   */
  withdraw(plan: Plan, taskIds: readonly string[]): Promise<WithdrawResult>;
  dispose(): void;
}

export function createRunPipeline(options: RunPipelineOptions): RunPipeline {
  const trees = new Map<string, Promise<{ tree: PlanTree; branch: PlanBranch | undefined }>>();
  const infos = new Map<string, PlanBranchInfo>();
  const emit = (e: PipelineEvent) => options.onEvent?.(e);
  const open = (plan: Plan) => {
    let entry = trees.get(plan.id);
    if (!entry) {
      entry = openTree(plan);
      trees.set(plan.id, entry);
      // A failed open is retried by the next task rather than kept.
      entry.catch(() => trees.delete(plan.id));
    }
    return entry;
  };
  const openTree = async (plan: Plan) => {
    const tree = await PlanTree.open({ planId: plan.id, store: options.trees, workspace: options.workspace, ...(options.now ? { now: options.now } : {}) });
    let branch: PlanBranch | undefined;
    try {
      branch = await options.openBranch?.(plan);
      if (branch) await repairBranch(plan, tree, branch);
    } catch (error) {
      // The tree is the truth; a branch that cannot be kept is reported, the run goes on.
      emit({ kind: 'branch_failed', plan, error: error instanceof Error ? error.message : String(error) });
      branch = undefined;
    }
    if (branch) infos.set(plan.id, branch.info);
    return { tree, branch };
  };

  const executor = createCoderExecutor({
    client: options.client,
    budget: options.budget,
    workspace: () => options.workspace,
    tree: async (plan) => (await open(plan)).tree,
    ...(options.routerSettings ? { routerSettings: options.routerSettings } : {}),
    // Every task's prompt starts with the plan overview: a bounded prefix all tasks of the plan share (L1).
    context: async (plan, task, tree) => {
      const own = await options.taskContext?.(plan, task, tree);
      const around = taskNeighbourhood(plan, task);
      return withSharedContext(planOverview(plan), around && own ? `${around}\n\n${own}` : (around ?? own));
    },
    ...(options.reviewContext ? { reviewContext: options.reviewContext } : {}),
    saveChange: async (change) => {
      await options.changes.save(change);
      emit({ kind: 'change_saved', change });
    },
    loadChange: (planId, taskId) => options.changes.load(planId, taskId),
    ...(options.review ? { review: options.review } : {}),
    ...(options.verify ? { verify: options.verify } : {}),
    onRouted: (plan, task, decision) => emit({ kind: 'routed', plan, task, decision }),
    onReview: (plan, task, event) => emit({ kind: 'review', plan, task, event }),
    onIntegration: (plan, task, event) => emit({ kind: 'integration', plan, task, event }),
    onIntegrated: async (plan, task, record) => {
      const { branch } = await open(plan);
      // Without a branch there is nothing to repair later: the copies would only grow the tree file.
      if (!branch) return options.keepTaskFiles !== true;
      try {
        await branch.recordTask({ taskId: task.id, title: task.title, message: commitMessage(task, record), files: new Map(Object.entries(record.files ?? {})) });
        return true;
      } catch (error) {
        emit({ kind: 'branch_failed', plan, error: error instanceof Error ? error.message : String(error) });
        return false;
      }
    },
  });

  const scheduler = new Scheduler({
    // A lost run state never re-runs what the plan's tree already holds.
    store: restoringRunStore(options.runs, options.trees, emit),
    globalConcurrency: options.globalConcurrency,
    perPlanConcurrency: options.perPlanConcurrency,
    ...(options.sharedFiles ? { sharedFiles: options.sharedFiles } : {}),
    executor: options.wrapExecutor ? options.wrapExecutor(executor) : executor,
  });

  return {
    scheduler,
    tree: async (plan) => (await open(plan)).tree,
    branchInfo: (planId) => infos.get(planId),
    withdraw: async (plan, taskIds) => {
      const { tree, branch } = await open(plan);
      const result = await tree.withdraw(taskIds, (id) => options.changes.load(plan.id, id));
      if (branch?.withdrawTasks && result.withdrawn.length > 0) {
        try {
          await branch.withdrawTasks(result.withdrawn, result.files);
        } catch (error) {
          // The tree is the truth: the next open brings the branch in step (see repairBranch).
          emit({ kind: 'branch_failed', plan, error: error instanceof Error ? error.message : String(error) });
        }
      }
      return result;
    },
    dispose: () => scheduler.dispose(),
  };
}

/**
 * After a crash between the tree's write and the branch's commit: withdraw what the tree no longer
 * holds, then record what the branch lacks, in order.
 */
async function repairBranch(plan: Plan, tree: PlanTree, branch: PlanBranch): Promise<void> {
  const recorded = new Set(await branch.recordedTasks());
  const stray = [...recorded].filter((id) => !tree.record(id));
  if (stray.length > 0 && branch.withdrawTasks && branch.changedPaths) {
    const files = new Map<string, string | null>();
    for (const path of await branch.changedPaths()) files.set(path, null);
    for (const [path, text] of tree.changedFiles()) files.set(path, text);
    await branch.withdrawTasks(stray, files);
    for (const id of stray) recorded.delete(id);
  }
  const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
  const done: string[] = [];
  for (const record of tree.records()) {
    if (recorded.has(record.taskId)) {
      if (record.files) done.push(record.taskId);
      continue;
    }
    const task = byId.get(record.taskId);
    if (!task || !record.files) continue;
    await branch.recordTask({ taskId: task.id, title: task.title, message: commitMessage(task, record), files: new Map(Object.entries(record.files)) });
    done.push(record.taskId);
  }
  if (done.length > 0) await tree.markRecorded(done);
}

/** The commit body: what a reviewer of the branch wants to know about the task. */
export function commitMessage(task: Task, record: IntegratedTask): string {
  const o = record.outcome;
  const review = o.review ? `${o.review.verdict === 'approve' ? 'approved' : 'changes requested'} (${o.review.findings} finding(s), ${o.review.rounds} round(s))` : 'not reviewed';
  return [
    `Task: ${task.id} — ${task.title}`,
    `Model: ${o.model} (${o.reason})`,
    `Cost: $${o.costUsd.toFixed(4)}${o.rebaseCostUsd !== undefined ? ` (rebase $${o.rebaseCostUsd.toFixed(4)})` : ''}`,
    `Review: ${review}`,
    ...(o.verification ? [`Verify: ${o.verification.status}`] : []),
    `Integration: ${record.status}`,
  ].join('\n');
}

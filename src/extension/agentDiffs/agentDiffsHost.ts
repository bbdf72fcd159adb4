import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import { type FileChangeStore } from '../../infra/storage/fileChangeStore';
import type { ProposedChange } from '../../shared/proposedChange';
import type { Plan } from '../../shared/taskGraph';
import type { HeliosContext } from '../heliosContext';
import { ChangeService, type ChangeRepository } from './changeService';
import { autoAcceptBlocker } from './agentDiffsModel';
import { codeRunningFiles } from '../../core/security/codeRunningFiles';
import { requireTrust } from '../security/workspaceTrust';
import { registerAgentDiffs } from './registerAgentDiffs';
import { PlanResults } from './planResults';
import { cleanUpPlanBranches, vscodeGitPath, type PlanBranchPlace } from './planBranches';
import { runRerunStale } from '../commands/runPlan';
import { FileTreeStore } from '../../infra/storage/fileTreeStore';

const REFRESH_DELAY_MS = 250;

/** The store as the service needs it: a change that vanished while being updated is an error. */
function repositoryOf(store: FileChangeStore): ChangeRepository {
  return {
    list: () => store.list(),
    load: (planId, taskId) => store.load(planId, taskId),
    async update(planId, taskId, fn) {
      const updated = await store.update(planId, taskId, fn);
      if (!updated) throw new HeliosError('change_target_invalid', `No stored change for ${planId}/${taskId}`, { planId, taskId });
      return updated;
    },
  };
}

/**
 * Composes Agent Diffs for a window with a folder: the change store in workspace storage, the
 * service, the view and its commands. Refreshes (debounced) when a run saves a change or another
 * window writes one.
 */
export function createAgentDiffs(ctx: HeliosContext, storage: vscode.Uri, store: FileChangeStore): { service: ChangeService; disposable: vscode.Disposable } {
  const root = () => vscode.workspace.workspaceFolders?.[0]?.uri;
  const place = (): PlanBranchPlace | undefined => {
    const folder = root();
    if (!folder || !ctx.settings().plansGitBranch) return undefined;
    const gitPath = vscodeGitPath();
    return { workspaceRoot: folder.fsPath, storageDir: storage.fsPath, ...(gitPath ? { gitPath } : {}) };
  };
  let plans: Promise<Map<string, Plan>> | undefined;
  const planById = async (id: string) => {
    plans ??= (ctx.plans?.list() ?? Promise.resolve([])).then((all) => new Map(all.map((p) => [p.id, p])));
    return (await plans).get(id);
  };
  const service = new ChangeService({
    repository: repositoryOf(store),
    root,
    log: ctx.log,
    onAccepted: (change) => void ctx.runner?.trust(change.planId, change.taskId, change.cacheKey),
    async describe(change: ProposedChange) {
      const plan = await planById(change.planId);
      const run = await ctx.runner?.runOf(change.planId);
      const cost = run?.tasks[change.taskId]?.costUsd;
      const title = plan?.graph.tasks.find((t) => t.id === change.taskId)?.title;
      return { planLabel: plan?.prdPath ?? change.planId, ...(title ? { taskTitle: title } : {}), ...(cost !== undefined ? { costUsd: cost } : {}) };
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      plans = undefined;
      service.notify();
    }, REFRESH_DELAY_MS);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(storage, '{changes/**/*.json,integration/*.json}'));
  const disposable = vscode.Disposable.from(
    service,
    registerAgentDiffs(service, root, ctx.log, {
      results: new PlanResults(new FileTreeStore(vscode.Uri.joinPath(storage, 'integration').fsPath), service, ctx.log),
      ancestors: async (planId, taskId) => closure(await planById(planId), taskId, 'up'),
      dependants: async (planId, taskId) => closure(await planById(planId), taskId, 'down'),
      ...(ctx.runner ? {
        withdraw: async (planId: string, rejected: string, dependants: readonly string[]) => {
          // Reverting a plan-branch commit runs git, and a repository's git config can run programs.
          requireTrust('git');
          const plan = await planById(planId);
          if (!plan) throw new HeliosError('no_plan', `Plan ${planId} is no longer stored`, { planId });
          return (await ctx.runner!.withdraw(plan, rejected, dependants)).withdrawn.filter((id) => id !== rejected);
        },
        rerun: (planId: string, taskIds: readonly string[]) => runRerunStale(ctx, planId, taskIds),
      } : {}),
      ...(place() ? { cleanUpBranches: () => {
        requireTrust('git');
        return cleanUpPlanBranches(place()!, ctx.log);
      } } : {}),
    }),
    watcher,
    watcher.onDidChange(soon), watcher.onDidCreate(soon), watcher.onDidDelete(soon),
    ...(ctx.runner ? [ctx.runner.onDidChange(soon), ctx.runner.onDidSaveChange((change) => void autoAccept(ctx, service, change))] : []),
    { dispose: () => clearTimeout(timer) },
  );
  return { service, disposable };
}

/** A task's dependencies ('up') or dependants ('down'), transitively. */
function closure(plan: Plan | undefined, taskId: string, direction: 'up' | 'down'): string[] {
  if (!plan) return [];
  const next = (id: string) => direction === 'up'
    ? plan.graph.tasks.find((t) => t.id === id)?.dependsOn ?? []
    : plan.graph.tasks.filter((t) => t.dependsOn.includes(id)).map((t) => t.id);
  const seen = new Set<string>();
  const stack = [...next(taskId)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return [...seen];
}

/**
 * `helios.review.autoAcceptApproved` (off by default, user settings only): a change the Reviewer
 * approved, whose verification did not fail, is applied at once — unless a file changed since the
 * task read it, in which case it is flagged as a conflict like any other accept. A change that
 * touches a file which runs code on the user's machine (tasks, settings, CI, hooks, package.json
 * scripts) is never applied this way: it waits, flagged, for the user's own accept.
 */
async function autoAccept(ctx: HeliosContext, service: ChangeService, change: ProposedChange): Promise<void> {
  if (!ctx.settings().reviewAutoAcceptApproved) return;
  const blocker = autoAcceptBlocker(change);
  if (blocker === 'code_running') {
    ctx.log.warn(`${change.planId}/${change.taskId}: not auto-accepted: it edits files that run code on your machine (${codeRunningFiles(change).map((f) => f.path).join(', ')}); accept it yourself after reading the diff`);
    return;
  }
  if (blocker) return;
  try {
    const outcome = await service.accept(change, { kind: 'task' });
    ctx.log.info(`${change.planId}/${change.taskId}: auto-accepted the approved change (${outcome.kind})`);
  } catch (error) {
    ctx.log.warn(`${change.planId}/${change.taskId}: auto-accept failed, the change stays proposed: ${String(error)}`);
  }
}

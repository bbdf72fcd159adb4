import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import type { PlanRun } from '../../core/scheduler/runState';
import type { Plan } from '../../shared/taskGraph';
import { COMMANDS } from '../constants';
import { offer, type NextStep } from './nextStep';
import { resumable } from './resumable';
import { DagPanel } from '../dagPanel/dagPanel';
import type { HeliosContext } from '../heliosContext';
import { dagPanelDeps } from './showPlan';
import { taskStatusLabels } from '../dagPanel/dagPanelStrings';
import { localeDecimal } from '../../shared/numberFormat';

/** With several stored plans (several PRDs, several folders), the user picks which run together. */
async function pickPlans(ctx: HeliosContext, latest: Plan): Promise<Plan[]> {
  const all = await ctx.plans!.list();
  if (all.length <= 1) return [latest];
  const picked = await vscode.window.showQuickPick(
    all.map((p) => ({ label: p.prdPath, description: vscode.l10n.t('{0} tasks · {1}', p.graph.tasks.length, p.createdAt.slice(0, 16).replace('T', ' ')), picked: p.id === latest.id, plan: p })),
    { canPickMany: true, placeHolder: vscode.l10n.t('Which plans should run? They share the budget and the concurrency limits.') },
  );
  return picked?.map((p) => p.plan) ?? [];
}

/** Several runs seen as one, for the closing message. */
function mergeRuns(runs: readonly PlanRun[]): PlanRun {
  const tasks: Record<string, PlanRun['tasks'][string]> = {};
  for (const r of runs) for (const [id, t] of Object.entries(r.tasks)) tasks[`${r.planId}/${id}`] = t;
  const state = runs.some((r) => r.state === 'cancelled') ? 'cancelled' : runs.every((r) => r.state === 'done') ? 'done' : 'paused';
  return { planId: runs.map((r) => r.planId).join(','), state, tasks, updatedAt: new Date().toISOString() };
}

async function latestPlan(ctx: HeliosContext): Promise<Plan> {
  if (!ctx.plans || !ctx.runner) throw new HeliosError('no_workspace', 'No folder is open');
  const plan = await ctx.plans.latest();
  if (!plan) throw new HeliosError('no_plan', 'No stored plan');
  return plan;
}

function counts(run: PlanRun): { done: number; failed: number; skipped: number; total: number } {
  const tasks = Object.values(run.tasks);
  return {
    done: tasks.filter((t) => t.status === 'done').length,
    failed: tasks.filter((t) => t.status === 'failed').length,
    skipped: tasks.filter((t) => t.status === 'skipped').length,
    total: tasks.length,
  };
}

/**
 * Helios: Run Plan — runs (or resumes) the last plan: tasks start as their dependencies finish,
 * the DAG panel follows live, and the notification's Cancel stops the run (calls in flight are
 * aborted and their budget released). Proposed changes are stored, never applied.
 */
export async function runRunPlan(ctx: HeliosContext): Promise<void> {
  const latest = await latestPlan(ctx);
  const plans = await pickPlans(ctx, latest);
  if (plans.length === 0) return;
  // Run Plan from a notification or a toolbar while the plan runs: its progress is already shown.
  const running = plans.find((p) => ctx.runner!.isRunning(p.id));
  if (running) return void offer(vscode.window.showInformationMessage, vscode.l10n.t('{0} is already running.', running.prdPath), [SHOW_PLAN()]);
  const title = plans.length === 1 ? plans[0]!.prdPath : vscode.l10n.t('{0} plans', plans.length);
  await runWithProgress(ctx, plans, vscode.l10n.t('Helios: running {0}', title), async () => mergeRuns(await ctx.runner!.run(plans)));
}

/**
 * Re-runs stale tasks of a plan (built on a change the user rejected) on the plan as it is now,
 * with the stale tasks they build on, in the same progress notification and DAG panel as Run Plan.
 */
export async function runRerunStale(ctx: HeliosContext, planId: string, taskIds: readonly string[]): Promise<void> {
  if (!ctx.plans || !ctx.runner) throw new HeliosError('no_workspace', 'No folder is open');
  const plan = (await ctx.plans.list()).find((p) => p.id === planId);
  if (!plan) throw new HeliosError('no_plan', `Plan ${planId} is no longer stored`, { planId });
  const run = await ctx.runner.runOf(planId);
  const stale = (id: string) => run?.tasks[id]?.integration?.status === 'stale';
  const ids = new Set(taskIds);
  const stack = [...taskIds];
  while (stack.length > 0) {
    for (const dep of plan.graph.tasks.find((t) => t.id === stack.pop())?.dependsOn ?? []) {
      if (stale(dep) && !ids.has(dep)) {
        ids.add(dep);
        stack.push(dep);
      }
    }
  }
  const runner = ctx.runner;
  await runWithProgress(ctx, [plan], vscode.l10n.t('Helios: re-running {0}', [...ids].sort().join(', ')), () => runner.rerun(plan, [...ids]));
}

async function runWithProgress(ctx: HeliosContext, plans: readonly Plan[], title: string, start: () => Promise<PlanRun>): Promise<void> {
  const runner = ctx.runner!;
  const ids = new Set(plans.map((p) => p.id));
  DagPanel.show(dagPanelDeps(ctx));
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => plans.forEach((p) => void runner.cancel(p.id)));
      const budget = watchBudgetHold(ctx);
      const finishedByPlan = new Map<string, { finished: number; total: number }>();
      let last = 0;
      const sub = runner.onDidChange((e) => {
        if (!ids.has(e.planId)) return;
        void DagPanel.currentPanel?.update();
        const c = counts(e.run);
        finishedByPlan.set(e.planId, { finished: c.done + c.failed + c.skipped, total: c.total });
        const finished = [...finishedByPlan.values()].reduce((n, x) => n + x.finished, 0);
        const total = plans.reduce((n, p) => n + p.graph.tasks.length, 0);
        progress.report({ message: vscode.l10n.t('{0} of {1} tasks finished', finished, total), increment: ((finished - last) / total) * 100 });
        last = finished;
      });
      try {
        return await start();
      } finally {
        cancel.dispose();
        sub.dispose();
        budget();
      }
    },
  );
  void DagPanel.currentPanel?.update();
  const c = counts(run);
  const cost = Object.values(run.tasks).reduce((n, t) => n + (t.costUsd ?? 0), 0);
  if (run.state === 'cancelled') {
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('Run cancelled: {0} of {1} tasks done. Run Plan again to continue.', c.done, c.total), [RUN_PLAN()]);
  } else if (c.failed > 0 || c.skipped > 0) {
    const failed = Object.entries(run.tasks).find(([, t]) => t.status === 'failed');
    void offer(vscode.window.showWarningMessage, vscode.l10n.t('Plan finished with problems: {0} done, {1} failed, {2} skipped (first failure: {3}). The DAG panel shows why.', c.done, c.failed, c.skipped, failed ? `${failed[0]} — ${failed[1].error?.reason ?? ''}` : '-'),
      [SHOW_PLAN(), ...(c.done > 0 ? [REVIEW_CHANGES()] : []), SHOW_LOG()]);
  } else if (run.state === 'done') {
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('Plan finished: {0} tasks done · ${1}. Proposed changes are waiting for your review.', c.done, localeDecimal(cost, 4, vscode.env.language)), [REVIEW_CHANGES()]);
  } else if (run.state === 'paused') {
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('Run paused: {0} of {1} tasks done. Resume it to continue where it stopped; nothing finished runs again.', c.done, c.total), [RESUME_RUN()]);
  }
}

const RUN_PLAN = (): NextStep => ({ title: vscode.l10n.t('Run Plan'), command: COMMANDS.runPlan });
const SHOW_PLAN = (): NextStep => ({ title: vscode.l10n.t('Show Plan'), command: COMMANDS.showPlan });
const REVIEW_CHANGES = (): NextStep => ({ title: vscode.l10n.t('Review Changes'), command: COMMANDS.showAgentDiffs });
const RESUME_RUN = (): NextStep => ({ title: vscode.l10n.t('Resume Plan Run'), command: COMMANDS.resumeRun });
const SHOW_LOG = (): NextStep => ({ title: vscode.l10n.t('Show Log'), command: COMMANDS.showLog });

/**
 * Says once per run when the budget (not the user's Pause) holds the run back: tasks wait, the
 * progress stops moving, and the budget panel tells why and until when. Returns the unsubscribe.
 */
function watchBudgetHold(ctx: HeliosContext): () => void {
  let said = false;
  return ctx.governor.onDidChange(() => {
    if (said || ctx.governor.state !== 'paused' || ctx.governor.manuallyPaused) return;
    said = true;
    void offer(vscode.window.showWarningMessage, vscode.l10n.t('The budget holds the run: no new task starts until the budget allows it again, then the run continues on its own.'),
      [{ title: vscode.l10n.t('Show Budget'), command: COMMANDS.showBudget }]);
  });
}

/** Helios: Pause Plan Run — the running plan stops starting tasks; Run Plan's notification then says so. */
export async function runPauseRun(ctx: HeliosContext): Promise<void> {
  const plan = await latestPlan(ctx);
  if (!ctx.runner!.isRunning(plan.id)) return notRunning();
  await ctx.runner!.pause(plan.id);
}

function notRunning(): void {
  void offer(vscode.window.showInformationMessage, vscode.l10n.t('No plan is running in this window. Run Plan starts one.'), [RUN_PLAN()]);
}

/**
 * Helios: Resume Plan Run — continues a paused run, or one a closed window left unfinished, with the
 * same progress and DAG panel as Run Plan (finished tasks are never re-run).
 */
export async function runResumeRun(ctx: HeliosContext): Promise<void> {
  const plan = await latestPlan(ctx);
  const runner = ctx.runner!;
  if (runner.isRunning(plan.id)) {
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('{0} is already running.', plan.prdPath), [SHOW_PLAN()]);
    return;
  }
  if (!resumable(await runner.runOf(plan.id), false)) {
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('There is no paused run of {0} to resume. Run Plan starts it.', plan.prdPath), [RUN_PLAN()]);
    return;
  }
  await runWithProgress(ctx, [plan], vscode.l10n.t('Helios: running {0}', plan.prdPath), async () => (await runner.run([plan]))[0]!);
}

export async function runCancelRun(ctx: HeliosContext): Promise<void> {
  const plan = await latestPlan(ctx);
  const run = await ctx.runner!.runOf(plan.id);
  if (!ctx.runner!.isRunning(plan.id) && !resumable(run, false)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No run of {0} is unfinished, so there is nothing to cancel.', plan.prdPath));
    return;
  }
  await ctx.runner!.cancel(plan.id);
}

/** Helios: Pause / Resume / Cancel Task… — picks a task of the running plan. */
export async function runTaskAction(ctx: HeliosContext, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
  const plan = await latestPlan(ctx);
  // Tasks are paused, resumed and cancelled in the run of this window, so there must be one.
  if (!ctx.runner!.isRunning(plan.id)) return notRunning();
  const run = await ctx.runner!.runOf(plan.id);
  const open = plan.graph.tasks.filter((t) => {
    const status = run?.tasks[t.id]?.status ?? 'pending';
    return status !== 'done' && status !== 'failed' && status !== 'skipped';
  });
  if (open.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No unfinished task in the plan.'));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    open.map((t) => ({ label: `${t.id} · ${t.title}`, description: taskStatusLabels()[run?.tasks[t.id]?.status ?? 'pending'], id: t.id })),
    { placeHolder: vscode.l10n.t('Which task?') },
  );
  if (picked) await ctx.runner!.task(action, plan.id, picked.id);
}

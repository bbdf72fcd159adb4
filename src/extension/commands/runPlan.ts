import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import type { PlanRun } from '../../core/scheduler/runState';
import type { Plan } from '../../shared/taskGraph';
import { DagPanel } from '../dagPanel/dagPanel';
import type { HeliosContext } from '../heliosContext';
import { dagPanelDeps } from './showPlan';

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
      }
    },
  );
  void DagPanel.currentPanel?.update();
  const c = counts(run);
  const cost = Object.values(run.tasks).reduce((n, t) => n + (t.costUsd ?? 0), 0);
  if (run.state === 'cancelled') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Run cancelled: {0} of {1} tasks done. Run Plan again to continue.', c.done, c.total));
  } else if (c.failed > 0 || c.skipped > 0) {
    const failed = Object.entries(run.tasks).find(([, t]) => t.status === 'failed');
    void vscode.window.showWarningMessage(vscode.l10n.t('Plan finished with problems: {0} done, {1} failed, {2} skipped (first failure: {3}). The DAG panel shows why.', c.done, c.failed, c.skipped, failed ? `${failed[0]} — ${failed[1].error?.reason ?? ''}` : '-'));
  } else if (run.state === 'done') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Plan finished: {0} tasks done · ${1}. Proposed changes are waiting for your review.', c.done, cost.toFixed(4)));
  }
}

export async function runPauseRun(ctx: HeliosContext, paused: boolean): Promise<void> {
  const plan = await latestPlan(ctx);
  await (paused ? ctx.runner!.pause(plan.id) : ctx.runner!.resume(plan.id));
}

export async function runCancelRun(ctx: HeliosContext): Promise<void> {
  const plan = await latestPlan(ctx);
  await ctx.runner!.cancel(plan.id);
}

/** Helios: Pause / Resume / Cancel Task… — picks a task of the running plan. */
export async function runTaskAction(ctx: HeliosContext, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
  const plan = await latestPlan(ctx);
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
    open.map((t) => ({ label: `${t.id} · ${t.title}`, description: run?.tasks[t.id]?.status ?? 'pending', id: t.id })),
    { placeHolder: vscode.l10n.t('Which task?') },
  );
  if (picked) await ctx.runner!.task(action, plan.id, picked.id);
}

import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import type { PlanRun } from '../../core/scheduler/runState';
import type { Plan } from '../../shared/taskGraph';
import { DagPanel } from '../dagPanel/dagPanel';
import type { HeliosContext } from '../heliosContext';
import { dagPanelDeps } from './showPlan';

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
  const plan = await latestPlan(ctx);
  const runner = ctx.runner!;
  DagPanel.show(dagPanelDeps(ctx));
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Helios: running {0}', plan.prdPath), cancellable: true },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => void runner.cancel(plan.id));
      let last = 0;
      const sub = runner.onDidChange((e) => {
        if (e.planId !== plan.id) return;
        void DagPanel.currentPanel?.update();
        const c = counts(e.run);
        const finished = c.done + c.failed + c.skipped;
        progress.report({ message: vscode.l10n.t('{0} of {1} tasks finished', finished, c.total), increment: ((finished - last) / c.total) * 100 });
        last = finished;
      });
      try {
        return await runner.run(plan);
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

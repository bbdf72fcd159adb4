import type { PlanRun } from '../../core/scheduler/runState';
import { findModel } from '../../shared/models';
import type { Plan, TaskStatus } from '../../shared/taskGraph';
import type { DagRunText } from '../dagPanel/dagSnapshot';
import type { Translate } from '../statusBar/budgetPresentation';

/**
 * What the Plans view shows, as plain rows: a pure function of the stored plans and their runs, so
 * it is tested without VS Code. The view maps rows to tree items; `contextValue` drives which inline
 * actions (Run / Pause / Resume / Cancel / Show) package.json offers on a row.
 */

/** Where a plan stands, as far as its buttons go. `interrupted`: a run this window does not hold (a reload stopped it). */
export type PlanState = 'notStarted' | 'running' | 'paused' | 'interrupted' | 'cancelled' | 'done';

export interface TaskRow {
  readonly kind: 'task';
  readonly planId: string;
  readonly taskId: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly status: TaskStatus;
  /** A task of the current plan (see PlanRow.current). */
  readonly current: boolean;
  readonly contextValue: string;
}

export interface PlanRow {
  readonly kind: 'plan';
  readonly planId: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly state: PlanState;
  /**
   * The plan Run / Pause / Cancel / Show act on (the latest saved, as the commands take it): only
   * its row offers them; an older plan's row says so instead.
   */
  readonly current: boolean;
  readonly contextValue: string;
  readonly tasks: readonly TaskRow[];
}

export interface PlanRowsInput {
  /** Newest first, as the store lists them. */
  readonly plans: readonly Plan[];
  /** The latest saved plan, which the plan commands act on. */
  readonly latestId: string | undefined;
  readonly runs: ReadonlyMap<string, PlanRun | undefined>;
  /** Whether this window runs the plan right now (the scheduler holds it with work left). */
  readonly isRunning: (planId: string) => boolean;
  readonly t: Translate;
  /** The task statuses in the UI language (the DAG panel's). */
  readonly statusLabels: Readonly<Record<TaskStatus, string>>;
  /** `$0.0123` in the UI locale. */
  readonly money: (usd: number) => string;
  /** Why a task failed or was skipped, as the DAG panel says it. */
  readonly runText: Pick<DagRunText, 'taskError' | 'skipped'>;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'skipped']);

export function planState(run: PlanRun | undefined, running: boolean): PlanState {
  if (running) return 'running';
  if (!run) return 'notStarted';
  if (run.state === 'running') return 'interrupted';
  return run.state;
}

function stateText(state: PlanState, t: Translate): string {
  switch (state) {
    case 'notStarted': return t('not started');
    case 'running': return t('running');
    case 'paused': return t('paused');
    case 'interrupted': return t('stopped: run it to continue');
    case 'cancelled': return t('cancelled');
    case 'done': return t('done');
  }
}

export function planRows(input: PlanRowsInput): PlanRow[] {
  const { t } = input;
  return input.plans.map((plan) => {
    const run = input.runs.get(plan.id);
    const state = planState(run, input.isRunning(plan.id));
    const current = plan.id === input.latestId;
    const tasks = plan.graph.tasks.map((task): TaskRow => {
      const taskRun = run?.tasks[task.id];
      const status = taskRun?.status ?? plan.status[task.id] ?? 'pending';
      const model = taskRun?.model ? findModel(taskRun.model)?.displayName ?? taskRun.model : undefined;
      const parts = [input.statusLabels[status], model, taskRun?.costUsd !== undefined ? input.money(taskRun.costUsd) : undefined];
      const reason = taskRun?.error ? input.runText.taskError(taskRun.error.reason, {}) : taskRun?.blockedBy ? input.runText.skipped(taskRun.blockedBy) : undefined;
      return {
        kind: 'task',
        planId: plan.id,
        taskId: task.id,
        label: `${task.id} · ${task.title}`,
        description: parts.filter((p): p is string => Boolean(p)).join(' · '),
        tooltip: [task.title, task.description, reason].filter(Boolean).join('\n\n'),
        status,
        current,
        contextValue: `helios.planTask.${status}`,
      };
    });
    const finished = tasks.filter((r) => FINISHED.has(r.status)).length;
    const tasksCost = Object.values(run?.tasks ?? {}).reduce((n, r) => n + (r.costUsd ?? 0), 0);
    const cost = plan.costUsd + tasksCost;
    // The row's figure includes planning; "Plan finished" names the run's tasks only: say both.
    const tooltip = [
      t('{0}: {1} tasks, planned by {2} on {3}', plan.prdPath, tasks.length, plan.plannedBy, plan.createdAt.slice(0, 16).replace('T', ' ')),
      t('Cost {0}: planning {1}, tasks {2}', input.money(cost), input.money(plan.costUsd), input.money(tasksCost)),
    ].join('\n');
    return {
      kind: 'plan',
      planId: plan.id,
      label: plan.prdPath,
      description: [stateText(state, t), t('{0}/{1} tasks', finished, tasks.length), input.money(cost)].join(' · '),
      tooltip: current ? tooltip : `${tooltip}\n\n${t('An older plan: Run Plan asks which plans to run; Decompose its PRD again to make it the current one.')}`,
      state,
      current,
      contextValue: current ? `helios.plan.${state}` : 'helios.olderPlan',
      tasks,
    };
  });
}

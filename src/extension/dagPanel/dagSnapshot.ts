/** Maps a stored plan to what the DAG panel draws. Pure: no `vscode`, so plain node tests it. */
import type { DagSnapshot } from '../../shared/protocol/dagPanel';
import type { PlanRun, TaskRun } from '../../core/scheduler/runState';
import type { DagNodeRun } from '../../shared/protocol/dagPanel';
import type { Plan, Task } from '../../shared/taskGraph';
import type { GovernorState } from '../../shared/budget';
import { totalTokens } from '../../shared/usage';
import { dependantCounts } from '../../core/router/fanOut';
import { routeReasonText, skippedText, taskErrorText, type StoredRoute } from './dagText';
import { englishTranslate } from '../translate';

/** The run's words in the UI language; the host binds them to `vscode.l10n.t` (dagPanelStrings.ts). */
export interface DagRunText {
  readonly routeReason: (route: StoredRoute) => string | undefined;
  readonly taskError: (reason: string, details: Readonly<Record<string, unknown>>) => string;
  readonly skipped: (blockedBy: string) => string;
}

/** English, for tests and callers without a UI language. */
export const ENGLISH_RUN_TEXT: DagRunText = {
  routeReason: (route) => routeReasonText(route, englishTranslate),
  taskError: (reason) => taskErrorText(reason, englishTranslate, () => undefined),
  skipped: (blockedBy) => skippedText(blockedBy, englishTranslate),
};

/** The plan plus its run state (status, model, reason, usage per task), when it has run. */
export function buildDagSnapshot(
  plan: Plan,
  run?: PlanRun,
  budget?: { readonly state: GovernorState; readonly resetsAt: string },
  text: DagRunText = ENGLISH_RUN_TEXT,
): DagSnapshot {
  const fanOut = run ? dependantCounts(plan.graph) : new Map<string, number>();
  const held = run?.state === 'running' && budget && budget.state !== 'ok' ? { budget: { state: budget.state, resetsAt: budget.resetsAt } } : {};
  return {
    ...held,
    planId: plan.id,
    prdPath: plan.prdPath,
    plannedBy: plan.plannedBy,
    provider: plan.provider,
    createdAt: plan.createdAt,
    totalTokens: totalTokens(plan.usage),
    costUsd: plan.costUsd,
    nodes: plan.graph.tasks.map((task) => ({
      id: task.id,
      title: task.title,
      description: task.description,
      taskType: task.taskType,
      // A task the run state has not reached yet is pending.
      status: run?.tasks[task.id]?.status ?? plan.status[task.id] ?? 'pending',
      ...(run?.tasks[task.id] && run.tasks[task.id]!.attempts > 0 ? { run: nodeRun(task, run.tasks[task.id]!, fanOut.get(task.id) ?? 0, text) } : {}),
      priority: task.priority,
      estimatedTokens: task.estimatedTokens,
      dependsOn: [...task.dependsOn],
      files: [...task.files],
    })),
  };
}

function nodeRun(task: Task, t: TaskRun, fanOut: number, text: DagRunText): DagNodeRun {
  const reason = text.routeReason({ code: t.reasonCode, taskType: task.taskType, model: t.model, fanOut });
  // The scheduler keeps a HeliosError's details beside its reason, though TaskRun does not declare them.
  const details = (t.error as { details?: Readonly<Record<string, unknown>> } | undefined)?.details ?? {};
  return {
    ...(t.model ? { model: t.model } : {}),
    ...(reason ? { reason } : {}),
    tokens: t.usage ? totalTokens(t.usage) : 0,
    costUsd: t.costUsd ?? 0,
    ...(t.earlierCostUsd !== undefined ? { earlierCostUsd: t.earlierCostUsd } : {}),
    attempts: t.attempts,
    ...(t.error ? { error: text.taskError(t.error.reason, details) } : t.blockedBy ? { error: text.skipped(t.blockedBy) } : {}),
    ...(t.verification ? { verification: { ...t.verification } } : {}),
    ...(t.review ? { review: { verdict: t.review.verdict, findings: t.review.findings, rounds: t.review.rounds } } : {}),
    ...(t.integration ? { integration: { ...t.integration } } : t.error?.reason === 'integration_conflict' ? { integration: { status: 'conflicted' } } : {}),
  };
}

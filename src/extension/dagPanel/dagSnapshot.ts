/** Maps a stored plan to what the DAG panel draws. Pure: no `vscode`, so plain node tests it. */
import type { DagSnapshot } from '../../shared/protocol/dagPanel';
import type { PlanRun, TaskRun } from '../../core/scheduler/runState';
import type { DagNodeRun } from '../../shared/protocol/dagPanel';
import type { Plan } from '../../shared/taskGraph';
import type { GovernorState } from '../../shared/budget';
import { totalTokens } from '../../shared/usage';

/** The plan plus its run state (status, model, reason, usage per task), when it has run. */
export function buildDagSnapshot(plan: Plan, run?: PlanRun, budget?: { readonly state: GovernorState; readonly resetsAt: string }): DagSnapshot {
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
      ...(run?.tasks[task.id] && run.tasks[task.id]!.attempts > 0 ? { run: nodeRun(run.tasks[task.id]!) } : {}),
      priority: task.priority,
      estimatedTokens: task.estimatedTokens,
      dependsOn: [...task.dependsOn],
      files: [...task.files],
    })),
  };
}

function nodeRun(t: TaskRun): DagNodeRun {
  return {
    ...(t.model ? { model: t.model } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
    tokens: t.usage ? totalTokens(t.usage) : 0,
    costUsd: t.costUsd ?? 0,
    ...(t.earlierCostUsd !== undefined ? { earlierCostUsd: t.earlierCostUsd } : {}),
    attempts: t.attempts,
    ...(t.error ? { error: t.error.message } : t.blockedBy ? { error: `skipped: ${t.blockedBy} failed` } : {}),
    ...(t.verification ? { verification: { ...t.verification } } : {}),
    ...(t.review ? { review: { verdict: t.review.verdict, findings: t.review.findings, rounds: t.review.rounds } } : {}),
    ...(t.integration ? { integration: { ...t.integration } } : t.error?.reason === 'integration_conflict' ? { integration: { status: 'conflicted' } } : {}),
  };
}

/** Maps a stored plan to what the DAG panel draws. Pure: no `vscode`, so plain node tests it. */
import type { DagSnapshot } from '../../shared/protocol/dagPanel';
import type { Plan } from '../../shared/taskGraph';
import { totalTokens } from '../../shared/usage';

export function buildDagSnapshot(plan: Plan): DagSnapshot {
  return {
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
      status: plan.status[task.id] ?? 'pending',
      priority: task.priority,
      estimatedTokens: task.estimatedTokens,
      dependsOn: [...task.dependsOn],
      files: [...task.files],
    })),
  };
}

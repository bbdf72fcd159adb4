import type { IntegratedTask, TreeState, TreeStore } from '../integration/planTree';
import type { PlanRun, RunStore, TaskRun } from '../scheduler/runState';

/** What the restoring store tells its caller (the pipeline turns it into a PipelineEvent). */
export type RestoreEvent =
  | { readonly kind: 'run_restored'; readonly planId: string; readonly taskIds: readonly string[] }
  | { readonly kind: 'restore_failed'; readonly planId: string; readonly error: string };

/**
 * A run store that never lets a lost run state (deleted, or unreadable and moved aside) cost a
 * finished task again: when a plan's run is missing, the tasks its integrated tree holds are
 * restored as done, with the outcome (model, usage, cost, review) the tree stored with them, so
 * the scheduler starts only what is left and the plan's cost is not reset. A stored run is
 * returned as it is.
 */
export function restoringRunStore(runs: RunStore, trees: TreeStore, onEvent: (e: RestoreEvent) => void = () => {}): RunStore {
  return {
    save: (run) => runs.save(run),
    load: async (planId) => {
      const stored = await runs.load(planId);
      if (stored) return stored;
      let tree: TreeState | undefined;
      try {
        tree = await trees.load(planId);
      } catch (error) {
        // The tree store moved an unreadable tree aside; the run starts afresh and says so.
        onEvent({ kind: 'restore_failed', planId, error: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
      const run = tree ? runFromTree(tree) : undefined;
      if (!run) return undefined;
      onEvent({ kind: 'run_restored', planId, taskIds: Object.keys(run.tasks) });
      return run;
    },
  };
}

/** The tree's integrated tasks as a run: each one done with its stored outcome; undefined when there are none. */
export function runFromTree(tree: TreeState): PlanRun | undefined {
  const records = Object.values(tree.tasks).sort((a, b) => a.order - b.order);
  if (records.length === 0) return undefined;
  const tasks: Record<string, TaskRun> = {};
  for (const record of records) tasks[record.taskId] = doneFrom(record);
  return { planId: tree.planId, state: 'running', tasks, updatedAt: records.at(-1)!.at };
}

function doneFrom(record: IntegratedTask): TaskRun {
  const o = record.outcome;
  return {
    status: 'done', attempts: 1, finishedAt: record.at,
    model: o.model, reasonCode: o.reasonCode, reason: o.reason, usage: o.usage, costUsd: o.costUsd,
    ...(o.review ? { review: o.review } : {}),
    ...(o.verification ? { verification: o.verification } : {}),
    integration: { status: record.status, ...(o.rebaseCostUsd !== undefined ? { rebaseCostUsd: o.rebaseCostUsd } : {}) },
  };
}

import type { PlanRun } from '../../core/scheduler/runState';

/**
 * A run the user can resume: it stopped with tasks left — paused, or stored as running by a window
 * that closed mid-run — and is not running here. A cancelled run continues through Run Plan instead.
 */
export function resumable(run: PlanRun | undefined, runningHere: boolean): boolean {
  if (!run || runningHere || run.state === 'done' || run.state === 'cancelled') return false;
  return Object.values(run.tasks).some((t) => t.status !== 'done' && t.status !== 'failed' && t.status !== 'skipped');
}

import type { PlanRun, RunStore } from '../../src/core/scheduler/runState';

/** Run states in memory, by plan id (what FileRunStore keeps on disk). */
export class MemoryRuns implements RunStore {
  readonly runs = new Map<string, PlanRun>();
  load(id: string): Promise<PlanRun | undefined> {
    return Promise.resolve(this.runs.get(id));
  }
  save(run: PlanRun): Promise<void> {
    this.runs.set(run.planId, run);
    return Promise.resolve();
  }
}

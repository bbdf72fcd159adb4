import type { SchedulerEvent } from '../scheduler/scheduler';
import type { TaskStatus } from '../../shared/taskGraph';
import type { MetricsSink, TaskOutcome } from './metricsSink';

const OUTCOME: Partial<Record<TaskStatus, TaskOutcome>> = { done: 'success', failed: 'failure', skipped: 'skipped' };
const BACKOFF_REASONS: ReadonlySet<string> = new Set(['provider_rate_limited', 'provider_overloaded']);

/**
 * Turns scheduler events into metrics: a task's terminal transition → `recordTask` (latency from
 * startedAt to finishedAt), a running task sent back to the queue by a rate limit or overload →
 * `recordBackoff`, a plan reaching `done` → `recordPlan`, and every event → the queue gauges.
 * Tasks first seen already finished (a resumed run) were counted by the process that ran them.
 */
export function observeScheduler(sink: MetricsSink, options: {
  readonly workspace: string;
  /** Which agent runs a plan's tasks; the scheduler's executor is the Coder today. */
  readonly agentOf?: (planId: string, taskId: string) => string;
}): (event: SchedulerEvent) => void {
  const agentOf = options.agentOf ?? (() => 'coder');
  const last = new Map<string, Map<string, TaskStatus>>();
  const runs = new Map<string, SchedulerEvent['run']>();
  const finishedPlans = new Set<string>();

  return ({ planId, run }) => {
    runs.set(planId, run);
    let seen = last.get(planId);
    const firstEvent = !seen;
    if (!seen) last.set(planId, (seen = new Map<string, TaskStatus>()));
    for (const [taskId, t] of Object.entries(run.tasks)) {
      const before = seen.get(taskId);
      seen.set(taskId, t.status);
      if (before === t.status || firstEvent) continue;
      const outcome = OUTCOME[t.status];
      if (outcome) {
        const started = t.startedAt ? Date.parse(t.startedAt) : Number.NaN;
        const finished = t.finishedAt ? Date.parse(t.finishedAt) : Number.NaN;
        const seconds = Number.isFinite(started) && Number.isFinite(finished) ? Math.max(0, finished - started) / 1000 : 0;
        sink.recordTask({ agent: agentOf(planId, taskId), seconds, outcome });
      } else if (before === 'running' && t.status === 'ready' && t.error && BACKOFF_REASONS.has(t.error.reason)) {
        sink.recordBackoff();
      }
    }
    if (run.state === 'done' && !firstEvent && !finishedPlans.has(planId)) {
      finishedPlans.add(planId);
      sink.recordPlan({ workspace: options.workspace, costUsd: Object.values(run.tasks).reduce((n, t) => n + (t.costUsd ?? 0), 0) });
    }
    let queued = 0;
    let inFlight = 0;
    for (const r of runs.values()) {
      for (const t of Object.values(r.tasks)) {
        if (t.status === 'running') inFlight += 1;
        else if ((t.status === 'pending' || t.status === 'ready') && r.state !== 'cancelled') queued += 1;
      }
    }
    sink.setScheduler({ queued, inFlight });
  };
}

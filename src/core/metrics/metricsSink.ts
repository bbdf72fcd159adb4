import type { BudgetSnapshot } from '../../shared/budget';
import type { UsageRecord } from '../usage/usageLedger';

/** How a task ended, as the success/failure panel counts it. */
export type TaskOutcome = 'success' | 'failure' | 'skipped';

export interface TaskSample {
  /** The agent that ran the task (`coder`, `architect`, …); unknown names count as `other`. */
  readonly agent: string;
  readonly seconds: number;
  readonly outcome: TaskOutcome;
}

export interface PlanSample {
  /** The workspace the plan ran in (a URI or path); only a bounded label of it is exported. */
  readonly workspace: string;
  readonly costUsd: number;
}

/** Cache layers: l1 = provider prompt cache, l2 = exact match, l3 = guarded semantic cache (see core/cache). */
export type CacheLevel = 'l1' | 'l2' | 'l3';

/**
 * Where the rest of Helios reports what it measured. Core depends on this interface only; the
 * Prometheus registry (infra/metrics) and the JSON tally (core/metrics) both implement it.
 */
export interface MetricsSink {
  /** One settled model call, from `GovernedLlmClient`'s `onRecorded`. */
  recordCall(record: UsageRecord): void;
  /** One task reaching a terminal state (latency = finishedAt − startedAt). */
  recordTask(sample: TaskSample): void;
  /** One plan finished: its total cost, observed into the per-plan cost histogram. */
  recordPlan(sample: PlanSample): void;
  /** The governor's current view (window use, state, family split). */
  setBudget(snapshot: BudgetSnapshot): void;
  setScheduler(gauges: { readonly queued: number; readonly inFlight: number }): void;
  /** The scheduler or the governor backed off after a rate limit. */
  recordBackoff(): void;
  /** A cache lookup; no cache exists yet, so these stay zero until it does. */
  recordCacheLookup(level: CacheLevel, hit: boolean): void;
}

/** Sends every report to each sink (e.g. the Prometheus registry and the JSON tally). */
export function fanOutSink(...sinks: readonly MetricsSink[]): MetricsSink {
  return {
    recordCall: (r) => sinks.forEach((s) => s.recordCall(r)),
    recordTask: (t) => sinks.forEach((s) => s.recordTask(t)),
    recordPlan: (p) => sinks.forEach((s) => s.recordPlan(p)),
    setBudget: (b) => sinks.forEach((s) => s.setBudget(b)),
    setScheduler: (g) => sinks.forEach((s) => s.setScheduler(g)),
    recordBackoff: () => sinks.forEach((s) => s.recordBackoff()),
    recordCacheLookup: (l, h) => sinks.forEach((s) => s.recordCacheLookup(l, h)),
  };
}

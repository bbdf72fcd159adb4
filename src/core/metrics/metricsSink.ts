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

/** An L3 lookup that did not serve: the answer went to the model as a hint, or a guard blocked it. */
export type CacheGuardOutcome =
  | { readonly kind: 'hint'; readonly why: 'fingerprint' | 'not_servable' }
  | { readonly kind: 'blocked'; readonly guard: 'agent_task_type' | 'tier' | 'fingerprint' | 'threshold' | 'words' | 'trust' };

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
  /** A cache lookup (l1: a call that read the provider's prompt cache or not). */
  recordCacheLookup(level: CacheLevel, hit: boolean): void;
  /** An L3 lookup that gave a hint or was blocked, so a dashboard can say why L3 did not serve. */
  recordCacheGuard(outcome: CacheGuardOutcome): void;
  /** Dollars a level saved: l1 the discount on cached prompt reads, l2 / l3 answers not bought again. */
  recordCacheSaved(level: CacheLevel, usd: number): void;
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
    recordCacheGuard: (o) => sinks.forEach((s) => s.recordCacheGuard(o)),
    recordCacheSaved: (l, usd) => sinks.forEach((s) => s.recordCacheSaved(l, usd)),
  };
}

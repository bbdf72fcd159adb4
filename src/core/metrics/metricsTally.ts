import type { BudgetSnapshot } from '../../shared/budget';
import type { UsageRecord } from '../usage/usageLedger';
import { agentLabel, CACHE_LEVELS } from './labels';
import type { CacheGuardOutcome, CacheLevel, MetricsSink, PlanSample, TaskOutcome, TaskSample } from './metricsSink';

export interface AgentTally {
  readonly success: number;
  readonly failure: number;
  readonly skipped: number;
  /** Seconds summed over tasks that ran (success or failure); skipped tasks never started. */
  readonly seconds: number;
}

/**
 * The in-memory counterpart of the Prometheus registry, kept so the JSON API (and the dashboard
 * panel) can answer without parsing Prometheus text. Same inputs, same bounded keys.
 */
export class MetricsTally implements MetricsSink {
  private readonly agents = new Map<string, { success: number; failure: number; skipped: number; seconds: number }>();
  private readonly cache = new Map<CacheLevel, { hits: number; misses: number }>(CACHE_LEVELS.map((l) => [l, { hits: 0, misses: 0 }]));
  /** `hint:<why>` or `blocked:<guard>` → count. */
  private readonly l3Outcomes = new Map<string, number>();
  private readonly cacheSavedUsd = new Map<CacheLevel, number>();
  private budgetSnapshot: BudgetSnapshot | undefined;
  private scheduler = { queued: 0, inFlight: 0 };
  private calls = 0;
  private backoffs = 0;

  recordCall(_record: UsageRecord): void {
    this.calls += 1;
  }

  recordTask(sample: TaskSample): void {
    const key = agentLabel(sample.agent);
    const a = this.agents.get(key) ?? { success: 0, failure: 0, skipped: 0, seconds: 0 };
    a[sample.outcome satisfies TaskOutcome] += 1;
    if (sample.outcome !== 'skipped') a.seconds += Math.max(0, sample.seconds);
    this.agents.set(key, a);
  }

  recordPlan(_sample: PlanSample): void {
    // Plan costs come from the ledger in the JSON view; nothing to keep here.
  }

  setBudget(snapshot: BudgetSnapshot): void {
    this.budgetSnapshot = snapshot;
  }

  setScheduler(gauges: { readonly queued: number; readonly inFlight: number }): void {
    this.scheduler = { queued: gauges.queued, inFlight: gauges.inFlight };
  }

  recordBackoff(): void {
    this.backoffs += 1;
  }

  recordCacheLookup(level: CacheLevel, hit: boolean): void {
    const c = this.cache.get(level)!;
    if (hit) c.hits += 1;
    else c.misses += 1;
  }

  recordCacheGuard(outcome: CacheGuardOutcome): void {
    const key = outcome.kind === 'hint' ? `hint:${outcome.why}` : `blocked:${outcome.guard}`;
    this.l3Outcomes.set(key, (this.l3Outcomes.get(key) ?? 0) + 1);
  }

  recordCacheSaved(level: CacheLevel, usd: number): void {
    this.cacheSavedUsd.set(level, (this.cacheSavedUsd.get(level) ?? 0) + usd);
  }

  get budget(): BudgetSnapshot | undefined {
    return this.budgetSnapshot;
  }

  view(): {
    readonly calls: number;
    readonly backoffs: number;
    readonly scheduler: { readonly queued: number; readonly inFlight: number };
    readonly agents: ReadonlyMap<string, AgentTally>;
    readonly cache: ReadonlyMap<CacheLevel, { readonly hits: number; readonly misses: number }>;
    readonly l3Outcomes: ReadonlyMap<string, number>;
    readonly cacheSavedUsd: ReadonlyMap<CacheLevel, number>;
  } {
    return { calls: this.calls, backoffs: this.backoffs, scheduler: { ...this.scheduler }, agents: this.agents, cache: this.cache, l3Outcomes: this.l3Outcomes, cacheSavedUsd: this.cacheSavedUsd };
  }
}

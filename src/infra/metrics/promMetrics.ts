import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  agentLabel, CACHE_LEVELS, GOVERNOR_STATES, L3_GUARDS, L3_HINT_REASONS, modelLabel, ProjectLabels, type TokenKind,
} from '../../core/metrics/labels';
import type { CacheGuardOutcome, CacheLevel, MetricsSink, PlanSample, TaskSample } from '../../core/metrics/metricsSink';
import type { UsageRecord } from '../../core/usage/usageLedger';
import type { BudgetSnapshot } from '../../shared/budget';
import { findModel } from '../../shared/models';

/** Per-plan cost buckets in dollars: a cent to a few hundred dollars. */
const COST_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250];
/** Task latency buckets in seconds, around the 30-second target. */
const LATENCY_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120, 300, 600];

/**
 * The Prometheus registry of one host (extension host or `helios run`). It owns its own
 * `Registry`; nothing is registered on prom-client's global default registry, so two hosts in one
 * process (tests) never collide.
 */
export class PromMetrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly projects = new ProjectLabels();
  private readonly cacheCounts = new Map<CacheLevel, { hits: number; lookups: number }>();

  private readonly tokens = new Counter({
    name: 'helios_token_usage_total', help: 'Tokens billed by the provider, by model, family and kind (input, output, cache_read, cache_write).',
    labelNames: ['model', 'family', 'kind'] as const, registers: [this.registry],
  });
  private readonly planCost = new Histogram({
    name: 'helios_project_cost_dollars', help: 'Cost in US dollars of each finished plan.',
    buckets: COST_BUCKETS, registers: [this.registry],
  });
  private readonly projectCost = new Counter({
    name: 'helios_project_cost_dollars_total', help: 'Cost in US dollars of model calls, by project (workspace folder name).',
    labelNames: ['project'] as const, registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'helios_task_latency_seconds', help: 'Seconds from a task starting to it finishing, by agent.',
    labelNames: ['agent_type'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  private readonly tasks = new Counter({
    name: 'helios_agent_tasks_total', help: 'Tasks that reached a terminal state, by agent and outcome (success, failure, skipped).',
    labelNames: ['agent_type', 'outcome'] as const, registers: [this.registry],
  });
  private readonly opusShare = new Gauge({
    name: 'helios_opus_sonnet_ratio', help: 'Opus share of Opus plus Sonnet tokens in the current window (0 to 1).',
    registers: [this.registry],
  });
  private readonly cacheRate = new Gauge({
    name: 'helios_cache_hit_rate', help: 'Cache hit rate by level (hits over lookups, 0 to 1).',
    labelNames: ['cache_level'] as const, registers: [this.registry],
  });
  private readonly cacheHits = new Counter({
    name: 'helios_cache_hits_total', help: 'Cache hits by level.', labelNames: ['cache_level'] as const, registers: [this.registry],
  });
  private readonly cacheMisses = new Counter({
    name: 'helios_cache_misses_total', help: 'Cache misses by level.', labelNames: ['cache_level'] as const, registers: [this.registry],
  });
  private readonly cacheHints = new Counter({
    name: 'helios_cache_l3_hints_total', help: 'Semantic-cache answers given to the model as a hint instead of served, by reason (fingerprint: the files changed; not_servable).',
    labelNames: ['reason'] as const, registers: [this.registry],
  });
  private readonly cacheBlocked = new Counter({
    name: 'helios_cache_l3_blocked_total', help: 'Semantic-cache lookups that a guard kept from serving, by the guard.',
    labelNames: ['guard'] as const, registers: [this.registry],
  });
  private readonly cacheSaved = new Counter({
    name: 'helios_cache_saved_dollars_total', help: 'US dollars the cache saved, by level (l1: discount on cached prompt reads; l2, l3: answers not bought again).',
    labelNames: ['cache_level'] as const, registers: [this.registry],
  });
  private readonly windowUsed = new Gauge({
    name: 'helios_window_used_ratio', help: 'Settled usage over the cap in the current budget period (0 to 1, can exceed 1).',
    registers: [this.registry],
  });
  private readonly windowTokens = new Gauge({
    name: 'helios_window_tokens', help: 'All tokens (input, output, cache) settled in the current budget period.',
    registers: [this.registry],
  });
  private readonly governorState = new Gauge({
    name: 'helios_governor_state', help: 'The governor state: 1 for the current one of ok, throttled, paused; 0 for the others.',
    labelNames: ['state'] as const, registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: 'helios_scheduler_queue_depth', help: 'Tasks ready or pending that have not started.', registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'helios_scheduler_in_flight', help: 'Tasks running now.', registers: [this.registry],
  });
  private readonly backoffs = new Counter({
    name: 'helios_rate_limit_backoffs_total', help: 'Back-offs after a provider rate limit or overload.', registers: [this.registry],
  });

  constructor() {
    // Series that exist from the first scrape, so dashboards show 0 rather than "no data".
    for (const level of CACHE_LEVELS) {
      this.cacheRate.set({ cache_level: level }, 0);
      this.cacheHits.inc({ cache_level: level }, 0);
      this.cacheMisses.inc({ cache_level: level }, 0);
    }
    for (const state of GOVERNOR_STATES) this.governorState.set({ state }, state === 'ok' ? 1 : 0);
    this.backoffs.inc(0);
  }

  recordCall(record: UsageRecord): void {
    const model = modelLabel(record.model);
    const family = record.family ?? findModel(record.model)?.family ?? 'other';
    const u = record.usage;
    const kinds: ReadonlyArray<[TokenKind, number]> = [
      ['input', u.inputTokens], ['output', u.outputTokens], ['cache_read', u.cacheReadInputTokens], ['cache_write', u.cacheCreationInputTokens],
    ];
    for (const [kind, n] of kinds) this.tokens.inc({ model, family, kind }, Math.max(0, n));
    this.projectCost.inc({ project: this.projects.labelOf(record.workspace) }, Math.max(0, record.costUsd ?? 0));
  }

  recordTask(sample: TaskSample): void {
    const agent_type = agentLabel(sample.agent);
    this.tasks.inc({ agent_type, outcome: sample.outcome });
    if (sample.outcome !== 'skipped') this.latency.observe({ agent_type }, Math.max(0, sample.seconds));
  }

  recordPlan(sample: PlanSample): void {
    this.planCost.observe(Math.max(0, sample.costUsd));
  }

  setBudget(snapshot: BudgetSnapshot): void {
    const f = snapshot.byFamily;
    this.windowUsed.set(snapshot.cap > 0 ? snapshot.used / snapshot.cap : 0);
    this.windowTokens.set(f.opus.tokens + f.sonnet.tokens + f.haiku.tokens + f.fable.tokens);
    const pair = f.opus.tokens + f.sonnet.tokens;
    this.opusShare.set(pair > 0 ? f.opus.tokens / pair : 0);
    for (const state of GOVERNOR_STATES) this.governorState.set({ state }, state === snapshot.state ? 1 : 0);
  }

  setScheduler(gauges: { readonly queued: number; readonly inFlight: number }): void {
    this.queueDepth.set(gauges.queued);
    this.inFlight.set(gauges.inFlight);
  }

  recordBackoff(): void {
    this.backoffs.inc();
  }

  recordCacheLookup(level: CacheLevel, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ cache_level: level });
    const c = this.cacheCounts.get(level) ?? { hits: 0, lookups: 0 };
    c.lookups += 1;
    if (hit) c.hits += 1;
    this.cacheCounts.set(level, c);
    this.cacheRate.set({ cache_level: level }, c.hits / c.lookups);
  }

  recordCacheGuard(outcome: CacheGuardOutcome): void {
    if (outcome.kind === 'hint') this.cacheHints.inc({ reason: (L3_HINT_REASONS as readonly string[]).includes(outcome.why) ? outcome.why : 'other' });
    else this.cacheBlocked.inc({ guard: (L3_GUARDS as readonly string[]).includes(outcome.guard) ? outcome.guard : 'other' });
  }

  recordCacheSaved(level: CacheLevel, usd: number): void {
    if (usd > 0) this.cacheSaved.inc({ cache_level: level }, usd);
  }

  /** Names of every metric this registry exports (for the dashboard check). */
  metricNames(): string[] {
    return this.registry.getMetricsAsArray().map((m) => m.name);
  }

}

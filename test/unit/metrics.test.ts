import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentLabel, MAX_PROJECTS, modelLabel, ProjectLabels, projectName } from '../../src/core/metrics/labels';
import { buildMetricsJson, projectMonthly } from '../../src/core/metrics/metricsJson';
import { fanOutSink } from '../../src/core/metrics/metricsSink';
import { MetricsTally } from '../../src/core/metrics/metricsTally';
import { observeScheduler } from '../../src/core/metrics/schedulerMetrics';
import type { PlanRun, TaskRun } from '../../src/core/scheduler/runState';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { PromMetrics } from '../../src/infra/metrics/promMetrics';
import type { BudgetSnapshot } from '../../src/shared/budget';
import { ZERO_USAGE } from '../../src/shared/usage';

const NOW = Date.parse('2026-11-24T12:00:00Z');

function call(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    v: 1, ts: new Date(NOW).toISOString(), workspace: 'file:///home/dev/My Project', provider: 'simulator',
    model: 'claude-sonnet-5-5', family: 'sonnet', requestId: 'req_1', costUsd: 0.02,
    usage: { ...ZERO_USAGE, inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 30, cacheCreationInputTokens: 20 },
    agent: 'coder', planId: 'plan-1', taskId: 'T1', ...over,
  };
}

function budget(over: Partial<BudgetSnapshot> = {}): BudgetSnapshot {
  const fam = (tokens: number) => ({ units: tokens, tokens, costUsd: 0, calls: 1 });
  return {
    plan: 'custom', unit: 'tokens', state: 'throttled', provider: 'simulator',
    period: { start: '2026-11-24T10:00:00Z', end: '2026-11-24T15:00:00Z', active: true },
    used: 850, reserved: 0, cap: 1000, capSource: 'configured', throttleAt: 0.8,
    byFamily: { opus: fam(300), sonnet: fam(700), haiku: fam(0), fable: fam(0) },
    burnRatePerMin: 0, projectedAtEnd: 0, capReachedAt: null, observedCeiling: null,
    weekly: { units: 0, tokens: 0, costUsd: 0 }, month: null, perProject: [], sources: [], history: [], recentWindows: [],
    inFlight: 0, waiting: 0, now: new Date(NOW).toISOString(), ...over,
  };
}

/** Histogram values carry the series name (`…_sum`, `…_count`); counters and gauges do not. */
const nameOf = (v: object) => (v as { metricName?: string }).metricName;

async function sample(prom: PromMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = prom.registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want) && (nameOf(v) ?? name) === name)?.value;
}

describe('metrics: Prometheus registry', () => {
  it('counts tokens by model, family and kind, and cost by project, after a few calls', async () => {
    const prom = new PromMetrics();
    prom.recordCall(call());
    prom.recordCall(call({ model: 'claude-opus-5-5', family: 'opus', costUsd: 0.1 }));
    prom.recordCall(call());
    assert.equal(await sample(prom, 'helios_token_usage_total', { model: 'claude-sonnet-5-5', family: 'sonnet', kind: 'input' }), 200);
    assert.equal(await sample(prom, 'helios_token_usage_total', { model: 'claude-sonnet-5-5', family: 'sonnet', kind: 'output' }), 100);
    assert.equal(await sample(prom, 'helios_token_usage_total', { model: 'claude-sonnet-5-5', family: 'sonnet', kind: 'cache_read' }), 60);
    assert.equal(await sample(prom, 'helios_token_usage_total', { model: 'claude-opus-5-5', family: 'opus', kind: 'cache_write' }), 20);
    const cost = await sample(prom, 'helios_project_cost_dollars_total', { project: 'my_project' });
    assert.ok(cost !== undefined && Math.abs(cost - 0.14) < 1e-9);
  });

  it('exports every metric the issue names, with a help text, and none on the global registry', async () => {
    const { register } = await import('prom-client');
    const prom = new PromMetrics();
    const names = prom.metricNames();
    for (const n of [
      'helios_token_usage_total', 'helios_project_cost_dollars', 'helios_project_cost_dollars_total', 'helios_task_latency_seconds',
      'helios_agent_tasks_total', 'helios_opus_sonnet_ratio', 'helios_cache_hit_rate', 'helios_cache_hits_total', 'helios_cache_misses_total',
      'helios_window_used_ratio', 'helios_window_tokens', 'helios_governor_state', 'helios_scheduler_queue_depth', 'helios_scheduler_in_flight',
      'helios_rate_limit_backoffs_total', 'helios_cache_l3_hints_total', 'helios_cache_l3_blocked_total', 'helios_cache_saved_dollars_total',
    ]) assert.ok(names.includes(n), n);
    const text = await prom.registry.metrics();
    for (const n of names) assert.match(text, new RegExp(`^# HELP ${n} \\S`, 'm'));
    assert.equal(register.getMetricsAsArray().filter((m) => m.name.startsWith('helios_')).length, 0);
    new PromMetrics(); // a second host in the same process does not collide
  });

  it('sets the governor, share, scheduler and cache gauges', async () => {
    const prom = new PromMetrics();
    prom.setBudget(budget());
    prom.setScheduler({ queued: 4, inFlight: 2 });
    prom.recordCacheLookup('l2', true);
    prom.recordCacheLookup('l2', false);
    prom.recordCacheLookup('l2', true);
    prom.recordBackoff();
    assert.equal(await sample(prom, 'helios_window_used_ratio'), 0.85);
    assert.equal(await sample(prom, 'helios_window_tokens'), 1000);
    assert.equal(await sample(prom, 'helios_opus_sonnet_ratio'), 0.3);
    assert.equal(await sample(prom, 'helios_governor_state', { state: 'throttled' }), 1);
    assert.equal(await sample(prom, 'helios_governor_state', { state: 'ok' }), 0);
    assert.equal(await sample(prom, 'helios_scheduler_queue_depth'), 4);
    assert.equal(await sample(prom, 'helios_scheduler_in_flight'), 2);
    assert.ok(Math.abs((await sample(prom, 'helios_cache_hit_rate', { cache_level: 'l2' }))! - 2 / 3) < 1e-9);
    assert.equal(await sample(prom, 'helios_cache_hit_rate', { cache_level: 'l3' }), 0, 'zero until the cache exists');
    assert.equal(await sample(prom, 'helios_rate_limit_backoffs_total'), 1);
  });

  it('keeps labels bounded: no task ids, plan ids or paths; unknown models and agents are `other`', async () => {
    const prom = new PromMetrics();
    for (let i = 0; i < MAX_PROJECTS + 10; i++) prom.recordCall(call({ workspace: `file:///repos/project-${i}`, taskId: `T${i}`, planId: `p${i}` }));
    prom.recordCall(call({ model: 'gpt-something', family: null }));
    prom.recordTask({ agent: 'T42-made-up', seconds: 3, outcome: 'success' });
    const text = await prom.registry.metrics();
    assert.doesNotMatch(text, /T\d+"|p\d+"|\/repos\/|file:/);
    const projects = new Set([...text.matchAll(/project="([^"]+)"/g)].map((m) => m[1]));
    assert.equal(projects.size, MAX_PROJECTS + 1, 'the cap plus `other`');
    assert.ok(projects.has('other'));
    assert.match(text, /model="other",family="other"/);
    assert.match(text, /helios_agent_tasks_total\{agent_type="other",outcome="success"\} 1/);
  });

  it('label helpers', () => {
    assert.equal(projectName('file:///home/dev/My%20Project/'), 'my_project');
    assert.equal(projectName('C:\\work\\Repo.One'), 'repo.one');
    assert.equal(projectName('/'), 'unnamed');
    assert.equal(modelLabel('claude-opus-5-5'), 'claude-opus-5-5');
    assert.equal(modelLabel('claude-opus-5-5-20991231'), 'other');
    assert.equal(agentLabel('coder'), 'coder');
    assert.equal(agentLabel(null), 'other');
    const labels = new ProjectLabels(1);
    assert.equal(labels.labelOf('/a/x'), 'x');
    assert.equal(labels.labelOf('/b/y'), 'other');
    assert.equal(labels.labelOf('/c/x'), 'x');
  });
});

describe('metrics: scheduler events', () => {
  const task = (status: TaskRun['status'], over: Partial<TaskRun> = {}): TaskRun => ({ status, attempts: 1, ...over });
  const run = (tasks: Record<string, TaskRun>, state: PlanRun['state'] = 'running'): PlanRun => ({ planId: 'p', state, tasks, updatedAt: '' });

  it('records terminal transitions with latency, back-offs, plan cost and queue gauges; not resumed finished tasks', async () => {
    const prom = new PromMetrics();
    const tally = new MetricsTally();
    const observe = observeScheduler(fanOutSink(prom, tally), { workspace: 'file:///w/app' });
    observe({ planId: 'p', run: run({ A: task('done'), B: task('ready'), C: task('pending') }) });
    observe({ planId: 'p', run: run({ A: task('done'), B: task('running', { startedAt: '2026-11-24T12:00:00Z' }), C: task('pending') }) });
    assert.equal(await sample(prom, 'helios_scheduler_in_flight'), 1);
    assert.equal(await sample(prom, 'helios_scheduler_queue_depth'), 1);
    observe({ planId: 'p', run: run({ A: task('done'), B: task('ready', { error: { reason: 'provider_rate_limited', message: '' } }), C: task('pending') }) });
    observe({ planId: 'p', run: run({ A: task('done'), B: task('running', { startedAt: '2026-11-24T12:00:00Z' }), C: task('pending') }) });
    observe({ planId: 'p', run: run({
      A: task('done'), B: task('done', { startedAt: '2026-11-24T12:00:00Z', finishedAt: '2026-11-24T12:00:12.5Z', costUsd: 0.5 }),
      C: task('failed', { startedAt: '2026-11-24T12:00:10Z', finishedAt: '2026-11-24T12:00:11Z' }),
    }, 'done') });
    assert.equal(await sample(prom, 'helios_agent_tasks_total', { agent_type: 'coder', outcome: 'success' }), 1, 'A was done before this process');
    assert.equal(await sample(prom, 'helios_agent_tasks_total', { agent_type: 'coder', outcome: 'failure' }), 1);
    assert.equal(await sample(prom, 'helios_rate_limit_backoffs_total'), 1);
    const latency = await prom.registry.getSingleMetric('helios_task_latency_seconds')!.get();
    assert.equal(latency.values.find((v) => nameOf(v) === 'helios_task_latency_seconds_sum')?.value, 13.5);
    const planCost = await prom.registry.getSingleMetric('helios_project_cost_dollars')!.get();
    assert.equal(planCost.values.find((v) => nameOf(v) === 'helios_project_cost_dollars_count')?.value, 1);
    const json = buildMetricsJson({ tally, records: [], workspace: 'file:///w/app', now: NOW });
    assert.equal(json.performance.avg_task_latency, 13.5 / 2);
    assert.deepEqual(json.agent_metrics.success_rate, { coder: 0.5 });
    assert.deepEqual(json.agent_metrics.tasks, { coder: { success: 1, failure: 1, skipped: 0 } });
  });
});

describe('metrics: the JSON API', () => {
  it('has the seed shape: token_usage, cost (with projected_monthly), performance, agent_metrics', () => {
    const tally = new MetricsTally();
    tally.setBudget(budget());
    const ws = 'file:///w/app';
    const records = [
      call({ workspace: ws, ts: '2026-11-20T12:00:00Z', costUsd: 1 }),
      call({ workspace: ws, ts: '2026-11-24T11:00:00Z', costUsd: 3 }),
      call({ workspace: 'file:///w/other', ts: '2026-11-24T11:00:00Z', costUsd: 5 }),
      call({ workspace: ws, ts: '2026-10-30T12:00:00Z', costUsd: 100 }),
    ];
    const json = buildMetricsJson({ tally, records, workspace: ws, now: NOW });
    assert.equal(json.token_usage.total_5h_window, 1000);
    assert.equal(json.token_usage.opus_pct, 30);
    assert.equal(json.token_usage.sonnet_pct, 70);
    assert.equal(json.token_usage.window_used_ratio, 0.85);
    assert.equal(json.cost.current_project, 4, 'this month only, this project only');
    // Trend: $4 over the 4 days since the first record in the last 7 → $1/day; 6.5 days left.
    assert.equal(json.cost.projection.daily_rate, 1);
    assert.equal(json.cost.projection.days_left, 6.5);
    assert.equal(json.cost.projected_monthly, 10.5);
    assert.deepEqual(json.cost.per_project, [{ project: 'other', cost_usd: 5 }, { project: 'app', cost_usd: 4 }]);
    assert.deepEqual(json.performance.cache_hit_rate, { l1: 0, l2: 0, l3: 0 });
    assert.equal(json.performance.avg_task_latency, null);
  });

  it('projects nothing from an empty ledger, and a young ledger averages over at least a day', () => {
    assert.equal(projectMonthly([], NOW).projected, 0);
    const p = projectMonthly([call({ ts: '2026-11-24T11:00:00Z', costUsd: 2 })], NOW);
    assert.equal(p.trend_days, 1);
    assert.equal(p.projected, 2 + 2 * 6.5);
  });
});

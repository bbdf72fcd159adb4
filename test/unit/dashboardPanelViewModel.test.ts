import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DashboardPanelStrings, DashboardSnapshot } from '../../src/shared/protocol/dashboardPanel';
import { DASHBOARD_KPIS } from '../../src/shared/protocol/dashboardPanel';
import { buildDashboardView, formatSeconds, TARGETS } from '../../src/webview/dashboard/viewModel';

/** English, as dashboardPanelStrings() returns it (that module needs `vscode`, so it is mirrored here). */
const strings: DashboardPanelStrings = {
  title: 'Helios Dashboard',
  unavailable: 'The metrics could not be read.',
  updatedAt: 'Updated {0}',
  kpiTitles: {
    window: 'Tokens in the 5-hour window', cost: 'Cost per project', latency: 'Average task latency',
    cache: 'Cache hit rate', opus: 'Opus vs Sonnet', agents: 'Agent success and failure',
  },
  target: 'Target {0}',
  noTarget: 'No target',
  met: 'met',
  notMet: 'not met',
  unknown: 'no data yet',
  windowSummary: '{0} tokens, {1} of the window used',
  governorStates: { ok: 'OK', throttled: 'Throttled', paused: 'Paused' },
  costSummary: '{0} this month, {1} projected for the month',
  projectionNote: 'Projected from {0} per day over the last {1} days',
  colProject: 'Project',
  colCost: 'Cost',
  noCost: 'No project has spent anything this month.',
  latencySummary: '{0} per task on average',
  colAgent: 'Agent',
  colLatency: 'Average latency',
  noTasks: 'No task has run yet',
  cacheSummary: 'L2 and L3 together: {0} of {1} lookups hit',
  noCache: 'No cache yet: nothing has been looked up',
  noL2L3: 'No L2 or L3 lookups yet',
  colLayer: 'Layer',
  colHitRate: 'Hit rate',
  colLookups: 'Lookups',
  opusSummary: "Opus {0}, Sonnet {1}, other {2} of the window's tokens",
  families: { opus: 'Opus', sonnet: 'Sonnet', other: 'Other' },
  noTokens: 'No tokens in this window yet',
  agentsSummary: '{0} of {1} tasks succeeded',
  colSuccess: 'Succeeded',
  colFailure: 'Failed',
  colSkipped: 'Skipped',
  colRate: 'Success rate',
  agents: { architect: 'Architect', coder: 'Coder', reviewer: 'Reviewer', tester: 'Tester', analysis: 'Analysis', other: 'Other' },
  seconds: '{0} s',
  minutesSeconds: '{0} min {1} s',
};

const clock = { locale: 'en', timeZone: 'UTC' };

function snapshot(over: {
  window?: Partial<DashboardSnapshot['metrics']['token_usage']>;
  latency?: number | null;
  byAgent?: Record<string, number>;
  tasks?: DashboardSnapshot['metrics']['agent_metrics']['tasks'];
  cache?: Partial<DashboardSnapshot['cacheLookups']>;
  perProject?: Array<{ project: string; cost_usd: number }>;
} = {}): DashboardSnapshot {
  return {
    metrics: {
      token_usage: { total_5h_window: 120_000, opus_pct: 30, sonnet_pct: 60, window_used_ratio: 0.42, governor_state: 'ok', ...over.window },
      cost: {
        current_project: 1.5,
        projected_monthly: 12.25,
        projection: { daily_rate: 0.5, trend_days: 2.2, days_left: 21.5 },
        per_project: over.perProject ?? [{ project: 'helios', cost_usd: 1.5 }, { project: 'other', cost_usd: 0.75 }],
      },
      performance: { avg_task_latency: over.latency === undefined ? 12 : over.latency, avg_task_latency_by_agent: over.byAgent ?? { coder: 20, reviewer: 45 } },
      agent_metrics: { tasks: over.tasks ?? { coder: { success: 3, failure: 1, skipped: 2 }, reviewer: { success: 1, failure: 0, skipped: 0 } } },
      generated_at: '2026-03-10T12:34:00Z',
    },
    cacheLookups: { l1: { hits: 5, misses: 5 }, l2: { hits: 3, misses: 2 }, l3: { hits: 1, misses: 4 }, ...over.cache },
  };
}

describe('buildDashboardView', () => {
  it('gives every KPI its value, target and verdict, in the contract order', () => {
    const v = buildDashboardView(snapshot(), strings, clock);
    assert.deepEqual(DASHBOARD_KPIS.map((k) => v[k].kpi), ['window', 'cost', 'latency', 'cache', 'opus', 'agents']);
    assert.deepEqual(DASHBOARD_KPIS.map((k) => [v[k].value, v[k].met]), [
      [42, 'true'], [1.5, 'unknown'], [12, 'true'], [40, 'false'], [30, 'true'], [80, 'unknown'],
    ]);
    assert.equal(v.updatedText, 'Updated 12:34');
  });

  it('writes every number as text, with the target and verdict in the accessible summary', () => {
    const v = buildDashboardView(snapshot(), strings, clock);
    assert.equal(v.window.valueText, '42%');
    assert.equal(v.window.targetText, 'Target < 90%');
    assert.equal(v.window.summary, 'Tokens in the 5-hour window: 120k tokens, 42% of the window used. Target < 90%: met.');
    assert.equal(v.window.stateText, 'OK');
    assert.equal(v.cost.summary, 'Cost per project: $1.50 this month, $12.25 projected for the month. No target.');
    assert.equal(v.cost.projectionText, 'Projected from $0.50 per day over the last 3 days');
    assert.deepEqual(v.cost.rows.map((r) => [r.label, r.cells, r.fraction]), [['helios', ['$1.50'], 1], ['other', ['$0.75'], 0.5]]);
    assert.equal(v.latency.valueText, '12 s');
    assert.equal(v.latency.targetText, 'Target 30 s');
    assert.deepEqual(v.latency.rows.map((r) => [r.label, r.cells[0], r.met]), [['Coder', '20 s', 'true'], ['Reviewer', '45 s', 'false']]);
    assert.equal(v.cache.summary, 'Cache hit rate: L2 and L3 together: 40% of 10 lookups hit. Target > 40%: not met.');
    assert.deepEqual(v.cache.rows.map((r) => [r.label, ...r.cells]), [['L1', '50%', '10'], ['L2', '60%', '5'], ['L3', '20%', '5']]);
    assert.equal(v.opus.summary, "Opus vs Sonnet: Opus 30%, Sonnet 60%, other 10% of the window's tokens. Target < 50%: met.");
    assert.deepEqual(v.agents.rows.map((r) => [r.label, ...r.cells]), [['Coder', '3', '1', '2', '75%'], ['Reviewer', '1', '0', '0', '100%']]);
    assert.equal(v.agents.summary, 'Agent success and failure: 80% of 5 tasks succeeded. No target.');
  });

  it('marks targets missed at and beyond their limits', () => {
    const v = buildDashboardView(snapshot({
      window: { window_used_ratio: TARGETS.windowUseBelow, opus_pct: 50, sonnet_pct: 50 },
      latency: 30,
      cache: { l2: { hits: 9, misses: 1 }, l3: { hits: 0, misses: 0 } },
    }), strings, clock);
    assert.equal(v.window.met, 'false');
    assert.equal(v.opus.met, 'false');
    assert.equal(v.latency.met, 'false');
    assert.equal(v.cache.met, 'true');
    assert.equal(v.cache.value, 90);
    assert.ok(v.window.summary.endsWith('Target < 90%: not met.'));
  });

  it('says honestly when there is nothing to judge: no cache, no tasks, no tokens, no budget', () => {
    const none = { hits: 0, misses: 0 };
    const v = buildDashboardView(snapshot({
      window: { total_5h_window: 0, opus_pct: 0, sonnet_pct: 0, window_used_ratio: 0, governor_state: null },
      latency: null, byAgent: {}, tasks: {}, perProject: [],
      cache: { l1: none, l2: none, l3: none },
    }), strings, clock);
    assert.deepEqual(DASHBOARD_KPIS.map((k) => [v[k].value, v[k].met]), [
      [0, 'unknown'], [1.5, 'unknown'], [0, 'unknown'], [0, 'unknown'], [0, 'unknown'], [0, 'unknown'],
    ]);
    assert.equal(v.cache.empty, true);
    assert.equal(v.cache.valueText, '–');
    assert.equal(v.cache.summary, 'Cache hit rate: No cache yet: nothing has been looked up. Target > 40%: no data yet.');
    assert.equal(v.latency.summary, 'Average task latency: No task has run yet. Target 30 s: no data yet.');
    assert.equal(v.opus.summary, 'Opus vs Sonnet: No tokens in this window yet. Target < 50%: no data yet.');
    assert.equal(v.window.stateText, null);
    assert.equal(v.cost.rows.length, 0);
  });

  it('does not call an L1-only cache "no cache", but leaves the L2+L3 target unjudged', () => {
    const none = { hits: 0, misses: 0 };
    const v = buildDashboardView(snapshot({ cache: { l1: { hits: 1, misses: 0 }, l2: none, l3: none } }), strings, clock);
    assert.equal(v.cache.empty, false);
    assert.equal(v.cache.met, 'unknown');
    assert.equal(v.cache.summary, 'Cache hit rate: No L2 or L3 lookups yet. Target > 40%: no data yet.');
    assert.deepEqual(v.cache.rows.map((r) => r.cells[0]), ['100%', '–', '–']);
  });

  it('never writes NaN or values outside 0..1 as bar fractions', () => {
    const v = buildDashboardView(snapshot({ window: { window_used_ratio: Number.NaN, opus_pct: 250 }, perProject: [{ project: 'z', cost_usd: 0 }] }), strings, clock);
    assert.equal(v.window.value, 0);
    assert.equal(v.window.fraction, 0);
    assert.equal(v.opus.shares.opus, 1);
    assert.equal(v.opus.shares.sonnet, 0);
    assert.equal(v.cost.rows[0]?.fraction, 0);
  });
});

describe('formatSeconds', () => {
  it('formats short, medium and long latencies', () => {
    assert.equal(formatSeconds(0.42, strings), '0.4 s');
    assert.equal(formatSeconds(12.3, strings), '12 s');
    assert.equal(formatSeconds(59.7, strings), '1 min 0 s');
    assert.equal(formatSeconds(75, strings), '1 min 15 s');
    assert.equal(formatSeconds(Number.NaN, strings), '–');
    assert.equal(formatSeconds(-1, strings), '–');
  });
});

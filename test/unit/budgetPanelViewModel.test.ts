import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BudgetSnapshot } from '../../src/shared/budget';
import type { BudgetPanelStrings } from '../../src/shared/protocol/budgetPanel';
import { buildBudgetView, FAMILY_ORDER } from '../../src/webview/budget/viewModel';

/** English, as budgetPanelStrings() returns it (that module needs `vscode`, so it is mirrored here). */
const strings: BudgetPanelStrings = {
  title: 'Helios Budget',
  unavailable: 'The budget could not be read.',
  states: { ok: 'OK', throttled: 'Throttled', paused: 'Paused' },
  stateDetails: { ok: 'Calls run normally.', throttled: 'Near the cap.', paused: 'At the cap: new calls wait until the budget resets at {0}.' },
  plans: { pro: 'Pro plan', max5x: 'Max 5x plan', max20x: 'Max 20x plan', api: 'API (metered)', custom: 'Custom plan' },
  capSources: { default: 'default', configured: 'configured', observed: 'observed ceiling ≈ {0} from {1} windows' },
  families: { fable: 'Fable', opus: 'Opus', sonnet: 'Sonnet', haiku: 'Haiku' },
  periodWindow: '5-hour window',
  periodDay: 'Today',
  noActivePeriod: 'no active window',
  gaugeSummary: '{0} used and {1} reserved of {2} ({3})',
  used: 'Used',
  reserved: 'Reserved',
  cap: 'Cap',
  threshold: 'Throttle threshold',
  throttleAt: 'Throttles at {0}',
  resetsIn: 'Resets in {0}',
  resetsAt: 'Reset time: {0}',
  queue: '{0} calls in flight · {1} waiting',
  burnRate: '{0} per minute',
  capReachedAt: 'Cap reached at {0} at this rate',
  withinBudget: 'Within budget at this rate',
  capReachedNow: 'Cap reached: new calls wait for the reset',
  projected: '{0} projected by the end of the period',
  now: 'now',
  projectedLegend: 'Projection',
  durationDaysHours: '{0} d {1} h',
  durationHoursMinutes: '{0} h {1} min',
  durationMinutes: '{0} min',
  durationUnderMinute: 'less than a minute',
  sectionSources: 'Who is spending',
  sectionFamilies: 'Model families',
  sectionHistory: 'Burn rate',
  sectionProjects: 'Projects',
  sectionWindows: 'Recent windows',
  sectionTotals: 'Current period',
  colFamily: 'Family',
  colUnits: 'Units',
  colTokens: 'Tokens',
  colCost: 'Cost',
  colCalls: 'Calls',
  colShare: 'Share',
  colProject: 'Project',
  colWindow: 'Window',
  colSource: 'Who',
  colInFlight: 'In flight',
  sourceKinds: {
    self: 'This window', window: 'Another window', cli: 'Helios CLI', bench: 'Benchmarks', member: 'Teammate',
    claudeCode: 'Claude Code outside Helios', other: 'Another process', unattributed: 'Earlier, unattributed',
  },
  noSources: 'Nobody has spent anything in this period yet.',
  total: 'Total',
  limitHit: 'limit hit',
  noFamilies: 'No calls in this period yet.',
  noHistory: 'No usage in this period yet.',
  noProjects: 'No project has spent anything in this period.',
  noWindows: 'No earlier windows recorded.',
  weekly: 'Last 7 days: {0} · {1} tokens · {2}',
  weeklyUsd: 'Last 7 days: {0} · {1} tokens',
  month: 'This month: {0} of {1} ({2})',
  unitTokens: 'units: weighted tokens',
  unitUsd: 'units: US dollars',
  commands: { pause: 'Pause', resume: 'Resume', openSettings: 'Settings', showLog: 'Show Log' },
  providers: { anthropic: 'Anthropic API', simulator: 'Simulator', 'claude-code': 'Claude Code' },
};

const clock = { locale: 'en', timeZone: 'UTC' };

function snapshot(over: Partial<BudgetSnapshot> = {}): BudgetSnapshot {
  return {
    plan: 'max5x',
    unit: 'tokens',
    state: 'throttled',
    provider: 'anthropic',
    period: { start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T14:00:00.000Z', active: true },
    used: 181_200,
    reserved: 9_800,
    cap: 220_000,
    capSource: 'observed',
    throttleAt: 0.8,
    byFamily: {
      fable: { units: 0, tokens: 0, costUsd: 0, calls: 0 },
      opus: { units: 68_856, tokens: 117_055, costUsd: 1.05, calls: 14 },
      sonnet: { units: 85_164, tokens: 144_779, costUsd: 0.58, calls: 61 },
      haiku: { units: 27_180, tokens: 46_206, costUsd: 0.0042, calls: 118 },
    },
    burnRatePerMin: 1_150,
    projectedAtEnd: 346_800,
    capReachedAt: '2026-11-24T12:09:00.000Z',
    observedCeiling: { value: 231_000, windows: 6 },
    weekly: { units: 1_482_300, tokens: 2_611_000, costUsd: 41.27 },
    month: null,
    perProject: [
      { workspace: 'file:///home/dana/src/design%20system', units: 54_400, costUsd: 1.92 },
      { workspace: 'file:///home/dana/src/shop-api', units: 99_700, costUsd: 3.41 },
    ],
    sources: [
      { kind: 'self', label: 'VS Code: shop-api', units: 99_700, costUsd: 3.41, calls: 120, inFlight: 1, reservedUnits: 2_800 },
      { kind: 'window', label: 'VS Code: design system', units: 54_400, costUsd: 1.92, calls: 60, inFlight: 2, reservedUnits: 7_000 },
      { kind: 'cli', label: 'helios run shop-api', units: 27_100, costUsd: 0.31, calls: 13, inFlight: 0, reservedUnits: 0 },
    ],
    history: [
      { t: '2026-11-24T09:00:00.000Z', used: 0 },
      { t: '2026-11-24T10:00:00.000Z', used: 40_000 },
      { t: '2026-11-24T11:30:00.000Z', used: 175_000 },
    ],
    recentWindows: [
      { start: '2026-11-23T17:40:00.000Z', end: '2026-11-23T22:40:00.000Z', units: 231_400, tokens: 402_900, costUsd: 8.9, calls: 240, hitLimit: true },
      { start: '2026-11-24T03:12:00.000Z', end: '2026-11-24T08:12:00.000Z', units: 198_200, tokens: 331_000, costUsd: 6.12, calls: 184, hitLimit: false },
    ],
    inFlight: 3,
    waiting: 2,
    now: '2026-11-24T11:36:00.000Z',
    ...over,
  };
}

describe('buildBudgetView', () => {
  it('states the governor state, plan and period in words', () => {
    const v = buildBudgetView(snapshot(), strings, clock);
    assert.equal(v.state, 'throttled');
    assert.equal(v.stateLabel, 'Throttled');
    assert.deepEqual(v.headerParts, ['Max 5x plan', 'Anthropic API', 'units: weighted tokens']);
    assert.equal(v.periodText, '5-hour window · 09:00–14:00');
    assert.equal(v.resetsInText, 'Resets in 2 h 24 min');
    assert.equal(v.resetsAtText, 'Reset time: 14:00');
    assert.equal(v.queueText, '3 calls in flight · 2 waiting');
    assert.equal(v.toggleCommand, 'pause');
  });

  it('puts the gauge numbers in text, with where the cap came from', () => {
    const g = buildBudgetView(snapshot(), strings, clock).gauge;
    assert.equal(g.usedText, '181k');
    assert.equal(g.reservedText, '9.8k');
    assert.equal(g.capText, '220k');
    assert.equal(g.percentText, '87%', 'used + reserved against the cap');
    assert.equal(g.capSourceText, 'observed ceiling ≈ 231k from 6 windows');
    assert.equal(g.throttleText, 'Throttles at 80%');
    assert.equal(g.thresholdValueText, '80% · 176k');
    assert.equal(g.summary, 'Throttled. 181k used and 9.8k reserved of 220k (87%)');
    assert.equal(buildBudgetView(snapshot({ capSource: 'configured' }), strings, clock).gauge.capSourceText, 'configured');
    assert.equal(buildBudgetView(snapshot({ capSource: 'default' }), strings, clock).gauge.capSourceText, 'default');
  });

  it('splits usage by family in a fixed order, with shares and a total', () => {
    const f = buildBudgetView(snapshot(), strings, clock).families;
    assert.deepEqual(f.rows.map((r) => r.family), [...FAMILY_ORDER]);
    const opus = f.rows.find((r) => r.family === 'opus');
    assert.deepEqual(
      { units: opus?.unitsText, tokens: opus?.tokensText, cost: opus?.costText, calls: opus?.callsText, share: opus?.shareText },
      { units: '68.9k', tokens: '117k', cost: '$1.05', calls: '14', share: '38%' },
    );
    assert.equal(f.rows.find((r) => r.family === 'haiku')?.costText, '$0.0042');
    assert.equal(f.total.label, 'Total');
    assert.equal(f.total.unitsText, '181k');
    assert.equal(f.total.callsText, '193');
    assert.equal(f.total.costText, '$1.63');
    assert.equal(f.summary, 'Opus 38%, Sonnet 47%, Haiku 15%', 'families without usage are left out');
  });

  it('says when the cap is reached at this rate, or that it is not', () => {
    const h = buildBudgetView(snapshot(), strings, clock).history;
    assert.equal(h.outlookText, 'Cap reached at 12:09 at this rate');
    assert.equal(h.capWillBeReached, true);
    assert.equal(h.burnRateText, '1.1k per minute');
    assert.equal(h.projectedText, '347k projected by the end of the period');
    assert.equal(h.points.length, 3);
    assert.equal(h.end - h.start, 5 * 3_600_000);
    const calm = buildBudgetView(snapshot({ state: 'ok', used: 40_000, capReachedAt: null, projectedAtEnd: 90_000 }), strings, clock).history;
    assert.equal(calm.outlookText, 'Within budget at this rate');
    assert.equal(calm.capWillBeReached, false);
  });

  it('offers Resume when paused, and says when the budget resets', () => {
    const v = buildBudgetView(snapshot({ state: 'paused', used: 221_900, reserved: 0, capReachedAt: null }), strings, clock);
    assert.equal(v.toggleCommand, 'resume');
    assert.equal(v.stateDetail, 'At the cap: new calls wait until the budget resets at 14:00.');
    assert.equal(v.history.outlookText, 'Cap reached: new calls wait for the reset');
    assert.equal(v.gauge.percentText, '101%');
  });

  it('lists projects by cost, named by folder, keeping the full URI', () => {
    const p = buildBudgetView(snapshot(), strings, clock).projects;
    assert.deepEqual(p.map((r) => [r.name, r.costText, r.shareText]), [['shop-api', '$3.41', '64%'], ['design system', '$1.92', '36%']]);
    assert.equal(p[1]?.uri, 'file:///home/dana/src/design%20system');
  });

  it('lists who is spending: this window first, with shares of the period, calls in flight and reservations', () => {
    const v = buildBudgetView(snapshot(), strings, clock);
    assert.deepEqual(v.sources.map((r) => [r.kindText, r.label, r.unitsText, r.shareText, r.callsText, r.inFlightText, r.reservedText]), [
      ['This window', 'VS Code: shop-api', '99.7k', '55%', '120', '1', '2.8k'],
      ['Another window', 'VS Code: design system', '54.4k', '30%', '60', '2', '7k'],
      ['Helios CLI', 'helios run shop-api', '27.1k', '15%', '13', '0', '0'],
    ]);
    assert.deepEqual(buildBudgetView(snapshot({ sources: [] }), strings, clock).sources, []);
  });

  it('lists recent windows newest first, with dates for earlier days and the limit mark', () => {
    const w = buildBudgetView(snapshot(), strings, clock).windows;
    assert.deepEqual(w.map((r) => [r.range, r.hitLimit]), [['03:12–08:12', false], ['Nov 23, 17:40–22:40', true]]);
    assert.deepEqual([w[1]?.unitsText, w[1]?.tokensText, w[1]?.costText, w[1]?.callsText], ['231k', '403k', '$8.90', '240']);
  });

  it('shows dollars, the calendar day and the month for API plans', () => {
    const v = buildBudgetView(
      snapshot({
        plan: 'api', unit: 'usd', state: 'ok', used: 6.14, reserved: 0.98, cap: 22, capSource: 'configured', burnRatePerMin: 0.042,
        projectedAtEnd: 12.19, capReachedAt: null, weekly: { units: 41.27, tokens: 2_611_000, costUsd: 41.27 },
        month: { costUsd: 63.4, budgetUsd: 150 },
        period: { start: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z', active: true },
      }),
      strings,
      clock,
    );
    assert.equal(v.gauge.usedText, '$6.14');
    assert.equal(v.gauge.capText, '$22.00');
    assert.equal(v.gauge.percentText, '32%');
    assert.equal(v.periodText, 'Today · Nov 24');
    assert.equal(v.resetsInText, 'Resets in 12 h 24 min');
    assert.equal(v.history.burnRateText, '$0.04 per minute');
    assert.equal(v.weeklyText, 'Last 7 days: $41.27 · 2.61M tokens', 'units and cost are the same thing here: said once');
    assert.equal(v.month?.text, 'This month: $63.40 of $150.00 (42%)');
    assert.ok(Math.abs((v.month?.fraction ?? 0) - 0.4227) < 0.001);
    assert.equal(v.headerParts[2], 'units: US dollars');
  });

  it('handles a period with no activity yet', () => {
    const v = buildBudgetView(
      snapshot({
        state: 'ok', used: 0, reserved: 0, history: [], perProject: [], recentWindows: [], capReachedAt: null, projectedAtEnd: 0, burnRatePerMin: 0,
        byFamily: { fable: { units: 0, tokens: 0, costUsd: 0, calls: 0 }, opus: { units: 0, tokens: 0, costUsd: 0, calls: 0 }, sonnet: { units: 0, tokens: 0, costUsd: 0, calls: 0 }, haiku: { units: 0, tokens: 0, costUsd: 0, calls: 0 } },
        period: { start: '2026-11-24T11:36:00.000Z', end: '2026-11-24T16:36:00.000Z', active: false },
      }),
      strings,
      clock,
    );
    assert.equal(v.periodText, '5-hour window · no active window');
    assert.equal(v.resetsInText, null);
    assert.equal(v.resetsAtText, null);
    assert.equal(v.gauge.percentText, '0%');
    assert.equal(v.families.summary, 'No calls in this period yet.');
    assert.equal(v.families.total.shareText, '0%');
    assert.deepEqual(v.projects, []);
    assert.deepEqual(v.windows, []);
    assert.equal(v.history.outlookText, 'Within budget at this rate');
  });

  it('moves the countdown with the page clock, and only the countdown', () => {
    const s = snapshot();
    const later = Date.parse(s.now) + 30 * 60_000;
    const v = buildBudgetView(s, strings, { ...clock, now: later });
    assert.equal(v.resetsInText, 'Resets in 1 h 54 min');
    assert.equal(v.history.now, Date.parse(s.now));
    assert.equal(buildBudgetView(s, strings, { ...clock, now: Date.parse(s.period.end) + 1 }).resetsInText, 'Resets in less than a minute');
  });

  it('keeps working when the host sends strings without some tables', () => {
    const partial = { ...strings, states: undefined, families: undefined, sourceKinds: undefined } as unknown as BudgetPanelStrings;
    const v = buildBudgetView(snapshot(), partial, clock);
    assert.equal(v.stateLabel, 'throttled');
    assert.equal(v.families.rows[1]?.label, 'opus');
    assert.equal(v.sources[1]?.kindText, 'window');
  });

  it('is plain data', () => {
    const v = buildBudgetView(snapshot(), strings, clock);
    assert.deepEqual(JSON.parse(JSON.stringify(v)), v);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMetricsJson } from '../../src/core/metrics/metricsJson';
import { MetricsTally } from '../../src/core/metrics/metricsTally';
import { parseDashboardPanelMessage } from '../../src/extension/dashboardPanel/dashboardPanelMessages';
import { dashboardSnapshot } from '../../src/extension/dashboardPanel/dashboardPanelSnapshot';
import { isHostMessage } from '../../src/webview/dashboard/vscodeApi';

describe('parseDashboardPanelMessage', () => {
  it('accepts ready', () => {
    assert.deepEqual(parseDashboardPanelMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
  });

  it('rejects anything else, including extra keys, and names the field', () => {
    const bad: unknown[] = [undefined, null, 'ready', 1, [], {}, { type: 'snapshot' }, { type: 'command', command: 'pause' },
      { type: 'ready', junk: 1 }, { type: 'READY' }, { type: ['ready'] }];
    for (const raw of bad) {
      const r = parseDashboardPanelMessage(raw);
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) assert.ok(r.reason.length > 0);
    }
    const r = parseDashboardPanelMessage({ type: 'go' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /type/);
  });
});

describe('dashboard snapshot', () => {
  const tally = new MetricsTally();
  tally.recordTask({ agent: 'coder', outcome: 'success', seconds: 12 });
  tally.recordCacheLookup('l2', true);
  tally.recordCacheLookup('l3', false);
  const json = buildMetricsJson({ tally, records: [], workspace: 'file:///w', now: Date.parse('2026-03-10T12:00:00Z') });
  const snapshot = dashboardSnapshot(json, tally.view().cache);

  it('carries the seed JSON unchanged and the raw cache lookups', () => {
    assert.equal(snapshot.metrics, json);
    assert.deepEqual(snapshot.cacheLookups, { l1: { hits: 0, misses: 0 }, l2: { hits: 1, misses: 0 }, l3: { hits: 0, misses: 1 } });
    assert.deepEqual(dashboardSnapshot(json, new Map()).cacheLookups.l1, { hits: 0, misses: 0 });
  });

  it('passes the page guard after a JSON round trip (as postMessage clones it), and malformed ones do not', () => {
    const msg = JSON.parse(JSON.stringify({ type: 'snapshot', snapshot, strings: {} })) as unknown;
    assert.equal(isHostMessage(msg), true);
    assert.equal(isHostMessage({ type: 'snapshot', snapshot: null, strings: {} }), true);
    type Loose = { metrics: { cost: { per_project: unknown }; agent_metrics: unknown } | string; cacheLookups: Record<string, unknown> };
    const broken = (patch: (s: Loose) => void) => {
      const s = JSON.parse(JSON.stringify(snapshot)) as Loose;
      patch(s);
      return { type: 'snapshot', snapshot: s, strings: {} };
    };
    for (const bad of [
      null, {}, { type: 'snapshot', snapshot },
      broken((s) => { delete s.cacheLookups['l3']; }),
      broken((s) => { if (typeof s.metrics === 'object') s.metrics.cost.per_project = {}; }),
      broken((s) => { if (typeof s.metrics === 'object') s.metrics.agent_metrics = null; }),
      broken((s) => { s.metrics = 'x'; }),
    ]) {
      assert.equal(isHostMessage(bad), false, JSON.stringify(bad));
    }
  });
});

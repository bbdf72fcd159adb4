import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PromMetrics } from '../../src/infra/metrics/promMetrics';

interface Target { readonly expr: string; readonly datasource?: { readonly uid?: string } }
interface Panel { readonly type: string; readonly title: string; readonly targets: readonly Target[]; readonly datasource?: { readonly uid?: string } }
interface Dashboard {
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly name: string; readonly type: string; readonly query: string }> };
}

const dashboard = JSON.parse(readFileSync(path.resolve('media/grafana/helios-dashboard.json'), 'utf8')) as Dashboard;
const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
/** Grafana's own variables are not PromQL; promtool sees a fixed range in their place. */
const asPromQl = (expr: string) => expr.replace(/\$__(range|rate_interval|interval)/g, '5m');

describe('Grafana dashboard', () => {
  it('has the six KPI panels on a Prometheus data-source variable', () => {
    assert.equal(dashboard.panels.length, 6);
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    assert.ok(variable && variable.query === 'prometheus');
    for (const p of dashboard.panels) {
      assert.ok(p.targets.length > 0, p.title);
      for (const ds of [p.datasource, ...p.targets.map((t) => t.datasource)]) assert.equal(ds?.uid, `\${${variable.name}}`, p.title);
    }
    assert.deepEqual(dashboard.panels.map((p) => p.type).sort(), ['barchart', 'bargauge', 'gauge', 'piechart', 'piechart', 'timeseries']);
  });

  it('names in every expression only metrics the registry exports', () => {
    const exported = new Set(new PromMetrics().metricNames());
    const histograms = [...exported].filter((n) => /_seconds$|_dollars$/.test(n));
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\bhelios_[a-z0-9_]+/g)].map((m) => m[0]);
      assert.ok(names.length > 0, `${expr} names a Helios metric`);
      for (const name of names) {
        const base = histograms.find((h) => [`${h}_sum`, `${h}_count`, `${h}_bucket`].includes(name)) ?? name;
        assert.ok(exported.has(base), `${name} in «${expr}» is exported`);
      }
    }
  });

  it('every expression is valid PromQL (promtool check rules)', (t) => {
    if (spawnSync('promtool', ['--version']).error) {
      t.skip('promtool is not installed (apt-get install -y prometheus)');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'helios-grafana-'));
    const rules = ['groups:', '  - name: helios_dashboard', '    rules:',
      ...exprs.flatMap((e, i) => [`      - record: helios:dashboard_expr_${i}`, `        expr: ${JSON.stringify(asPromQl(e))}`])];
    const file = path.join(dir, 'rules.yml');
    writeFileSync(file, `${rules.join('\n')}\n`);
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});

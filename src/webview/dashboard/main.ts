/**
 * The KPI dashboard. The host sends a full snapshot on every change and whenever the page
 * (re)connects; the page keeps nothing of its own.
 *
 * DOM contract (end-to-end tests): `#dashboard-root[data-status="ready"]` holds one
 * `section.kpi[data-kpi][data-value][data-met]` per KPI.
 */
import type { DashboardPanelStrings, DashboardSnapshot } from '../../shared/protocol/dashboardPanel';
import { DASHBOARD_KPIS, type DashboardKpi } from '../../shared/protocol/dashboardPanel';
import { h } from '../common/dom';
import { pageLocale, setPageLocale } from '../common/pageLocale';
import { renderShareBar, renderTable, renderWindowGauge } from './charts';
import { buildDashboardView, type DashboardView, type KpiHeader } from './viewModel';
import { getVsCodeApi, isHostMessage } from './vscodeApi';

const MET_GLYPH = { true: '✓', false: '✗', unknown: '–' } as const;

function kpiSection(head: KpiHeader, body: readonly Node[]): HTMLElement {
  const section = h('section', 'kpi');
  section.dataset['kpi'] = head.kpi;
  section.dataset['value'] = String(head.value);
  section.dataset['met'] = head.met;
  section.setAttribute('aria-label', head.title);
  const top = h('header', 'kpi-header');
  top.append(h('h2', 'kpi-title', head.title));
  const value = h('p', 'kpi-value', head.valueText);
  const target = h('p', 'kpi-target');
  const glyph = h('span', 'kpi-met-glyph', MET_GLYPH[head.met]);
  glyph.setAttribute('aria-hidden', 'true');
  target.append(glyph, ` ${head.targetText}`, head.targetText === head.metText ? '' : ` · ${head.metText}`);
  const summary = h('p', 'kpi-summary', head.summary);
  top.append(value, target);
  section.append(top, summary, ...body);
  return section;
}

function kpiBody(kpi: DashboardKpi, view: DashboardView, strings: DashboardPanelStrings): Node[] {
  switch (kpi) {
    case 'window': {
      const nodes: Node[] = [renderWindowGauge(view.window)];
      if (view.window.stateText) nodes.push(h('p', 'kpi-note', view.window.stateText));
      return nodes;
    }
    case 'cost':
      return view.cost.rows.length === 0
        ? [h('p', 'kpi-empty', strings.noCost)]
        : [renderTable(view.cost.title, [strings.colProject, strings.colCost], view.cost.rows), h('p', 'kpi-note', view.cost.projectionText)];
    case 'latency':
      return view.latency.rows.length === 0
        ? []
        : [renderTable(view.latency.title, [strings.colAgent, strings.colLatency], view.latency.rows)];
    case 'cache':
      return view.cache.empty
        ? []
        : [renderTable(view.cache.title, [strings.colLayer, strings.colHitRate, strings.colLookups], view.cache.rows)];
    case 'opus': {
      const legend = h('ul', 'dash-legend');
      for (const key of ['opus', 'sonnet', 'other'] as const) {
        const item = h('li', `dash-legend-item is-${key}`);
        const swatch = h('span', 'dash-key', '');
        swatch.setAttribute('aria-hidden', 'true');
        item.append(swatch, strings.families[key]);
        legend.appendChild(item);
      }
      return view.opus.valueText === '–' ? [] : [renderShareBar(view.opus), legend];
    }
    case 'agents':
      return view.agents.rows.length === 0
        ? []
        : [renderTable(view.agents.title, [strings.colAgent, strings.colSuccess, strings.colFailure, strings.colSkipped, strings.colRate], view.agents.rows)];
  }
}

class DashboardApp {
  private readonly root: HTMLElement;

  constructor() {
    this.root = document.getElementById('dashboard-root') ?? document.body.appendChild(h('div', ''));
    this.root.id = 'dashboard-root';
    this.root.setAttribute('aria-busy', 'true');
    setPageLocale(document.documentElement.lang);
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (isHostMessage(e.data)) this.onSnapshot(e.data.snapshot, e.data.strings);
    });
  }

  private onSnapshot(snapshot: DashboardSnapshot | null, strings: DashboardPanelStrings): void {
    this.root.removeAttribute('aria-busy');
    if (!snapshot) {
      this.root.dataset['status'] = 'unavailable';
      this.root.replaceChildren(h('p', 'dash-message', strings.unavailable));
      return;
    }
    const view = buildDashboardView(snapshot, strings, { locale: pageLocale() });
    const header = h('header', 'dash-header');
    header.append(h('h1', 'dash-title', strings.title), h('p', 'dash-updated', view.updatedText));
    const grid = h('div', 'dash-grid');
    grid.append(...DASHBOARD_KPIS.map((kpi) => kpiSection(view[kpi], kpiBody(kpi, view, strings))));
    this.root.replaceChildren(header, grid);
    this.root.dataset['status'] = 'ready';
  }
}

const vscode = getVsCodeApi();
new DashboardApp();
vscode.postMessage({ type: 'ready' });

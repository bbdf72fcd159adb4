/** The family split (stacked bar and table), who is spending, the per-project table and the recent-windows table. */
import type { BudgetPanelStrings } from '../../shared/protocol/budgetPanel';
import { h, svgEl } from '../common/dom';
import { stackSegments } from './chartMath';
import type { BudgetView, UsageRow } from './viewModel';

const BAR_WIDTH = 1000;
const BAR_HEIGHT = 14;

interface Column<R> {
  readonly label: string;
  readonly cell: (row: R) => string | Node;
  readonly numeric?: boolean;
}

function table<R>(id: string, caption: string, allColumns: ReadonlyArray<Column<R> | false>, rows: readonly R[], footer?: R): HTMLTableElement {
  const columns = allColumns.filter((c): c is Column<R> => c !== false);
  const t = h('table', 'budget-table');
  t.id = id;
  t.appendChild(h('caption', 'budget-visually-hidden', caption));
  const headRow = t.createTHead().insertRow();
  for (const c of columns) {
    const th = h('th', c.numeric ? 'is-num' : '', c.label);
    th.scope = 'col';
    headRow.appendChild(th);
  }
  const body = t.createTBody();
  const fillRow = (tr: HTMLTableRowElement, row: R, header: 'th' | 'td'): void => {
    columns.forEach((c, i) => {
      const cell = h(i === 0 ? header : 'td', c.numeric ? 'is-num' : '');
      if (i === 0 && cell instanceof HTMLTableCellElement && header === 'th') cell.scope = 'row';
      const content = c.cell(row);
      if (typeof content === 'string') cell.textContent = content;
      else cell.appendChild(content);
      tr.appendChild(cell);
    });
  };
  for (const row of rows) fillRow(body.insertRow(), row, 'th');
  if (footer) fillRow(t.createTFoot().insertRow(), footer, 'th');
  return t;
}

/** Tokens, cost and calls: the columns every usage table ends with. */
function usageColumns<R extends { tokensText: string; costText: string; callsText: string }>(strings: BudgetPanelStrings): Array<Column<R>> {
  return [
    { label: strings.colTokens, cell: (r) => r.tokensText, numeric: true },
    { label: strings.colCost, cell: (r) => r.costText, numeric: true },
    { label: strings.colCalls, cell: (r) => r.callsText, numeric: true },
  ];
}

function scroller(child: Element): HTMLDivElement {
  const d = h('div', 'budget-table-scroll');
  d.appendChild(child);
  return d;
}

function familyCell(label: string, family?: string): HTMLElement {
  const span = h('span', 'budget-family');
  if (family) {
    const swatch = h('span', 'budget-swatch');
    swatch.dataset['family'] = family;
    swatch.setAttribute('aria-hidden', 'true');
    span.appendChild(swatch);
  }
  span.appendChild(document.createTextNode(label));
  return span;
}

export function renderFamilies(view: BudgetView, strings: BudgetPanelStrings): Element[] {
  const { rows, total, summary } = view.families;
  const bar = svgEl('svg', {
    class: 'budget-family-bar',
    viewBox: `0 0 ${BAR_WIDTH} ${BAR_HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': summary,
  });
  svgEl('rect', { class: 'budget-family-bar-track', width: BAR_WIDTH, height: BAR_HEIGHT }, bar);
  stackSegments(rows.map((r) => r.units), BAR_WIDTH).forEach((seg, i) => {
    const row = rows[i];
    if (!row || seg.width <= 0) return;
    const rect = svgEl('rect', { class: 'budget-family-seg', 'data-family': row.family, x: seg.x, width: seg.width, height: BAR_HEIGHT }, bar);
    svgEl('title', {}, rect).textContent = `${row.label}: ${row.unitsText} (${row.shareText})`;
  });

  const units = view.unit !== 'usd';
  const columns: ReadonlyArray<Column<UsageRow & { family?: string }> | false> = [
    { label: strings.colFamily, cell: (r) => familyCell(r.label, r.family) },
    units && { label: strings.colUnits, cell: (r) => r.unitsText, numeric: true },
    { label: strings.colShare, cell: (r) => r.shareText, numeric: true },
    ...usageColumns<UsageRow & { family?: string }>(strings),
  ];
  return [bar, scroller(table('budget-families', strings.sectionFamilies, columns, rows, total))];
}

export function renderProjects(view: BudgetView, strings: BudgetPanelStrings): HTMLElement {
  const units = view.unit !== 'usd';
  const columns: ReadonlyArray<Column<BudgetView['projects'][number]> | false> = [
    {
      label: strings.colProject,
      cell: (r) => {
        const span = h('span', 'budget-project', r.name);
        span.title = r.uri;
        return span;
      },
    },
    units && { label: strings.colUnits, cell: (r) => r.unitsText, numeric: true },
    { label: strings.colCost, cell: (r) => r.costText, numeric: true },
    { label: strings.colShare, cell: (r) => r.shareText, numeric: true },
  ];
  const t = table('budget-projects', strings.sectionProjects, columns, view.projects);
  return view.projects.length > 0 ? scroller(t) : withEmptyNote(t, strings.noProjects);
}

/**
 * Who is spending. Each row carries `data-kind`, `data-label`, `data-units` and `data-in-flight`
 * for tests and tools; the labels come from other processes' records, so they are text only.
 */
export function renderSources(view: BudgetView, strings: BudgetPanelStrings): HTMLElement {
  const units = view.unit !== 'usd';
  const columns: ReadonlyArray<Column<BudgetView['sources'][number]> | false> = [
    {
      label: strings.colSource,
      cell: (r) => {
        const span = h('span', 'budget-source', r.kindText);
        if (r.label !== null) span.append(' · ', h('span', 'budget-source-label', r.label));
        return span;
      },
    },
    units && { label: strings.colUnits, cell: (r) => r.unitsText, numeric: true },
    { label: strings.colShare, cell: (r) => r.shareText, numeric: true },
    { label: strings.colCost, cell: (r) => r.costText, numeric: true },
    { label: strings.colCalls, cell: (r) => r.callsText, numeric: true },
    { label: strings.colInFlight, cell: (r) => r.inFlightText, numeric: true },
    { label: strings.reserved, cell: (r) => r.reservedText, numeric: true },
  ];
  const t = table('budget-sources', strings.sectionSources, columns, view.sources);
  for (const [i, row] of view.sources.entries()) {
    const tr = t.tBodies[0]?.rows[i];
    if (!tr) continue;
    tr.dataset['kind'] = row.kind;
    if (row.label !== null) tr.dataset['label'] = row.label;
    tr.dataset['units'] = String(row.units);
    tr.dataset['inFlight'] = String(row.inFlight);
    if (row.kind === 'self') tr.classList.add('is-self');
  }
  return view.sources.length > 0 ? scroller(t) : withEmptyNote(t, strings.noSources);
}

export function renderWindows(view: BudgetView, strings: BudgetPanelStrings): HTMLElement {
  const units = view.unit !== 'usd';
  const columns: ReadonlyArray<Column<BudgetView['windows'][number]> | false> = [
    {
      label: strings.colWindow,
      cell: (r) => {
        const span = h('span', 'budget-window', r.range);
        if (r.hitLimit) {
          const mark = h('span', 'budget-limit-hit', `⚠ ${strings.limitHit}`);
          span.append(' ', mark);
        }
        return span;
      },
    },
    units && { label: strings.colUnits, cell: (r) => r.unitsText, numeric: true },
    ...usageColumns<BudgetView['windows'][number]>(strings),
  ];
  const t = table('budget-windows', strings.sectionWindows, columns, view.windows);
  for (const [i, row] of view.windows.entries()) {
    if (row.hitLimit) t.tBodies[0]?.rows[i]?.classList.add('is-limit-hit');
  }
  return view.windows.length > 0 ? scroller(t) : withEmptyNote(t, strings.noWindows);
}

/** An empty table stays in the page (the tests find it by id) with a note saying why it is empty. */
function withEmptyNote(t: HTMLTableElement, note: string): HTMLElement {
  const d = scroller(t);
  t.classList.add('is-empty');
  d.appendChild(h('p', 'budget-empty-note', note));
  return d;
}

/** The burn chart: cumulative use through the period, the cap and throttle lines, the projection. */
import { svgEl, svgText } from '../common/dom';
import { type ChartBox, historyGeometry } from './chartMath';
import { type ClockOptions, formatClock, formatUnits } from './format';
import type { BudgetView } from './viewModel';

export const HISTORY_HEIGHT = 200;
/** Below this the axis labels would collide; the chart scrolls instead of squeezing further. */
export const HISTORY_MIN_WIDTH = 300;

export interface HistoryLabels {
  readonly cap: string;
  readonly now: string;
}

function chartBox(width: number, yLabels: readonly string[]): ChartBox {
  const longest = yLabels.reduce((n, l) => Math.max(n, l.length), 1);
  return { width, height: HISTORY_HEIGHT, left: 12 + longest * 7, right: 20, top: 14, bottom: 24 };
}

export function renderHistory(view: BudgetView, width: number, labels: HistoryLabels, clock: ClockOptions): SVGSVGElement {
  const h = view.history;
  const w = Math.max(HISTORY_MIN_WIDTH, Math.round(width));
  const unitText = (n: number): string => formatUnits(n, view.unit);
  // Lay out once to learn the tick labels, then again with room for the longest of them.
  const probe = historyGeometry(h, chartBox(w, ['00000']));
  const box = chartBox(w, probe.yTicks.map((t) => unitText(t.value)));
  const geo = historyGeometry(h, box);

  const svg = svgEl('svg', {
    id: 'budget-history',
    class: 'budget-history',
    width: w,
    height: HISTORY_HEIGHT,
    viewBox: `0 0 ${w} ${HISTORY_HEIGHT}`,
    role: 'img',
    'aria-label': h.summary,
    'data-points': h.points.length,
  });
  svgEl('title', {}, svg).textContent = h.summary;

  const grid = svgEl('g', { class: 'budget-history-grid' }, svg);
  for (const t of geo.yTicks) {
    svgEl('line', { x1: box.left, x2: w - box.right, y1: t.y, y2: t.y }, grid);
    svgText(grid, { class: 'budget-axis-label', x: box.left - 6, y: t.y + 4, 'text-anchor': 'end' }, unitText(t.value));
  }
  for (const t of geo.xTicks) {
    svgText(grid, { class: 'budget-axis-label', x: t.x, y: HISTORY_HEIGHT - 6, 'text-anchor': 'middle' }, formatClock(new Date(t.t).toISOString(), clock));
  }

  svgEl('line', { class: 'budget-history-throttle', x1: box.left, x2: w - box.right, y1: geo.throttleY, y2: geo.throttleY }, svg);
  svgEl('line', { class: 'budget-history-cap', x1: box.left, x2: w - box.right, y1: geo.capY, y2: geo.capY }, svg);
  svgText(svg, { class: 'budget-history-cap-label', x: w - box.right - 2, y: geo.capY - 5, 'text-anchor': 'end' }, labels.cap);

  if (geo.nowX !== null) {
    svgEl('line', { class: 'budget-history-now', x1: geo.nowX, x2: geo.nowX, y1: box.top, y2: HISTORY_HEIGHT - box.bottom }, svg);
    // Labelled on the side with more room, so it never runs off the chart.
    const leftSide = geo.nowX > box.left + (w - box.left - box.right) / 2;
    svgText(
      svg,
      { class: 'budget-history-now-label', x: geo.nowX + (leftSide ? -4 : 4), y: box.top + 8, 'text-anchor': leftSide ? 'end' : 'start' },
      labels.now,
    );
  }
  if (geo.area) svgEl('path', { class: 'budget-history-area', d: geo.area }, svg);
  if (geo.line) svgEl('path', { class: 'budget-history-line', d: geo.line }, svg);
  if (geo.projection) {
    const p = geo.projection;
    svgEl('line', { class: 'budget-history-projection', x1: p.from.x, y1: p.from.y, x2: p.to.x, y2: p.to.y }, svg);
  }
  if (geo.capMark && h.capWillBeReached) {
    svgEl('circle', { class: 'budget-history-cap-mark', cx: geo.capMark.x, cy: geo.capMark.y, r: 4 }, svg);
  }
  return svg;
}

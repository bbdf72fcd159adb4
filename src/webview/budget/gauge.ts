/** The period gauge: used and reserved against the cap on a half ring, the throttle mark across it. */
import { svgEl, svgText } from '../common/dom';
import { gaugeGeometry } from './chartMath';
import type { BudgetView } from './viewModel';

const FRAME = { cx: 120, cy: 118, r: 94 } as const;
const RING = 22;

export function renderGauge(view: BudgetView): SVGSVGElement {
  const g = view.gauge;
  const svg = svgEl('svg', {
    id: 'budget-gauge',
    class: 'budget-gauge',
    viewBox: '0 0 240 150',
    role: 'img',
    'aria-label': g.summary,
    'data-used': g.used,
    'data-reserved': g.reserved,
    'data-cap': g.cap,
  });
  svgEl('title', {}, svg).textContent = g.summary;
  const geo = gaugeGeometry(g, FRAME, RING);
  svgEl('path', { class: 'budget-gauge-track', d: geo.track, 'stroke-width': RING }, svg);
  if (geo.reservedPath) svgEl('path', { class: 'budget-gauge-reserved', d: geo.reservedPath, 'stroke-width': RING }, svg);
  if (geo.usedPath) svgEl('path', { class: 'budget-gauge-used', d: geo.usedPath, 'stroke-width': RING }, svg);
  const tick = geo.throttleTick;
  svgEl('line', { class: 'budget-gauge-threshold', x1: tick.from.x, y1: tick.from.y, x2: tick.to.x, y2: tick.to.y }, svg);

  svgText(svg, { class: 'budget-gauge-percent', x: FRAME.cx, y: FRAME.cy - 22, 'text-anchor': 'middle' }, g.percentText);
  svgText(svg, { class: 'budget-gauge-amount', x: FRAME.cx, y: FRAME.cy + 2, 'text-anchor': 'middle' }, `${g.usedText} / ${g.capText}`);
  svgText(svg, { class: 'budget-gauge-scale', x: FRAME.cx - FRAME.r, y: FRAME.cy + 26, 'text-anchor': 'middle' }, '0');
  svgText(svg, { class: 'budget-gauge-scale', x: FRAME.cx + FRAME.r, y: FRAME.cy + 26, 'text-anchor': 'middle' }, g.capText);
  return svg;
}

/** The dashboard's drawings: plain SVG, every one labelled with the text it shows. */
import { h, svgEl, svgText } from '../common/dom';
import { gaugeGeometry } from '../budget/chartMath';
import type { DashboardView, Row } from './viewModel';
import { TARGETS } from './viewModel';

const FRAME = { cx: 120, cy: 118, r: 94 } as const;
const RING = 22;

/** Window use on a half ring, with the 90 % target marked across it. */
export function renderWindowGauge(view: DashboardView['window']): SVGSVGElement {
  const svg = svgEl('svg', { class: 'dash-gauge', viewBox: '0 0 240 140', role: 'img', 'aria-label': view.summary });
  svgEl('title', {}, svg).textContent = view.summary;
  const geo = gaugeGeometry({ used: view.fraction, reserved: 0, cap: 1, throttleAt: TARGETS.windowUseBelow }, FRAME, RING);
  svgEl('path', { class: 'dash-gauge-track', d: geo.track, 'stroke-width': RING }, svg);
  if (geo.usedPath) svgEl('path', { class: 'dash-gauge-used', d: geo.usedPath, 'stroke-width': RING }, svg);
  const tick = geo.throttleTick;
  svgEl('line', { class: 'dash-gauge-target', x1: tick.from.x, y1: tick.from.y, x2: tick.to.x, y2: tick.to.y }, svg);
  svgText(svg, { class: 'dash-gauge-percent', x: FRAME.cx, y: FRAME.cy - 14, 'text-anchor': 'middle' }, view.valueText);
  return svg;
}

/** A 0..1 bar in a table cell; the number beside it carries the meaning. */
export function renderBar(fraction: number, met: Row['met']): SVGSVGElement {
  const svg = svgEl('svg', { class: 'dash-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' });
  svgEl('rect', { class: 'dash-bar-track', x: 0, y: 0, width: 100, height: 10 }, svg);
  const w = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
  if (w > 0) svgEl('rect', { class: 'dash-bar-fill', 'data-met': met, x: 0, y: 0, width: w, height: 10 }, svg);
  return svg;
}

/** Opus, Sonnet and the rest stacked on one bar, the 50 % target marked. */
export function renderShareBar(view: DashboardView['opus']): SVGSVGElement {
  const svg = svgEl('svg', { class: 'dash-share', viewBox: '0 0 200 24', preserveAspectRatio: 'none', role: 'img', 'aria-label': view.summary });
  svgEl('title', {}, svg).textContent = view.summary;
  svgEl('rect', { class: 'dash-bar-track', x: 0, y: 0, width: 200, height: 24 }, svg);
  let x = 0;
  for (const [key, share] of Object.entries(view.shares)) {
    const w = share * 200;
    if (w > 0) svgEl('rect', { class: `dash-share-${key}`, x, y: 0, width: w, height: 24 }, svg);
    x += w;
  }
  const t = TARGETS.opusShareBelow * 200;
  svgEl('line', { class: 'dash-share-target', x1: t, y1: 0, x2: t, y2: 24 }, svg);
  return svg;
}

/** A table of rows with a bar in the first data column; headers from `columns`. */
export function renderTable(caption: string, columns: readonly string[], rows: readonly Row[]): HTMLTableElement {
  const table = h('table', 'dash-table');
  table.appendChild(h('caption', 'dash-visually-hidden', caption));
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = h('th', '', c);
    th.scope = 'col';
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset['met'] = row.met;
    const th = h('th', 'dash-row-label', row.label);
    th.scope = 'row';
    tr.appendChild(th);
    row.cells.forEach((cell, i) => {
      const td = h('td', i === 0 ? 'dash-num dash-with-bar' : 'dash-num');
      td.append(h('span', '', cell));
      if (i === 0) td.append(renderBar(row.fraction, row.met));
      tr.appendChild(td);
    });
  }
  return table;
}

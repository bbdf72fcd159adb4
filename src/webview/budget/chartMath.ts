/**
 * Geometry for the gauge and the burn chart: scales, ticks, arcs and the projection line.
 * DOM-free and deterministic, so node tests it; the renderers only turn it into SVG.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (!Number.isFinite(span) || span === 0) return () => r0;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** The 1-2-5 step at or above `raw` (0.7 → 1, 3 → 5, 1300 → 2000). */
export function niceStep(raw: number): number {
  if (!Number.isFinite(raw) || raw <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const factor = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return factor * magnitude;
}

/** Ticks from 0 to a round top at or above `max`, about `count` steps. */
export function niceTicks(max: number, count = 4): { readonly top: number; readonly ticks: readonly number[] } {
  const safeMax = Number.isFinite(max) && max > 0 ? max : 1;
  const step = niceStep(safeMax / Math.max(1, count));
  const top = Number((Math.ceil(safeMax / step - 1e-9) * step).toPrecision(12));
  const ticks: number[] = [];
  // Integer multiples, so 0.1 + 0.2 style drift never produces 0.30000000000000004.
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { top, ticks };
}

const MINUTE = 60_000;
const TIME_STEPS = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1_440].map((m) => m * MINUTE);

/** Tick times at round multiples of a step that gives at most `maxTicks` ticks in [start, end]. */
export function timeTicks(start: number, end: number, maxTicks = 6): readonly number[] {
  if (!(end > start)) return [];
  // Whatever the alignment, a step gives at most floor(span / step) + 1 ticks.
  const step = TIME_STEPS.find((s) => Math.floor((end - start) / s) + 1 <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

// ---------------------------------------------------------------------------------------------
// Gauge: a half ring from the left (0) over the top to the right (the cap).

export interface ArcFrame {
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

/** The point at `fraction` (0..1) of the half ring. */
export function arcPoint(frame: ArcFrame, fraction: number): Point {
  const angle = Math.PI * (1 - clamp(fraction, 0, 1));
  return { x: round(frame.cx + frame.r * Math.cos(angle)), y: round(frame.cy - frame.r * Math.sin(angle)) };
}

/** An SVG path along the ring from `from` to `to` (fractions); empty when the span is empty. */
export function arcPath(frame: ArcFrame, from: number, to: number): string {
  const a = clamp(from, 0, 1);
  const b = clamp(to, 0, 1);
  if (!(b > a)) return '';
  const p = arcPoint(frame, a);
  const q = arcPoint(frame, b);
  // At most half a turn, so the small arc is always the right one; sweep 1 = clockwise on screen.
  return `M${p.x},${p.y} A${frame.r},${frame.r} 0 0 1 ${q.x},${q.y}`;
}

export interface GaugeInput {
  readonly used: number;
  readonly reserved: number;
  readonly cap: number;
  readonly throttleAt: number;
}

export interface GaugeGeometry {
  /** Fractions of the cap, each clamped to the ring. */
  readonly usedTo: number;
  readonly reservedTo: number;
  readonly throttleAt: number;
  readonly track: string;
  readonly usedPath: string;
  readonly reservedPath: string;
  /** A radial tick across the ring at the throttle threshold. */
  readonly throttleTick: { readonly from: Point; readonly to: Point };
  /** Used + reserved exceeds the cap (the ring is full; the text says by how much). */
  readonly over: boolean;
}

export function gaugeGeometry(input: GaugeInput, frame: ArcFrame, ringWidth: number): GaugeGeometry {
  const cap = input.cap > 0 ? input.cap : 0;
  const used = Math.max(0, input.used);
  const reserved = Math.max(0, input.reserved);
  const usedTo = cap > 0 ? clamp(used / cap, 0, 1) : used > 0 ? 1 : 0;
  const reservedTo = cap > 0 ? clamp((used + reserved) / cap, 0, 1) : usedTo;
  const throttleAt = clamp(input.throttleAt, 0, 1);
  const inner = { ...frame, r: frame.r - ringWidth / 2 - 3 };
  const outer = { ...frame, r: frame.r + ringWidth / 2 + 3 };
  return {
    usedTo,
    reservedTo,
    throttleAt,
    track: arcPath(frame, 0, 1),
    usedPath: arcPath(frame, 0, usedTo),
    reservedPath: arcPath(frame, usedTo, reservedTo),
    throttleTick: { from: arcPoint(inner, throttleAt), to: arcPoint(outer, throttleAt) },
    over: cap > 0 ? used + reserved > cap : used + reserved > 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Burn chart: cumulative use over the period, the cap, and where the current rate leads.

export interface HistoryInput {
  readonly start: number;
  readonly end: number;
  readonly now: number;
  readonly active: boolean;
  /** Cumulative used units, any order. */
  readonly points: ReadonlyArray<{ readonly t: number; readonly used: number }>;
  readonly used: number;
  readonly cap: number;
  readonly throttleAt: number;
  readonly projectedAtEnd: number;
  readonly capReachedAt: number | null;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export interface HistoryGeometry {
  readonly yTop: number;
  readonly yTicks: ReadonlyArray<{ readonly value: number; readonly y: number }>;
  readonly xTicks: ReadonlyArray<{ readonly t: number; readonly x: number }>;
  /** The used line, and the same closed to the baseline for the area under it. */
  readonly line: string;
  readonly area: string;
  readonly capY: number;
  readonly throttleY: number;
  /** From now to the period's end (or to the top of the chart, where it would leave it). */
  readonly projection: { readonly from: Point; readonly to: Point } | null;
  readonly capMark: Point | null;
  readonly nowX: number | null;
}

/** Projections far past the cap are cut at this multiple of it, so the chart stays readable. */
export const PROJECTION_HEADROOM = 1.5;

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The segment from (x0, y0) to (x1, y1) in data space, cut where it crosses `yMax`. Returns the
 * end point actually drawn.
 */
export function clipToTop(from: { t: number; v: number }, to: { t: number; v: number }, yMax: number): { t: number; v: number } {
  if (to.v <= yMax || to.v <= from.v) return to;
  if (from.v >= yMax) return from;
  const t = from.t + ((yMax - from.v) / (to.v - from.v)) * (to.t - from.t);
  return { t, v: yMax };
}

export function historyGeometry(input: HistoryInput, box: ChartBox): HistoryGeometry {
  const start = input.start;
  const end = input.end > start ? input.end : start + 1;
  const now = clamp(input.now, start, end);
  const points = input.points
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.used) && p.t >= start && p.t <= end)
    .map((p) => ({ t: p.t, v: Math.max(0, p.used) }))
    .sort((a, b) => a.t - b.t);
  const last = points[points.length - 1];
  // The ledger's latest figure is "now", even if the last history sample is older.
  if (input.active && (!last || last.t < now)) points.push({ t: now, v: Math.max(0, input.used) });

  const showProjection = input.active && now < end && Number.isFinite(input.projectedAtEnd);
  const projectedShown = showProjection ? Math.min(input.projectedAtEnd, input.cap * PROJECTION_HEADROOM) : 0;
  const peak = Math.max(input.cap, input.used, projectedShown, ...points.map((p) => p.v));
  const { top, ticks } = niceTicks(peak * 1.05, 5);

  const x = linearScale([start, end], [box.left, box.width - box.right]);
  const y = linearScale([0, top], [box.height - box.bottom, box.top]);
  const xy = (p: { t: number; v: number }): Point => ({ x: round(x(p.t)), y: round(y(p.v)) });

  const drawn = points.map(xy);
  const line = drawn.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  const first = drawn[0];
  const lastDrawn = drawn[drawn.length - 1];
  const baseline = round(y(0));
  const area = first && lastDrawn && drawn.length > 1 ? `${line} L${lastDrawn.x},${baseline} L${first.x},${baseline} Z` : '';

  let projection: HistoryGeometry['projection'] = null;
  if (showProjection) {
    const from = { t: now, v: Math.max(0, input.used) };
    const to = clipToTop(from, { t: end, v: Math.max(from.v, input.projectedAtEnd) }, top);
    projection = { from: xy(from), to: xy(to) };
  }
  const reach = input.capReachedAt;
  const capMark = reach !== null && Number.isFinite(reach) && reach >= start && reach <= end ? xy({ t: reach, v: input.cap }) : null;

  return {
    yTop: top,
    yTicks: ticks.map((value) => ({ value, y: round(y(value)) })),
    xTicks: timeTicks(start, end, Math.max(2, Math.floor((box.width - box.left - box.right) / 70))).map((t) => ({ t, x: round(x(t)) })),
    line,
    area,
    capY: round(y(input.cap)),
    throttleY: round(y(input.cap * clamp(input.throttleAt, 0, 1))),
    projection,
    capMark,
    nowX: input.active ? round(x(now)) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Stacked bar: one segment per part, in order, widths summing to the bar.

export function stackSegments(values: readonly number[], width: number): ReadonlyArray<{ readonly x: number; readonly width: number }> {
  const clean = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const total = clean.reduce((a, b) => a + b, 0);
  let x = 0;
  return clean.map((v) => {
    const w = total > 0 ? (v / total) * width : 0;
    const seg = { x: round(x), width: round(w) };
    x += w;
    return seg;
  });
}

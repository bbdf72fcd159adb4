import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arcPath,
  arcPoint,
  clipToTop,
  gaugeGeometry,
  historyGeometry,
  linearScale,
  niceStep,
  niceTicks,
  PROJECTION_HEADROOM,
  stackSegments,
  timeTicks,
  type ChartBox,
  type HistoryInput,
} from '../../src/webview/budget/chartMath';
import {
  fill,
  folderName,
  formatClock,
  formatDay,
  formatDuration,
  formatPercent,
  formatRange,
  formatTokens,
  formatUnits,
  formatUsd,
} from '../../src/webview/budget/format';

const MIN = 60_000;
const H = 60 * MIN;

describe('scales and ticks', () => {
  it('maps a domain linearly, inverted ranges included, and survives a zero-width domain', () => {
    const x = linearScale([0, 100], [10, 210]);
    assert.equal(x(0), 10);
    assert.equal(x(50), 110);
    assert.equal(x(100), 210);
    const y = linearScale([0, 200], [180, 20]);
    assert.equal(y(0), 180);
    assert.equal(y(200), 20);
    assert.equal(linearScale([5, 5], [1, 9])(5), 1);
  });

  it('picks 1-2-5 steps and a round top at or above the maximum', () => {
    assert.equal(niceStep(0.7), 1);
    assert.equal(niceStep(3), 5);
    assert.equal(niceStep(1300), 2000);
    assert.equal(niceStep(46_200), 50_000);
    assert.equal(niceStep(0), 1);
    assert.deepEqual(niceTicks(231_000, 5), { top: 250_000, ticks: [0, 50_000, 100_000, 150_000, 200_000, 250_000] });
    assert.deepEqual(niceTicks(0.3, 3), { top: 0.3, ticks: [0, 0.1, 0.2, 0.3] }, 'no floating-point drift');
    assert.deepEqual(niceTicks(0).ticks[0], 0);
    assert.ok(niceTicks(Number.NaN).top > 0);
  });

  it('puts time ticks on round clock steps inside the period', () => {
    const start = Date.parse('2026-11-24T09:12:00Z');
    const ticks = timeTicks(start, start + 5 * H, 6);
    assert.equal(ticks.length, 5);
    assert.equal(new Date(ticks[0]!).toISOString(), '2026-11-24T10:00:00.000Z');
    assert.ok(ticks.every((t) => t % H === 0 && t >= start && t <= start + 5 * H));
    // A calendar day gets 6-hour ticks rather than 25 hourly ones.
    const day = Date.parse('2026-11-24T00:00:00Z');
    assert.deepEqual(timeTicks(day, day + 24 * H, 6).map((t) => (t - day) / H), [0, 6, 12, 18, 24]);
    assert.deepEqual(timeTicks(5, 5), []);
  });
});

describe('gauge geometry', () => {
  const frame = { cx: 120, cy: 118, r: 94 };

  it('runs the ring from the left over the top to the right', () => {
    assert.deepEqual(arcPoint(frame, 0), { x: 26, y: 118 });
    assert.deepEqual(arcPoint(frame, 0.5), { x: 120, y: 24 });
    assert.deepEqual(arcPoint(frame, 1), { x: 214, y: 118 });
    assert.equal(arcPath(frame, 0, 1), 'M26,118 A94,94 0 0 1 214,118');
    assert.equal(arcPath(frame, 0.4, 0.4), '', 'an empty span draws nothing');
  });

  it('splits used and reserved against the cap and marks the threshold', () => {
    const g = gaugeGeometry({ used: 50, reserved: 25, cap: 100, throttleAt: 0.8 }, frame, 20);
    assert.equal(g.usedTo, 0.5);
    assert.equal(g.reservedTo, 0.75);
    assert.equal(g.over, false);
    assert.ok(g.usedPath.startsWith('M26,118 A94,94 0 0 1 120,24'));
    assert.ok(g.reservedPath.startsWith('M120,24 '));
    // The tick crosses the ring at 80 %: both ends on the same ray from the centre.
    const { from, to } = g.throttleTick;
    const angle = (p: { x: number; y: number }) => Math.atan2(frame.cy - p.y, p.x - frame.cx);
    assert.ok(Math.abs(angle(from) - Math.PI * 0.2) < 0.01 && Math.abs(angle(to) - Math.PI * 0.2) < 0.01);
  });

  it('fills the ring and says "over" past the cap, and copes with a zero cap', () => {
    const over = gaugeGeometry({ used: 230, reserved: 10, cap: 220, throttleAt: 0.8 }, frame, 20);
    assert.equal(over.usedTo, 1);
    assert.equal(over.reservedPath, '');
    assert.equal(over.over, true);
    const none = gaugeGeometry({ used: 0, reserved: 0, cap: 0, throttleAt: 0.8 }, frame, 20);
    assert.equal(none.usedPath, '');
    assert.equal(none.over, false);
  });
});

describe('history geometry', () => {
  const start = Date.parse('2026-11-24T09:00:00Z');
  const box: ChartBox = { width: 520, height: 200, left: 40, right: 20, top: 10, bottom: 30 };
  const input = (over: Partial<HistoryInput> = {}): HistoryInput => ({
    start,
    end: start + 5 * H,
    now: start + 2.5 * H,
    active: true,
    points: [{ t: start, used: 0 }, { t: start + H, used: 20_000 }, { t: start + 2 * H, used: 50_000 }],
    used: 60_000,
    cap: 200_000,
    throttleAt: 0.8,
    projectedAtEnd: 150_000,
    capReachedAt: null,
    ...over,
  });

  it('draws the used line through now, with the cap and throttle lines on the same scale', () => {
    const g = historyGeometry(input(), box);
    assert.equal(g.yTop, 250_000);
    assert.equal(g.line, 'M40,170 L132,157.2 L224,138 L270,131.6');
    assert.ok(g.area.endsWith('L270,170 L40,170 Z'));
    assert.equal(g.capY, 42);
    assert.equal(g.throttleY, 67.6);
    assert.equal(g.nowX, 270);
    assert.deepEqual(g.xTicks.map((t) => t.x), [40, 132, 224, 316, 408, 500]);
    assert.equal(g.yTicks[0]?.y, 170);
    assert.equal(g.yTicks[g.yTicks.length - 1]?.y, 10);
  });

  it('projects from now to the period end', () => {
    const g = historyGeometry(input(), box);
    assert.deepEqual(g.projection, { from: { x: 270, y: 131.6 }, to: { x: 500, y: 74 } });
    assert.equal(g.capMark, null);
  });

  it('cuts a runaway projection at the chart top and marks where the cap is hit', () => {
    const reach = start + 4 * H;
    const g = historyGeometry(input({ projectedAtEnd: 2_000_000, capReachedAt: reach }), box);
    const top = 200_000 * PROJECTION_HEADROOM * 1.05;
    assert.ok(g.yTop >= top && g.yTop <= 400_000, `the axis stops near ${PROJECTION_HEADROOM}× the cap, not at 2M`);
    assert.equal(g.projection?.to.y, 10, 'ends on the top edge');
    assert.ok((g.projection?.to.x ?? 0) < 500, 'before the period end');
    assert.deepEqual(g.capMark, { x: 408, y: g.capY });
  });

  it('draws no projection or now line outside an active period, and ignores points outside it', () => {
    const g = historyGeometry(input({ active: false, points: [{ t: start - H, used: 5 }, { t: start + H, used: 10 }] }), box);
    assert.equal(g.projection, null);
    assert.equal(g.nowX, null);
    assert.equal(g.line.split('L').length, 1, 'one point: the one inside the period');
    assert.equal(g.area, '');
  });

  it('clips a segment where it crosses the top', () => {
    assert.deepEqual(clipToTop({ t: 0, v: 0 }, { t: 10, v: 200 }, 100), { t: 5, v: 100 });
    assert.deepEqual(clipToTop({ t: 0, v: 0 }, { t: 10, v: 50 }, 100), { t: 10, v: 50 });
  });
});

describe('stacked bar', () => {
  it('gives each part its share of the width, in order, ignoring junk', () => {
    assert.deepEqual(stackSegments([1, 3, 0, Number.NaN], 100), [{ x: 0, width: 25 }, { x: 25, width: 75 }, { x: 100, width: 0 }, { x: 100, width: 0 }]);
    assert.deepEqual(stackSegments([0, 0], 100), [{ x: 0, width: 0 }, { x: 0, width: 0 }]);
  });
});

describe('formatting', () => {
  it('shortens token counts', () => {
    const cases: Array<[number, string]> = [
      [0, '0'], [950, '950'], [1_000, '1k'], [12_345, '12.3k'], [99_949, '99.9k'], [99_950, '100k'], [123_456, '123k'],
      [999_499, '999k'], [999_500, '1M'], [1_234_567, '1.23M'], [12_345_678, '12.3M'], [1_500_000_000, '1.5B'], [-1_200, '−1.2k'],
    ];
    for (const [n, s] of cases) assert.equal(formatTokens(n), s, String(n));
    assert.equal(formatTokens(Number.NaN), '–');
  });

  it('formats dollars, with sub-cent amounts still visible', () => {
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(0.0042), '$0.0042');
    assert.equal(formatUsd(0.5), '$0.50');
    assert.equal(formatUsd(1234.5), '$1,234.50');
    assert.equal(formatUsd(12_345.6), '$12,346');
    assert.equal(formatUsd(Number.POSITIVE_INFINITY), '–');
    assert.equal(formatUnits(12_345, 'tokens'), '12.3k');
    assert.equal(formatUnits(12.345, 'usd'), '$12.35');
  });

  it('formats percentages, durations and placeholders', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.004), '<1%');
    assert.equal(formatPercent(0.8), '80%');
    assert.equal(formatPercent(1.009), '101%');
    const strings = { durationDaysHours: '{0} d {1} h', durationHoursMinutes: '{0} h {1} min', durationMinutes: '{0} min', durationUnderMinute: '< 1 min' };
    assert.equal(formatDuration(30_000, strings), '< 1 min');
    assert.equal(formatDuration(-5, strings), '< 1 min');
    assert.equal(formatDuration(14 * MIN + 59_000, strings), '14 min');
    assert.equal(formatDuration(2 * H + 5 * MIN, strings), '2 h 05 min');
    assert.equal(formatDuration(27 * H, strings), '1 d 3 h');
    assert.equal(fill('{1} of {0} ({2})', 'a', 'b'), 'b of a ({2})');
  });

  it('formats clock times and ranges in the given zone and language', () => {
    const utc = { locale: 'en', timeZone: 'UTC' };
    assert.equal(formatClock('2026-11-24T14:32:10Z', utc), '14:32');
    assert.equal(formatClock('2026-11-24T14:32:10Z', { locale: 'en', timeZone: 'Asia/Seoul' }), '23:32');
    assert.equal(formatClock('garbage', utc), '–');
    assert.equal(formatClock('2026-11-24T14:32:10Z', { locale: 'xx-invalid-!!', timeZone: 'Nowhere/Nothing' }).length > 0, true);
    const now = '2026-11-24T12:00:00Z';
    assert.equal(formatRange('2026-11-24T09:00:00Z', '2026-11-24T14:00:00Z', now, utc), '09:00–14:00');
    assert.equal(formatRange('2026-11-23T17:40:00Z', '2026-11-23T22:40:00Z', now, utc), 'Nov 23, 17:40–22:40');
    assert.equal(formatDay('2026-11-24T00:00:00Z', { locale: 'ko', timeZone: 'UTC' }), '11월 24일');
  });

  it('names a workspace by its folder', () => {
    assert.equal(folderName('file:///home/dana/src/shop-api'), 'shop-api');
    assert.equal(folderName('file:///home/dana/src/design%20system/'), 'design system');
    assert.equal(folderName('file:///c%3A/Users/dana/proj'), 'proj');
    assert.equal(folderName('vscode-remote://ssh-remote%2Bbox/srv/app?x=1'), 'app');
    assert.equal(folderName('file:///'), 'file:///');
    assert.equal(folderName('file:///bad%E0%A4%A'), 'bad%E0%A4%A');
    assert.equal(folderName(''), '');
  });
});

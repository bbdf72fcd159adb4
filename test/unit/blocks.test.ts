import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeBlock, computeBlocks, floorToHourUtc, rollingTotal, type UsageEntry } from '../../src/core/usage/blocks';

const H = 3_600_000;
const T0 = Date.parse('2026-11-24T00:00:00.000Z');

function entry(iso: string, tokens = 1, extra: Partial<UsageEntry> = {}): UsageEntry {
  return {
    timestamp: new Date(iso),
    model: 'claude-sonnet-5-5',
    usage: { inputTokens: tokens, outputTokens: 2 * tokens, cacheCreationInputTokens: 3 * tokens, cacheReadInputTokens: 4 * tokens },
    costUsd: tokens / 100,
    source: 'claude-code',
    ...extra,
  };
}
const LATER = new Date('2027-01-01T00:00:00Z');
const starts = (entries: UsageEntry[], now = LATER) =>
  computeBlocks(entries, now).map((b) => `${b.isGap ? 'gap ' : ''}${b.startTime.toISOString().slice(11, 23)}–${b.endTime.toISOString().slice(11, 23)}`);

describe('computeBlocks', () => {
  it('floors the start to the hour in UTC and lasts five hours', () => {
    const [b] = computeBlocks([entry('2026-11-24T03:59:59.999Z'), entry('2026-11-24T04:10:00.000Z', 2)], LATER);
    assert.equal(b!.id, '2026-11-24T03:00:00.000Z');
    assert.equal(b!.startTime.toISOString(), '2026-11-24T03:00:00.000Z');
    assert.equal(b!.endTime.toISOString(), '2026-11-24T08:00:00.000Z');
    assert.equal(b!.actualEndTime!.toISOString(), '2026-11-24T04:10:00.000Z');
    assert.equal(b!.entryCount, 2);
    assert.deepEqual(b!.tokenCounts, { inputTokens: 3, outputTokens: 6, cacheCreationInputTokens: 9, cacheReadInputTokens: 12 });
    assert.equal(b!.totalTokens, 30);
    assert.ok(Math.abs(b!.costUsd - 0.03) < 1e-12);
    assert.equal(floorToHourUtc(Date.parse('2026-11-24T05:00:00.000Z')), Date.parse('2026-11-24T05:00:00.000Z'));
  });

  it('floors in UTC whatever the zone an entry was written in (India is +05:30)', () => {
    // 09:10+05:30 is 03:40Z: the block starts 03:00Z, not at a local 09:00.
    const [b] = computeBlocks([{ ...entry('2026-11-24T00:00:00Z'), timestamp: new Date('2026-11-24T09:10:00+05:30') }], LATER);
    assert.equal(b!.startTime.toISOString(), '2026-11-24T03:00:00.000Z');
  });

  it('keeps an entry exactly at the end in the block and starts a new one a millisecond later (ccusage)', () => {
    assert.deepEqual(starts([entry('2026-11-24T01:00:00.000Z'), entry('2026-11-24T04:00:00.000Z'), entry('2026-11-24T06:00:00.000Z')]), ['01:00:00.000–06:00:00.000']);
    assert.deepEqual(starts([entry('2026-11-24T01:00:00.000Z'), entry('2026-11-24T04:00:00.000Z'), entry('2026-11-24T06:00:00.001Z')]), ['01:00:00.000–06:00:00.000', '06:00:00.000–11:00:00.000']);
  });

  it('starts a new block once the window has passed even without a pause', () => {
    const entries = [0, 1, 2, 3, 4, 5, 6].map((h) => entry(new Date(T0 + h * H + 30 * 60_000).toISOString()));
    assert.deepEqual(starts(entries), ['00:00:00.000–05:00:00.000', '05:00:00.000–10:00:00.000']);
  });

  it('puts a gap block between entries more than five hours apart, and none at exactly five', () => {
    assert.deepEqual(starts([entry('2026-11-24T01:00:00.000Z'), entry('2026-11-24T06:00:00.000Z')]), ['01:00:00.000–06:00:00.000']);
    assert.deepEqual(starts([entry('2026-11-24T01:30:00.000Z'), entry('2026-11-24T06:30:00.000Z')]), ['01:00:00.000–06:00:00.000', '06:00:00.000–11:00:00.000']);
    const withGap = computeBlocks([entry('2026-11-24T01:30:00.000Z'), entry('2026-11-24T06:30:00.001Z')], LATER);
    assert.deepEqual(withGap.map((b) => [b.id, b.isGap]), [
      ['2026-11-24T01:00:00.000Z', false], ['2026-11-24T06:00:00.000Z', false], ['gap-2026-11-24T06:30:00.000Z', true],
    ]);
    const gap = withGap.find((b) => b.isGap)!;
    assert.equal(gap.endTime.toISOString(), '2026-11-24T06:30:00.001Z');
    assert.equal(gap.actualEndTime, undefined);
    assert.equal(gap.entryCount, 0);
    assert.equal(gap.totalTokens, 0);
  });

  it('orders by start, so a gap that starts after the next floored start follows that block', () => {
    const blocks = computeBlocks([entry('2026-11-24T01:59:59.999Z'), entry('2026-11-24T07:00:00.000Z')], LATER);
    assert.deepEqual(blocks.map((b) => b.id), ['2026-11-24T01:00:00.000Z', 'gap-2026-11-24T06:59:59.999Z', '2026-11-24T07:00:00.000Z']);
    const late = computeBlocks([entry('2026-11-24T02:00:00.000Z'), entry('2026-11-24T07:00:00.001Z')], LATER);
    // Same start: the stable sort keeps the gap (created first) before the block, as ccusage does.
    assert.deepEqual(late.map((b) => b.id), ['2026-11-24T02:00:00.000Z', 'gap-2026-11-24T07:00:00.000Z', '2026-11-24T07:00:00.000Z']);
  });

  it('sorts unsorted input and keeps ties in input order', () => {
    const blocks = computeBlocks([
      entry('2026-11-24T03:00:00Z', 1, { model: 'b' }), entry('2026-11-24T01:00:00Z', 1, { model: 'a' }), entry('2026-11-24T03:00:00Z', 1, { model: 'c' }),
    ], LATER);
    assert.equal(blocks.length, 1);
    assert.deepEqual(blocks[0]!.models, ['a', 'b', 'c']);
  });

  it('is active while now is before the end and within five hours of the last entry', () => {
    const entries = [entry('2026-11-24T01:20:00Z'), entry('2026-11-24T02:00:00Z')];
    const at = (iso: string) => computeBlocks(entries, new Date(iso))[0]!.isActive;
    assert.equal(at('2026-11-24T02:00:00Z'), true);
    assert.equal(at('2026-11-24T05:59:59.999Z'), true);
    assert.equal(at('2026-11-24T06:00:00Z'), false); // the window closed
    const early = [entry('2026-11-24T01:00:00Z')];
    assert.equal(computeBlocks(early, new Date('2026-11-24T05:59:59.999Z'))[0]!.isActive, true);
    assert.equal(activeBlock(computeBlocks(entries, new Date('2026-11-24T03:00:00Z')))?.id, '2026-11-24T01:00:00.000Z');
    assert.equal(activeBlock(computeBlocks(entries, LATER)), undefined);
  });

  it('counts unpriced entries as $0 and says how many there were', () => {
    const [b] = computeBlocks([entry('2026-11-24T01:00:00Z', 100), { ...entry('2026-11-24T01:01:00Z', 5), costUsd: undefined, model: 'claude-mythos-1' }], LATER);
    assert.equal(b!.costUsd, 1);
    assert.equal(b!.unpricedEntries, 1);
    assert.deepEqual(b!.models, ['claude-sonnet-5-5', 'claude-mythos-1']);
  });

  it('supports other block lengths and rejects non-positive ones', () => {
    assert.deepEqual(starts([entry('2026-11-24T01:10:00Z'), entry('2026-11-24T02:30:00Z')]).length, 1);
    assert.equal(computeBlocks([entry('2026-11-24T01:10:00Z'), entry('2026-11-24T02:30:00Z')], LATER, 1).filter((b) => !b.isGap).length, 2);
    assert.throws(() => computeBlocks([], LATER, 0), RangeError);
    assert.deepEqual(computeBlocks([], LATER), []);
  });
});

describe('rollingTotal', () => {
  it('sums the last N days up to now, excluding the future and the edge', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const entries = [
      entry('2026-11-17T12:00:00.000Z', 1000), // exactly 7 days ago: out
      entry('2026-11-17T12:00:00.001Z', 1),
      entry('2026-11-24T12:00:00.000Z', 2, { costUsd: undefined }),
      entry('2026-11-24T12:00:00.001Z', 500), // future: out
    ];
    const week = rollingTotal(entries, now, 7);
    assert.equal(week.entryCount, 2);
    assert.equal(week.totalTokens, 30);
    assert.deepEqual(week.tokenCounts, { inputTokens: 3, outputTokens: 6, cacheCreationInputTokens: 9, cacheReadInputTokens: 12 });
    assert.equal(week.unpricedEntries, 1);
    assert.equal(week.since.toISOString(), '2026-11-17T12:00:00.000Z');
    assert.equal(rollingTotal(entries, now, 1).entryCount, 1);
  });
});

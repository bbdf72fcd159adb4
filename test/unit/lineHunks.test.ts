import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { structuredPatch } from 'diff';
import { contentWith, lineHunksOf, mapProposedLine, mapProposedRange, remainingProposal } from '../../src/core/changes/lineHunks';
import type { Decision } from '../../src/shared/proposedChange';

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');

// Ten lines; the proposal changes line 2, inserts two lines after line 5, deletes line 9.
const BASE = lines('l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9', 'l10');
const PROPOSED = lines('l1', 'L2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l10');

describe('lineHunksOf', () => {
  it('finds one hunk per contiguous change, 1-based, with the removed and added lines', () => {
    assert.deepEqual(lineHunksOf(BASE, PROPOSED), [
      { baseStart: 2, baseLines: 1, proposedStart: 2, proposedLines: 1, removed: ['l2'], added: ['L2'] },
      { baseStart: 6, baseLines: 0, proposedStart: 6, proposedLines: 2, removed: [], added: ['new-a', 'new-b'] },
      { baseStart: 9, baseLines: 1, proposedStart: 11, proposedLines: 0, removed: ['l9'], added: [] },
    ]);
  });

  it('places zero-length hunks the way jsdiff structuredPatch does (the line they go before)', () => {
    const patch = structuredPatch('a', 'b', BASE, PROPOSED, '', '', { context: 0 });
    assert.deepEqual(
      lineHunksOf(BASE, PROPOSED).map((h) => [h.baseStart, h.baseLines, h.proposedStart, h.proposedLines]),
      patch.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines]),
    );
  });

  it('makes a created file exactly one hunk, even when empty', () => {
    assert.deepEqual(lineHunksOf(undefined, 'a\nb\n'), [{ baseStart: 1, baseLines: 0, proposedStart: 1, proposedLines: 2, removed: [], added: ['a', 'b'] }]);
    assert.equal(lineHunksOf(undefined, '').length, 1);
    assert.equal(contentWith(undefined, '', lineHunksOf(undefined, ''), ['accepted']), '');
    assert.equal(contentWith(undefined, 'x\n', lineHunksOf(undefined, 'x\n'), ['rejected']), undefined);
  });

  it('makes a file rewritten beyond the diff limit one hunk between the unchanged head and tail', () => {
    const n = 1500;
    const base = lines('head', ...Array.from({ length: n }, (_, i) => `old ${i}`), 'tail');
    const proposed = lines('head', ...Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `old ${i}` : `new ${i}`)), 'tail');
    const h = lineHunksOf(base, proposed);
    // `old 0` (line 2) is unchanged too, so the one hunk starts at line 3.
    assert.deepEqual(h.map((x) => [x.baseStart, x.baseLines, x.proposedStart, x.proposedLines]), [[3, n - 1, 3, n - 1]]);
    assert.equal(contentWith(base, proposed, h, ['accepted']), proposed);
    assert.deepEqual(lineHunksOf(base, proposed), h, 'the same hunks on every call');
  });

  it('does not see a hunk where only the line ends differ (CRLF file, LF proposal)', () => {
    assert.deepEqual(lineHunksOf('a\r\nb\r\n', 'a\nb\n'), []);
  });
});

describe('contentWith (partial accept)', () => {
  const hunks = lineHunksOf(BASE, PROPOSED);

  it('applies only the accepted hunks', () => {
    assert.equal(contentWith(BASE, PROPOSED, hunks, ['pending', 'accepted', 'rejected']), lines('l1', 'l2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l9', 'l10'));
    assert.equal(contentWith(BASE, PROPOSED, hunks, ['accepted', 'accepted', 'accepted']), PROPOSED);
    assert.equal(contentWith(BASE, PROPOSED, hunks, undefined), BASE);
  });

  it('round-trips a CRLF file byte-identically and writes accepted lines with CRLF', () => {
    const base = 'one\r\ntwo\r\nthree\r\n';
    const proposed = 'one\nTWO\nthree\nfour\n';
    const h = lineHunksOf(base, proposed);
    assert.equal(h.length, 2);
    assert.equal(contentWith(base, proposed, h, ['rejected', 'rejected']), base);
    assert.equal(contentWith(base, proposed, h, ['accepted', 'pending']), 'one\r\nTWO\r\nthree\r\n');
    assert.equal(contentWith(base, proposed, h, ['accepted', 'accepted']), 'one\r\nTWO\r\nthree\r\nfour\r\n');
  });

  it('keeps a mixed-EOL file byte-identical outside the accepted hunk', () => {
    const base = 'a\r\nb\nc\r\nd\n';
    const h = lineHunksOf(base, 'a\nB\nc\nd\n');
    assert.equal(contentWith(base, 'a\nB\nc\nd\n', h, ['accepted']), 'a\r\nB\nc\r\nd\n');
  });

  it('keeps the final-newline state: no newline stays none unless a hunk at the end is accepted', () => {
    const base = 'x\nm\ny';
    const proposed = 'X\nm\ny\nz';
    const h = lineHunksOf(base, proposed);
    assert.equal(contentWith(base, proposed, h, h.map(() => 'rejected')), base);
    assert.equal(contentWith(base, proposed, h, ['accepted', 'rejected']), 'X\nm\ny');
    assert.equal(contentWith(base, proposed, h, ['accepted', 'accepted']), proposed);
    // Only the final newline changes: that is a hunk of its own, and rejecting it keeps the bytes.
    const nl = lineHunksOf('a\nb', 'a\nb\n');
    assert.deepEqual(nl.map((x) => [x.removed, x.added]), [[['b'], ['b']]]);
    assert.equal(contentWith('a\nb', 'a\nb\n', nl, ['rejected']), 'a\nb');
    assert.equal(contentWith('a\nb', 'a\nb\n', nl, ['accepted']), 'a\nb\n');
    assert.equal(contentWith('a\r\nb', 'a\nb\n', lineHunksOf('a\r\nb', 'a\nb\n'), ['accepted']), 'a\r\nb\r\n');
  });
});

describe('after accepting hunk 2 of 3', () => {
  const hunks = lineHunksOf(BASE, PROPOSED);
  const decisions: Decision[] = ['pending', 'accepted', 'pending'];

  it('shows the remaining hunks at the right lines of the current file', () => {
    const r = remainingProposal(BASE, PROPOSED, hunks, decisions);
    assert.equal(r.current, contentWith(BASE, PROPOSED, hunks, decisions));
    assert.equal(r.content, PROPOSED);
    assert.deepEqual(r.hunks.map((h) => [h.index, h.baseStart, h.proposedStart, h.removed, h.added]), [
      [0, 2, 2, ['l2'], ['L2']],
      // l9 was line 9 of the base, two inserted lines later it is line 11 of the current file.
      [2, 11, 11, ['l9'], []],
    ]);
    const current = r.current!.split('\n');
    for (const h of r.hunks) assert.deepEqual(current.slice(h.baseStart - 1, h.baseStart - 1 + h.baseLines), h.removed);
  });

  it('still applies the remaining hunks at the right lines (then equals the proposal)', () => {
    assert.equal(contentWith(BASE, PROPOSED, hunks, ['accepted', 'accepted', 'accepted']), PROPOSED);
    assert.equal(contentWith(BASE, PROPOSED, hunks, ['rejected', 'accepted', 'accepted']), lines('l1', 'l2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l10'));
  });

  it("maps findings' proposed lines onto the real file", () => {
    const current = contentWith(BASE, PROPOSED, hunks, decisions)!.split('\n');
    const proposed = PROPOSED.split('\n');
    // Line 2 (L2) belongs to the pending hunk: not in the file yet.
    assert.equal(mapProposedLine(hunks, decisions, 2), undefined);
    // Every other line lands on the same text in the current file.
    for (const line of [1, 3, 5, 6, 7, 8, 10, 11]) {
      const mapped = mapProposedLine(hunks, decisions, line);
      assert.ok(mapped !== undefined, `line ${line}`);
      assert.equal(current[mapped - 1], proposed[line - 1], `line ${line} → ${mapped}`);
    }
    // Rejecting hunk 1 keeps its lines out; accepting it brings line 2 in.
    assert.equal(mapProposedLine(hunks, ['rejected', 'accepted', 'pending'], 2), undefined);
    assert.equal(mapProposedLine(hunks, ['accepted', 'accepted', 'pending'], 2), 2);
  });

  it("maps a finding's line range, skipping lines that are not in the file", () => {
    // Proposed 5–9 = l5, new-a, new-b (accepted), l6, l7 → current 5–9.
    assert.deepEqual(mapProposedRange(hunks, decisions, 5, 9), { startLine: 5, endLine: 9 });
    // With the insertion rejected instead, l5..l7 are lines 5–7 and new-a/new-b are skipped.
    assert.deepEqual(mapProposedRange(hunks, ['pending', 'rejected', 'pending'], 5, 9), { startLine: 5, endLine: 7 });
    // A range entirely inside a pending hunk has nowhere to go yet.
    assert.equal(mapProposedRange(hunks, decisions, 2, 2), undefined);
  });

  it('maps findings onto the remaining proposal, where only rejected lines are missing', () => {
    const d: Decision[] = ['rejected', 'accepted', 'pending'];
    const r = remainingProposal(BASE, PROPOSED, hunks, d).content.split('\n');
    const proposed = PROPOSED.split('\n');
    assert.equal(mapProposedLine(hunks, d, 2, 'remaining'), undefined);
    for (const line of [1, 3, 6, 7, 11]) assert.equal(r[mapProposedLine(hunks, d, line, 'remaining')! - 1], proposed[line - 1]);
  });

  it('rejecting then accepting the rest ends at the proposal minus the rejected hunk', () => {
    const d: Decision[] = ['rejected', 'accepted', 'accepted'];
    const r = remainingProposal(BASE, PROPOSED, hunks, d);
    assert.deepEqual(r.hunks, []);
    assert.equal(r.content, r.current);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, planApply } from '../../src/core/changes/decisions';
import { contentWith, lineHunksOf, mapProposedLine, remainingProposal } from '../../src/core/changes/lineHunks';
import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import type { Decision, ProposedChange } from '../../src/shared/proposedChange';

/** A small seeded PRNG (mulberry32) so every run checks the same 300 cases. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A base of short lines and an edit of it: lines changed, inserted, deleted; random EOL and final newline. */
function randomCase(r: () => number) {
  const n = Math.floor(r() * 25);
  const baseLines = Array.from({ length: n }, () => `w${Math.floor(r() * 6)}`);
  const proposedLines: string[] = [];
  for (const l of baseLines) {
    const x = r();
    if (x < 0.12) continue;
    if (x < 0.24) proposedLines.push(`new${Math.floor(r() * 4)}`);
    else proposedLines.push(l);
    if (r() < 0.1) proposedLines.push(`ins${Math.floor(r() * 4)}`);
  }
  if (r() < 0.2) proposedLines.push('appended');
  const eol = r() < 0.5 ? '\r\n' : '\n';
  const join = (ls: string[], finalNewline: boolean) => ls.join(eol) + (finalNewline && ls.length > 0 ? eol : '');
  return { base: join(baseLines, r() < 0.7), proposed: join(proposedLines, r() < 0.7) };
}

const split = (t: string) => t.split(/\r?\n/);

describe('line hunks, on 300 random edits', () => {
  it('all accepted is the proposal, all rejected the base byte for byte, and every partial view lines up', () => {
    const r = rng(20261124);
    for (let k = 0; k < 300; k++) {
      const { base, proposed } = randomCase(r);
      const hunks = lineHunksOf(base, proposed);
      const label = `case ${k}: ${JSON.stringify(base)} → ${JSON.stringify(proposed)}`;
      assert.equal(contentWith(base, proposed, hunks, hunks.map(() => 'rejected')), base, label);
      assert.equal(contentWith(base, proposed, hunks, hunks.map(() => 'accepted')), proposed, label);

      const decisions: Decision[] = hunks.map(() => (['pending', 'accepted', 'rejected'] as const)[Math.floor(r() * 3)]!);
      const view = remainingProposal(base, proposed, hunks, decisions);
      const current = split(view.current!);
      const content = split(view.content);
      for (const h of view.hunks) {
        assert.deepEqual(current.slice(h.baseStart - 1, h.baseStart - 1 + h.baseLines), [...h.removed], label);
        assert.deepEqual(content.slice(h.proposedStart - 1, h.proposedStart - 1 + h.proposedLines), [...h.added], label);
      }
      const proposedLines = split(proposed);
      const count = proposed === '' ? 0 : proposedLines.length - (/\n$/.test(proposed) ? 1 : 0);
      for (let line = 1; line <= count; line++) {
        const onCurrent = mapProposedLine(hunks, decisions, line);
        if (onCurrent !== undefined) assert.equal(current[onCurrent - 1], proposedLines[line - 1], `${label} line ${line}`);
        const onRemaining = mapProposedLine(hunks, decisions, line, 'remaining');
        if (onRemaining !== undefined) assert.equal(content[onRemaining - 1], proposedLines[line - 1], `${label} line ${line}`);
      }
    }
  });

  it('accepting the hunks one by one, in any order, through planApply ends where one accept would', async () => {
    const r = rng(7);
    for (let k = 0; k < 100; k++) {
      const { base, proposed } = randomCase(r);
      const hunks = lineHunksOf(base, proposed);
      const files = new Map([['f.txt', base]]);
      const read = async (p: string) => files.get(p);
      let change: ProposedChange = makeProposedChange({ planId: 'p', taskId: 't', model: 'm', summary: 's', createdAt: 'x' }, [
        { path: 'f.txt', action: 'replace', baseSha256: sha256Hex(base), content: proposed, proposedContent: proposed, proposedSha256: sha256Hex(proposed), linesAdded: 0, linesRemoved: 0 },
      ]);
      const order = hunks.map((_, i) => i).sort(() => r() - 0.5);
      const rejected = new Set(order.filter(() => r() < 0.3));
      for (const i of order) {
        if (rejected.has(i)) {
          change = decide(change, { kind: 'hunk', path: 'f.txt', index: i }, 'rejected');
          continue;
        }
        const plan = await planApply(change, { kind: 'hunk', path: 'f.txt', index: i }, read);
        assert.equal(plan.ok, true, `case ${k}`);
        for (const f of plan.files) files.set(f.path, f.content!);
        change = plan.next;
      }
      const expected = contentWith(base, proposed, hunks, hunks.map((_, i) => (rejected.has(i) ? 'rejected' : 'accepted')));
      assert.equal(files.get('f.txt'), expected, `case ${k}`);
      if (hunks.length > 0) assert.equal(change.state, rejected.size === hunks.length ? 'rejected' : 'applied', `case ${k}`);
    }
  });
});

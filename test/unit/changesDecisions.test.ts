import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureBases, decide, planApply, rebaseFile, recordApply, stateOf, viewOf, type ApplyPlan } from '../../src/core/changes/decisions';
import { lineHunksOf, mapProposedLine } from '../../src/core/changes/lineHunks';
import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { ProposedChange, ProposedFileChange } from '../../src/shared/proposedChange';

const lines = (...ls: string[]): string => ls.map((l) => `${l}\n`).join('');
const BASE = lines('l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9', 'l10');
const PROPOSED = lines('l1', 'L2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l10');
const OTHER = 'export const x = 1;\n';

function fileChange(path: string, base: string | undefined, proposed: string): ProposedFileChange {
  const hunks = lineHunksOf(base, proposed);
  return {
    path,
    action: base === undefined ? 'create' : 'replace',
    baseSha256: base === undefined ? null : sha256Hex(base),
    ...(base === undefined ? { content: proposed } : { content: proposed }),
    proposedContent: proposed,
    proposedSha256: sha256Hex(proposed),
    linesAdded: hunks.reduce((n, h) => n + h.proposedLines, 0),
    linesRemoved: hunks.reduce((n, h) => n + h.baseLines, 0),
  };
}

function change(...files: ProposedFileChange[]): ProposedChange {
  return makeProposedChange({ planId: 'p1', taskId: 'T1', model: 'claude-sonnet-5-5', summary: 's', createdAt: '2026-11-24T09:00:00Z' }, files);
}

/** The workspace as a map; `write` does what the extension's WorkspaceEdit does with a plan. */
function workspace(initial: Record<string, string>) {
  const files = new Map(Object.entries(initial));
  return {
    files,
    read: async (p: string) => files.get(p),
    write(plan: ApplyPlan) {
      assert.ok(plan.ok);
      for (const f of plan.files) files.set(f.path, f.content!);
    },
  };
}

describe('decide', () => {
  it('records per-hunk, per-file and per-task decisions and derives the state', async () => {
    const ws = workspace({ 'src/a.ts': BASE, 'src/b.ts': OTHER });
    let c = await captureBases(change(fileChange('src/a.ts', BASE, PROPOSED), fileChange('src/b.ts', OTHER, 'export const x = 2;\n')), ws.read);
    c = decide(c, { kind: 'hunk', path: 'src/a.ts', index: 1 }, 'rejected');
    assert.deepEqual(c.decisions?.['src/a.ts']?.hunks, ['pending', 'rejected', 'pending']);
    assert.equal(c.state, 'proposed');
    c = decide(c, { kind: 'file', path: 'src/a.ts' }, 'rejected');
    assert.deepEqual(c.decisions?.['src/a.ts']?.hunks, ['rejected', 'rejected', 'rejected']);
    c = decide(c, { kind: 'task' }, 'rejected');
    assert.equal(c.state, 'rejected');
    // Un-rejecting one hunk makes the change undecided again.
    c = decide(c, { kind: 'hunk', path: 'src/a.ts', index: 0 }, 'pending');
    assert.equal(c.state, 'proposed');
  });

  it('refuses a file or hunk the change does not have, with a typed reason', () => {
    const c = change(fileChange('src/a.ts', BASE, PROPOSED));
    assert.throws(() => decide(c, { kind: 'file', path: 'src/zzz.ts' }, 'accepted'), (e) => isHeliosError(e, 'change_target_invalid'));
    const known = { ...c, files: [{ ...c.files[0]!, baseContent: BASE }] };
    assert.throws(() => decide(known, { kind: 'hunk', path: 'src/a.ts', index: 3 }, 'accepted'), (e) => isHeliosError(e, 'change_target_invalid'));
  });
});

describe('planApply: partial acceptance', () => {
  it('accepts hunk 2 of 3, then hunk 3 against the partly applied file, then rejects hunk 1', async () => {
    const ws = workspace({ 'src/a.ts': BASE });
    let c = change(fileChange('src/a.ts', BASE, PROPOSED));

    const first = await planApply(c, { kind: 'hunk', path: 'src/a.ts', index: 1 }, ws.read);
    assert.equal(first.ok, true);
    assert.equal(first.files[0]!.expectedSha256, sha256Hex(BASE));
    assert.equal(first.files[0]!.content, lines('l1', 'l2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l9', 'l10'));
    ws.write(first);
    c = first.next;
    assert.equal(c.state, 'proposed');
    assert.deepEqual(c.decisions?.['src/a.ts'], { hunks: ['pending', 'accepted', 'pending'], appliedSha256: sha256Hex(ws.files.get('src/a.ts')!) });

    // The file no longer has the base hash; the second accept checks against appliedSha256.
    const second = await planApply(c, { kind: 'hunk', path: 'src/a.ts', index: 2 }, ws.read);
    assert.equal(second.ok, true, JSON.stringify(second.files));
    assert.equal(second.files[0]!.expectedSha256, c.decisions?.['src/a.ts']?.appliedSha256);
    ws.write(second);
    c = second.next;
    assert.equal(ws.files.get('src/a.ts'), lines('l1', 'l2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l10'));

    // After a reload the stored change alone gives the diff editor its view and the findings their lines.
    const view = viewOf(c, 'src/a.ts')!;
    assert.equal(view.remaining.current, ws.files.get('src/a.ts'));
    assert.deepEqual(view.remaining.hunks.map((h) => [h.index, h.baseStart]), [[0, 2]]);
    assert.equal(mapProposedLine(view.hunks, view.decisions, 11), 11);

    c = decide(c, { kind: 'hunk', path: 'src/a.ts', index: 0 }, 'rejected');
    assert.equal(c.state, 'applied');
  });

  it('rejecting one hunk and accepting the task writes the rest, never the rejected one', async () => {
    const ws = workspace({ 'src/a.ts': BASE });
    let c = decide(await captureBases(change(fileChange('src/a.ts', BASE, PROPOSED)), ws.read), { kind: 'hunk', path: 'src/a.ts', index: 0 }, 'rejected');
    const plan = await planApply(c, { kind: 'task' }, ws.read);
    ws.write(plan);
    c = plan.next;
    assert.equal(ws.files.get('src/a.ts'), lines('l1', 'l2', 'l3', 'l4', 'l5', 'new-a', 'new-b', 'l6', 'l7', 'l8', 'l10'));
    assert.deepEqual(c.decisions?.['src/a.ts']?.hunks, ['rejected', 'accepted', 'accepted']);
    assert.equal(c.state, 'applied');
    // Accepted hunks are on disk: a later task-level reject leaves them accepted.
    assert.deepEqual(decide(c, { kind: 'task' }, 'rejected').decisions?.['src/a.ts']?.hunks, ['rejected', 'accepted', 'accepted']);
  });

  it('creates a new file with one accept', async () => {
    const ws = workspace({});
    const plan = await planApply(change(fileChange('src/new.ts', undefined, OTHER)), { kind: 'task' }, ws.read);
    assert.deepEqual(plan.files, [{ path: 'src/new.ts', expectedSha256: null, content: OTHER }]);
    assert.equal(plan.next.state, 'applied');
  });
});

describe('planApply: conflicts', () => {
  it('a file edited after the task read it: nothing written, conflicted, with base / current / proposed', async () => {
    const ws = workspace({ 'src/a.ts': BASE, 'src/b.ts': OTHER });
    const c = await captureBases(change(fileChange('src/a.ts', BASE, PROPOSED), fileChange('src/b.ts', OTHER, 'export const x = 2;\n')), ws.read);
    ws.files.set('src/b.ts', 'export const x = 3; // edited by the user\n');
    const plan = await planApply(c, { kind: 'task' }, ws.read);
    assert.equal(plan.ok, false);
    // Atomic per task: the unconflicted file carries no content either.
    assert.ok(plan.files.every((f) => f.content === undefined));
    const b = plan.files.find((f) => f.path === 'src/b.ts')!;
    assert.deepEqual(b.conflict, { reason: 'changed', base: OTHER, current: 'export const x = 3; // edited by the user\n', proposed: 'export const x = 2;\n' });
    assert.equal(plan.next.state, 'conflicted');
    assert.equal(plan.next.decisions?.['src/b.ts']?.conflict, true);
    // No hunk was accepted by the failed accept.
    assert.ok(Object.values(plan.next.decisions ?? {}).every((d) => d.hunks.every((h) => h === 'pending')));
  });

  it('an edit after a partial apply is caught by appliedSha256', async () => {
    const ws = workspace({ 'src/a.ts': BASE });
    const first = await planApply(change(fileChange('src/a.ts', BASE, PROPOSED)), { kind: 'hunk', path: 'src/a.ts', index: 0 }, ws.read);
    ws.write(first);
    ws.files.set('src/a.ts', `${ws.files.get('src/a.ts')!}// user line\n`);
    const second = await planApply(first.next, { kind: 'hunk', path: 'src/a.ts', index: 1 }, ws.read);
    assert.equal(second.ok, false);
    assert.equal(second.files[0]!.conflict?.reason, 'changed');
    assert.equal(second.files[0]!.conflict?.base, BASE);
  });

  it('creating a file whose path now exists is a conflict; taking the proposal rebases it', async () => {
    const ws = workspace({ 'src/new.ts': 'someone else made it\n' });
    const c = change(fileChange('src/new.ts', undefined, OTHER));
    const plan = await planApply(c, { kind: 'task' }, ws.read);
    assert.equal(plan.ok, false);
    assert.equal(plan.files[0]!.conflict?.reason, 'exists');
    assert.equal(stateOf(plan.next), 'conflicted');
    const rebased = rebaseFile(plan.next, 'src/new.ts', ws.files.get('src/new.ts')!);
    assert.equal(rebased.state, 'proposed');
    const again = await planApply(rebased, { kind: 'task' }, ws.read);
    assert.equal(again.ok, true);
    assert.equal(again.files[0]!.content, OTHER);
  });

  it('keeping my version (rejecting the conflicted file) clears the conflict', async () => {
    const ws = workspace({ 'src/b.ts': 'edited\n' });
    const plan = await planApply(change(fileChange('src/b.ts', OTHER, 'export const x = 2;\n')), { kind: 'task' }, ws.read);
    assert.equal(plan.files[0]!.conflict?.base, undefined, 'the base was never captured, the three-way has no base');
    const kept = decide(plan.next, { kind: 'file', path: 'src/b.ts' }, 'rejected');
    assert.equal(kept.state, 'rejected');
  });
});

describe('recordApply', () => {
  it('keeps a decision another window stored while this one was writing', async () => {
    const ws = workspace({ 'src/a.ts': BASE });
    const c = await captureBases(change(fileChange('src/a.ts', BASE, PROPOSED)), ws.read);
    const plan = await planApply(c, { kind: 'hunk', path: 'src/a.ts', index: 1 }, ws.read);
    const latest = decide(c, { kind: 'hunk', path: 'src/a.ts', index: 2 }, 'rejected');
    const merged = recordApply(latest, plan);
    assert.deepEqual(merged.decisions?.['src/a.ts']?.hunks, ['pending', 'accepted', 'rejected']);
    assert.equal(merged.decisions?.['src/a.ts']?.appliedSha256, sha256Hex(plan.files[0]!.content!));
  });

  it('stores a conflict, and the base of the unchanged file the accept read', async () => {
    const ws = workspace({ 'src/a.ts': BASE, 'src/b.ts': 'edited\n' });
    const stored = change(fileChange('src/a.ts', BASE, PROPOSED), fileChange('src/b.ts', OTHER, 'export const x = 2;\n'));
    const plan = await planApply(stored, { kind: 'task' }, ws.read);
    const merged = recordApply(stored, plan);
    assert.equal(merged.state, 'conflicted');
    assert.equal(merged.decisions?.['src/b.ts']?.conflict, true);
    assert.equal((merged.files[0] as { baseContent?: string }).baseContent, BASE);
    // With the base kept, hunk decisions on a.ts work even after a.ts changes on disk.
    assert.deepEqual(decide(merged, { kind: 'hunk', path: 'src/a.ts', index: 2 }, 'rejected').decisions?.['src/a.ts']?.hunks, ['pending', 'pending', 'rejected']);
  });
});

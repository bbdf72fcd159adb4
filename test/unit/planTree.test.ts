import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/core/changes/proposedChange';
import { planLanding } from '../../src/core/integration/landPlan';
import { PlanTree } from '../../src/core/integration/planTree';
import { mergeText } from '../../src/core/integration/threeWayMerge';
import { changeOf, MemoryTreeStore, OUTCOME } from '../support/memoryTreeStore';

const disk = (files: Record<string, string>) => ({ read: (p: string) => Promise.resolve(files[p]) });

describe('three-way merge of one file', () => {
  it('merges edits on different lines and keeps both', () => {
    const r = mergeText('a\nb\nc\n', 'a\nX\nb\nc\n', 'a\nb\nc\nY\n');
    assert.deepEqual(r, { ok: true, text: 'a\nX\nb\nc\nY\n', kind: 'merged' });
  });
  it('refuses edits on the same lines (two insertions at one point included)', () => {
    assert.deepEqual(mergeText('a\n', 'a\nX\n', 'a\nY\n'), { ok: false, conflicts: 1 });
    assert.deepEqual(mergeText('a\nb\n', 'A\nb\n', 'Z\nb\n'), { ok: false, conflicts: 1 });
  });
  it('keeps CRLF line ends and a missing final newline byte for byte', () => {
    const r = mergeText('a\r\nb\r\nc', 'a\r\nX\r\nb\r\nc', 'a\r\nb\r\nc!');
    assert.deepEqual(r, { ok: true, text: 'a\r\nX\r\nb\r\nc!', kind: 'merged' });
  });
});

describe('the plan\'s integrated tree', () => {
  it('a dependant reads what its dependency integrated, not the workspace', async () => {
    const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: disk({ 'src/app.ts': 'app\n' }) });
    assert.equal(await tree.read('src/notes.ts'), undefined);
    const t1 = await tree.integrate(changeOf('T1', { 'src/notes.ts': { base: undefined, proposed: 'notes\n' }, 'src/app.ts': { base: 'app\n', proposed: 'app\nuse notes\n' } }), 'fresh', OUTCOME);
    assert.ok(t1.ok);
    assert.equal(t1.record.status, 'integrated');
    assert.equal(await tree.read('src/notes.ts'), 'notes\n');
    assert.equal(await tree.read('src/app.ts'), 'app\nuse notes\n');
    assert.equal(await tree.baseOf('src/app.ts'), 'app\n', 'the base stays the user\'s file');
  });

  it('merges siblings line by line and refuses overlapping ones without writing', async () => {
    const base = 'head\n\nmiddle\n\ntail\n';
    const store = new MemoryTreeStore();
    const tree = await PlanTree.open({ planId: 'p', store, workspace: disk({ 'a.ts': base }) });
    const t2 = await tree.integrate(changeOf('T2', { 'a.ts': { base, proposed: 'head\nT2\n\nmiddle\n\ntail\n' } }), 'fresh', OUTCOME);
    const t3 = await tree.integrate(changeOf('T3', { 'a.ts': { base, proposed: 'head\n\nmiddle\n\ntail\nT3\n' } }), 'fresh', OUTCOME);
    assert.ok(t2.ok && t3.ok);
    assert.equal(t3.record.status, 'merged');
    assert.deepEqual(t3.merged, ['a.ts']);
    assert.equal(await tree.read('a.ts'), 'head\nT2\n\nmiddle\n\ntail\nT3\n');
    const saves = store.saved.length;
    const t4 = await tree.integrate(changeOf('T4', { 'a.ts': { base, proposed: 'head\nT4\n\nmiddle\n\ntail\n' } }), 'fresh', OUTCOME);
    assert.deepEqual(t4, { ok: false, overlaps: [{ path: 'a.ts', conflicts: 1 }] });
    assert.equal(store.saved.length, saves, 'a refused integration writes nothing');
    assert.equal(await tree.read('a.ts'), 'head\nT2\n\nmiddle\n\ntail\nT3\n');
  });

  it('two siblings creating the same file overlap (nothing of either is lost)', async () => {
    const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: disk({}) });
    assert.ok((await tree.integrate(changeOf('T2', { 'n.ts': { base: undefined, proposed: 'two\n' } }), 'fresh', OUTCOME)).ok);
    const t3 = await tree.integrate(changeOf('T3', { 'n.ts': { base: undefined, proposed: 'three\n' } }), 'fresh', OUTCOME);
    assert.equal(t3.ok, false);
  });

  it('integrates a task once: a second integrate of the same task returns the first record', async () => {
    const store = new MemoryTreeStore();
    const tree = await PlanTree.open({ planId: 'p', store, workspace: disk({ 'a.ts': 'a\n' }) });
    const change = changeOf('T1', { 'a.ts': { base: 'a\n', proposed: 'a\nb\n' } });
    const first = await tree.integrate(change, 'fresh', OUTCOME);
    const again = await tree.integrate(change, 'fresh', OUTCOME);
    assert.ok(first.ok && again.ok);
    assert.equal(again.record.order, 1);
    assert.equal(await tree.read('a.ts'), 'a\nb\n');
    const reopened = await PlanTree.open({ planId: 'p', store, workspace: disk({ 'a.ts': 'user edit\n' }) });
    assert.equal(reopened.record('T1')?.order, 1, 'the record survives a reopen');
    assert.equal(await reopened.read('a.ts'), 'a\nb\n');
    assert.equal(await reopened.baseOf('a.ts'), 'a\n', 'the frozen base survives too, whatever the disk says now');
  });

  it('freezes the user\'s file at the plan\'s first read', async () => {
    const files: Record<string, string> = { 'a.ts': 'v1\n' };
    const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: disk(files) });
    assert.equal(await tree.read('a.ts'), 'v1\n');
    files['a.ts'] = 'v2\n';
    assert.equal(await tree.read('a.ts'), 'v1\n');
  });

  it('drops a task\'s file copies once the plan branch recorded it', async () => {
    const store = new MemoryTreeStore();
    const tree = await PlanTree.open({ planId: 'p', store, workspace: disk({}) });
    const r = await tree.integrate(changeOf('T1', { 'n.ts': { base: undefined, proposed: 'x\n' } }), 'fresh', OUTCOME, () => Promise.resolve(true));
    assert.ok(r.ok);
    assert.equal(tree.record('T1')?.files, undefined);
    const kept = await tree.integrate(changeOf('T2', { 'm.ts': { base: undefined, proposed: 'y\n' } }), 'fresh', OUTCOME, () => Promise.resolve(false));
    assert.ok(kept.ok);
    assert.deepEqual(tree.record('T2')?.files, { 'm.ts': 'y\n' }, 'kept for a later repair of the branch');
  });
});

describe('a rebase holds its files', () => {
  it('another task waits to integrate into them until the rebased change is in, then merges or overlaps it', async () => {
    const base = 'a\n\nb\n';
    const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: disk({ 'x.ts': base }) });
    const release = await tree.reserve('T3', ['x.ts']);
    const sibling: { result?: Awaited<ReturnType<PlanTree['integrate']>> } = {};
    const waiting = tree.integrate(changeOf('T4', { 'x.ts': { base, proposed: 'a\n\nb\nT4\n' } }), 'fresh', OUTCOME).then((r) => (sibling.result = r));
    const unrelated = await tree.integrate(changeOf('T5', { 'y.ts': { base: undefined, proposed: 'y\n' } }), 'fresh', OUTCOME);
    assert.ok(unrelated.ok, 'files the rebase does not hold integrate at once');
    await new Promise((r) => setImmediate(r));
    assert.ok(sibling.result === undefined, 'T4 waits while T3 re-runs');
    const rebased = await tree.integrate(changeOf('T3', { 'x.ts': { base, proposed: 'a\nT3\n\nb\n' } }), 'rebased', OUTCOME);
    assert.ok(rebased.ok && rebased.record.status === 'rebased');
    release();
    await waiting;
    const merged = sibling.result as Awaited<ReturnType<PlanTree['integrate']>> | undefined;
    assert.ok(merged?.ok, 'then T4 merges on other lines');
    assert.equal(await tree.read('x.ts'), 'a\nT3\n\nb\nT4\n');
  });

  it('one rebase at a time per plan', async () => {
    const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: disk({}) });
    const first = await tree.reserve('T1', ['a.ts']);
    const second: { release?: () => void } = {};
    const next = tree.reserve('T2', ['b.ts']).then((r) => (second.release = r));
    await new Promise((r) => setImmediate(r));
    assert.ok(second.release === undefined);
    first();
    await next;
    const release2 = second.release as (() => void) | undefined;
    assert.ok(release2);
    release2();
  });
});

describe('landing a plan on the user\'s files', () => {
  it('writes new and untouched files, merges the user\'s edits on other lines, and reports same-line edits', async () => {
    const plan = new Map([['new.ts', 'new\n'], ['same.ts', 'base\nplan\n'], ['edited.ts', 'x\n\ny\nplan\n'], ['clash.ts', 'plan\n']]);
    const base: Record<string, string> = { 'same.ts': 'base\n', 'edited.ts': 'x\n\ny\n', 'clash.ts': 'base\n' };
    const now: Record<string, string> = { 'same.ts': 'base\n', 'edited.ts': 'user\nx\n\ny\n', 'clash.ts': 'user\n' };
    const landing = await planLanding(plan, (p) => Promise.resolve(base[p]), (p) => Promise.resolve(now[p]));
    assert.deepEqual(landing.writes.map((w) => [w.path, w.kind, w.content]), [
      ['new.ts', 'new', 'new\n'], ['same.ts', 'fast_forward', 'base\nplan\n'], ['edited.ts', 'merged', 'user\nx\n\ny\nplan\n'],
    ]);
    assert.equal(landing.writes[0]!.expectedSha256, null);
    assert.equal(landing.writes[1]!.expectedSha256, sha256Hex('base\n'));
    assert.deepEqual(landing.conflicts, [{ path: 'clash.ts', regions: 1 }]);
  });
});

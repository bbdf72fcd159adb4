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

describe('withdrawing rejected tasks from the tree', () => {
  const base = 'head\n\nmiddle\n\ntail\n';
  async function threeTasks() {
    const store = new MemoryTreeStore();
    const tree = await PlanTree.open({ planId: 'p', store, workspace: disk({ 'a.ts': base }) });
    const changes = new Map([
      // T1 adds a line and a new file; T2 builds on T1 (reads its line); T3 is a sibling on other lines.
      ['T1', changeOf('T1', { 'a.ts': { base, proposed: 'head\nT1\n\nmiddle\n\ntail\n' }, 'n.ts': { base: undefined, proposed: 'T1 made me\n' } })],
      ['T3', changeOf('T3', { 'a.ts': { base, proposed: 'head\n\nmiddle\n\ntail\nT3\n' } })],
      ['T2', changeOf('T2', { 'a.ts': { base: 'head\nT1\n\nmiddle\n\ntail\n', proposed: 'head\nT1\n\nmiddle T2\n\ntail\n' } })],
    ]);
    for (const c of changes.values()) assert.ok((await tree.integrate(c, 'fresh', OUTCOME)).ok);
    return { store, tree, changeOf: (id: string) => Promise.resolve(changes.get(id)) };
  }

  it('rebuilds the tree without them: the kept tasks\' lines stay, the withdrawn ones\' are gone, a created file is back to absent', async () => {
    const { store, tree, changeOf: load } = await threeTasks();
    const result = await tree.withdraw(['T1', 'T2'], load);
    assert.deepEqual(result.withdrawn, ['T1', 'T2']);
    assert.deepEqual(result.overlapped, []);
    assert.equal(await tree.read('a.ts'), 'head\n\nmiddle\n\ntail\nT3\n');
    assert.equal(await tree.read('n.ts'), undefined);
    assert.deepEqual([...result.files], [['a.ts', 'head\n\nmiddle\n\ntail\nT3\n'], ['n.ts', null]]);
    assert.deepEqual(tree.records().map((r) => r.taskId), ['T3']);
    assert.deepEqual(Object.keys(store.saved.at(-1)!.tasks), ['T3'], 'persisted');
    // A withdrawn task integrates again (a re-run), after the kept ones.
    const again = await tree.integrate(changeOf('T2', { 'a.ts': { base: 'head\n\nmiddle\n\ntail\nT3\n', proposed: 'head\n\nmiddle T2\n\ntail\nT3\n' } }), 'fresh', OUTCOME);
    assert.ok(again.ok);
    assert.deepEqual(tree.records().map((r) => r.taskId), ['T3', 'T2'], 'after the kept ones');
    assert.deepEqual((await tree.withdraw(['T1'], load)).withdrawn, [], 'withdrawing what is not there does nothing');
  });

  it('a kept task that merged on the withdrawn task\'s lines goes too, and is named', async () => {
    const store = new MemoryTreeStore();
    const tree = await PlanTree.open({ planId: 'p', store, workspace: disk({ 'a.ts': 'a\nb\n' }) });
    const t1 = changeOf('T1', { 'a.ts': { base: 'a\nb\n', proposed: 'a\nT1\nb\n' } });
    // T4 started after T1 integrated and edited T1's own line, without depending on it.
    const t4 = changeOf('T4', { 'a.ts': { base: 'a\nT1\nb\n', proposed: 'a\nT1 + T4\nb\n' } });
    assert.ok((await tree.integrate(t1, 'fresh', OUTCOME)).ok && (await tree.integrate(t4, 'fresh', OUTCOME)).ok);
    const result = await tree.withdraw(['T1'], (id) => Promise.resolve(id === 'T4' ? t4 : t1));
    assert.deepEqual(result, { withdrawn: ['T1', 'T4'], overlapped: ['T4'], files: new Map([['a.ts', null]]) });
    assert.equal(await tree.read('a.ts'), 'a\nb\n');
  });

  it('writes nothing when a kept task\'s stored change is missing', async () => {
    const { store, tree } = await threeTasks();
    const saves = store.saved.length;
    await assert.rejects(tree.withdraw(['T1'], () => Promise.resolve(undefined)), /T3's stored change is missing/);
    assert.equal(store.saved.length, saves);
    assert.equal(await tree.read('n.ts'), 'T1 made me\n');
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

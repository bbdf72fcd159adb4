import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PlanTree } from '../../src/core/integration/planTree';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { FileTreeStore } from '../../src/infra/storage/fileTreeStore';
import { changeOf, OUTCOME } from '../support/memoryTreeStore';

const disk = (files: Record<string, string>) => ({ read: (p: string) => Promise.resolve(files[p]) });

async function treeWithTasks(dir: string, count: number): Promise<PlanTree> {
  const tree = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({ 'app.ts': 'app\n' }) });
  let app = 'app\n';
  for (let i = 1; i <= count; i++) {
    const next = `${app}line ${i}\n`;
    const r = await tree.integrate(changeOf(`T${i}`, { 'app.ts': { base: app, proposed: next }, [`m${i}.ts`]: { base: undefined, proposed: `m${i}\n` } }), 'fresh', OUTCOME);
    assert.ok(r.ok);
    app = next;
  }
  return tree;
}

describe('the integrated tree on disk (snapshot + journal)', () => {
  it('a reopened store gives back every integration, across journal folds', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    const tree = await treeWithTasks(dir, 450);
    const reopened = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({}) });
    assert.equal(reopened.records().length, 450);
    assert.equal(await reopened.read('app.ts'), await tree.read('app.ts'));
    assert.equal(await reopened.read('m450.ts'), 'm450\n');
    assert.equal(await reopened.baseOf('app.ts'), 'app\n');
    const journal = path.join(dir, 'p1.journal.jsonl');
    assert.ok(readFileSync(journal, 'utf8').split('\n').filter(Boolean).length <= 200, 'the journal is folded into the snapshot');
  });

  it('a withdrawal survives a reopen: the withdrawn tasks and the files back to base stay gone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    const store = new FileTreeStore(dir);
    const tree = await PlanTree.open({ planId: 'p1', store, workspace: disk({ 'app.ts': 'app\n' }) });
    const t1 = changeOf('T1', { 'app.ts': { base: 'app\n', proposed: 'app\nT1\n' }, 'made.ts': { base: undefined, proposed: 'T1 made me\n' } });
    const t2 = changeOf('T2', { 'other.ts': { base: undefined, proposed: 'T2\n' } });
    assert.ok((await tree.integrate(t1, 'fresh', OUTCOME)).ok && (await tree.integrate(t2, 'fresh', OUTCOME)).ok);
    await tree.withdraw(['T1'], (id) => Promise.resolve(id === 'T2' ? t2 : t1));
    const reopened = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({ 'app.ts': 'app\n' }) });
    assert.deepEqual(reopened.records().map((r) => r.taskId), ['T2']);
    assert.deepEqual([...reopened.changedFiles().keys()], ['other.ts']);
    assert.equal(await reopened.read('made.ts'), undefined);
    assert.equal(await reopened.read('app.ts'), 'app\n');
  });

  it('an integration costs a line, not the whole tree', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    await treeWithTasks(dir, 150);
    const lines = readFileSync(path.join(dir, 'p1.journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    const last = JSON.parse(lines.at(-1)!) as { files: Record<string, string> };
    assert.deepEqual(Object.keys(last.files).sort(), ['app.ts', 'm150.ts'], 'only the files the last task changed');
  });

  it('drops a torn last line (a crash mid-append) and keeps everything before it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    await treeWithTasks(dir, 5);
    await appendFile(path.join(dir, 'p1.journal.jsonl'), '{"seq":99,"files":{"app.ts":"tor');
    const reopened = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({}) });
    assert.equal(reopened.records().length, 5);
    assert.match((await reopened.read('app.ts'))!, /line 5\n$/);
  });

  it('replays nothing twice after a crash between a snapshot and the journal\'s truncation', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    await treeWithTasks(dir, 3);
    // A fold wrote a newer snapshot (here: app.ts as a later task left it), then the process died
    // before the old journal was removed: its deltas hold older content of app.ts.
    const snapshot = JSON.parse(readFileSync(path.join(dir, 'p1.json'), 'utf8')) as { files: Record<string, string> };
    const reopened = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({}) });
    const tasks = Object.fromEntries(reopened.records().map((r) => [r.taskId, r]));
    writeFileSync(path.join(dir, 'p1.json'), JSON.stringify({ ...snapshot, tasks, files: { ...snapshot.files, 'app.ts': 'newer\n' }, journalSeq: 1_000 }));
    const again = await PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({}) });
    assert.equal(await again.read('app.ts'), 'newer\n', 'deltas at or below the snapshot\'s sequence are skipped');
    assert.equal(again.records().length, 3);
  });

  it('a journal line that is not the last and cannot be read is moved aside and reported', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-tree-'));
    await treeWithTasks(dir, 3);
    const journal = path.join(dir, 'p1.journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    writeFileSync(journal, ['garbage', ...lines].join('\n') + '\n');
    await assert.rejects(PlanTree.open({ planId: 'p1', store: new FileTreeStore(dir), workspace: disk({}) }), (e) => isHeliosError(e, 'state_corrupt'));
    assert.ok(readdirSync(dir).some((f) => f.startsWith('p1.journal.jsonl.corrupt-')), 'kept, renamed');
    assert.equal(existsSync(journal), false);
  });
});

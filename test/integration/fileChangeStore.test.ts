import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runTsWorker } from '../support/tsWorker';
import { decide } from '../../src/core/changes/decisions';
import { lineHunksOf } from '../../src/core/changes/lineHunks';
import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { writeFileAtomic } from '../../src/infra/storage/atomicFile';
import { FileChangeStore } from '../../src/infra/storage/fileChangeStore';
import type { ProposedChange } from '../../src/shared/proposedChange';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'helios-change-store-'));

/** A change to one file with `n` separate one-line hunks (every other line changes). */
function sample(taskId = 'T1', n = 3): ProposedChange {
  const base = Array.from({ length: 2 * n }, (_, i) => `line ${i}\n`).join('');
  const proposed = Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? `LINE ${i}\n` : `line ${i}\n`)).join('');
  const hunks = lineHunksOf(base, proposed);
  assert.equal(hunks.length, n);
  return makeProposedChange({ planId: 'plan-1', taskId, model: 'claude-sonnet-5-5', summary: 'upper-case', createdAt: '2026-11-24T09:00:00Z' }, [
    {
      path: 'src/a.ts', action: 'replace', baseSha256: sha256Hex(base), content: proposed, proposedContent: proposed, proposedSha256: sha256Hex(proposed),
      linesAdded: n, linesRemoved: n, baseContent: base,
    },
  ]);
}

/** What the Run Plan writes today (src/extension/planRunner.ts saveChange). */
async function saveLikeRunPlan(root: string, change: ProposedChange): Promise<string> {
  const file = path.join(root, 'changes', change.planId, `${change.taskId}.json`);
  await writeFileAtomic(file, JSON.stringify(change, null, 1));
  return file;
}

describe('FileChangeStore', () => {
  it('reads what the Run Plan wrote, and a new store instance sees saved decisions', async () => {
    const root = await tmp();
    await saveLikeRunPlan(root, sample('T1'));
    await saveLikeRunPlan(root, sample('T2'));
    const store = new FileChangeStore(root);
    assert.deepEqual((await store.list()).map((c) => c.taskId), ['T1', 'T2']);
    await store.update('plan-1', 'T1', (c) => decide(c, { kind: 'hunk', path: 'src/a.ts', index: 1 }, 'rejected'));
    const reloaded = await new FileChangeStore(root).load('plan-1', 'T1');
    assert.deepEqual(reloaded?.decisions?.['src/a.ts']?.hunks, ['pending', 'rejected', 'pending']);
    // The captured base text survives the round trip (hunk indices depend on it after a partial apply).
    assert.equal((reloaded?.files[0] as { baseContent?: string }).baseContent, (sample().files[0] as { baseContent?: string }).baseContent);
    assert.equal((await store.list('plan-1')).length, 2);
    // A field a newer Helios wrote survives this one's read-modify-write.
    await saveLikeRunPlan(root, { ...sample('T3'), futureField: { kept: true } } as ProposedChange);
    const kept = await store.update('plan-1', 'T3', (c) => decide(c, { kind: 'task' }, 'rejected'));
    assert.deepEqual((kept as unknown as { futureField: unknown }).futureField, { kept: true });
    assert.deepEqual((JSON.parse(await readFile(path.join(root, 'changes', 'plan-1', 'T3.json'), 'utf8')) as { futureField: unknown }).futureField, { kept: true });
    assert.deepEqual(await store.list('no-such-plan'), []);
    assert.equal(await store.load('plan-1', 'T9'), undefined);
    assert.equal(await store.update('plan-1', 'T9', (c) => c), undefined);
  });

  it('keeps the answer\'s cache key with the change, and drops a malformed key without losing the change', async () => {
    const root = await tmp();
    const key = 'ab'.repeat(32);
    await saveLikeRunPlan(root, { ...sample('T1'), cacheKey: key });
    await saveLikeRunPlan(root, { ...sample('T2'), cacheKey: '../../etc/passwd' });
    const store = new FileChangeStore(root);
    assert.equal((await store.load('plan-1', 'T1'))?.cacheKey, key);
    const broken = await store.load('plan-1', 'T2');
    assert.equal(broken?.taskId, 'T2', 'the change itself is still there');
    assert.equal(broken?.cacheKey, undefined);
  });

  it('moves corrupt, half-written and hand-broken files aside (*.corrupt-<time>) with a warning, then reads them as missing', async () => {
    const root = await tmp();
    const good = await saveLikeRunPlan(root, sample('T1'));
    const dir = path.dirname(good);
    const whole = JSON.stringify(sample('T2'), null, 1);
    const broken: Record<string, string> = {
      'T2.json': whole.slice(0, Math.floor(whole.length / 2)),
      'T3.json': 'not json at all',
      'T4.json': JSON.stringify({ ...sample('T4'), files: [{ ...sample('T4').files[0], path: '../../etc/passwd' }] }),
      'T5.json': JSON.stringify({ ...sample('T5'), version: 2 }),
      'T6.json': JSON.stringify({ ...sample('T6'), decisions: { 'src/a.ts': { hunks: ['maybe'] } } }),
      'T7.json': JSON.stringify(sample('T1')),
      'T8.json': JSON.stringify({
        ...sample('T8'),
        review: { verdict: 'approve', summary: '', model: 'm', reviewedAt: 'x', costUsd: 0, tokens: 0, findings: [{ id: 'f1', path: 'src/a.ts', startLine: 'x', endLine: 2, severity: 'nit', message: 'm', status: 'open', replies: [] }] },
      }),
    };
    for (const [name, text] of Object.entries(broken)) await writeFile(path.join(dir, name), text);
    await writeFile(path.join(dir, `T1.json.${process.pid}.abcd.tmp`), '{"half');

    const corrupt: { file: string; aside: string | undefined }[] = [];
    const store = new FileChangeStore(root, { onCorrupt: (file, _error, aside) => corrupt.push({ file: path.basename(file), aside }) });
    assert.deepEqual((await store.list()).map((c) => c.taskId), ['T1']);
    assert.deepEqual(corrupt.map((c) => c.file).sort(), Object.keys(broken).sort());

    const names = await readdir(dir);
    for (const name of Object.keys(broken)) {
      const taskId = name.slice(0, -5);
      const aside = corrupt.find((c) => c.file === name)?.aside;
      assert.ok(aside && path.basename(aside).startsWith(`${name}.corrupt-`), `${name} moved aside`);
      assert.equal(await readFile(aside, 'utf8'), broken[name], `${name} kept as it was`);
      assert.ok(!names.includes(name));
      assert.equal(await store.load('plan-1', taskId), undefined);
      assert.equal(await store.update('plan-1', taskId, (c) => decide(c, { kind: 'task' }, 'rejected')), undefined);
    }
    assert.equal(corrupt.length, Object.keys(broken).length, 'each one reported once');

    // A file broken after the listing is moved aside (and reported) by `load` and `update` as well.
    await writeFile(path.join(dir, 'T9.json'), '{"planId":');
    assert.equal(await store.load('plan-1', 'T9'), undefined);
    assert.ok(corrupt.at(-1)?.file === 'T9.json' && (await readdir(dir)).some((n) => n.startsWith('T9.json.corrupt-')));
    assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.lock')), 'no lock left behind');
  });

  it('refuses plan and task ids that would leave the changes folder', async () => {
    const store = new FileChangeStore(await tmp());
    await assert.rejects(store.load('..', 'T1'));
    await assert.rejects(store.load('plan-1', '../x'));
  });

  it('two store instances deciding different hunks of one change at once both survive', async () => {
    const root = await tmp();
    const n = 24;
    await saveLikeRunPlan(root, sample('T1', n));
    const a = new FileChangeStore(root);
    const b = new FileChangeStore(root);
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 === 0 ? a : b).update('plan-1', 'T1', (c) => decide(c, { kind: 'hunk', path: 'src/a.ts', index: i }, i % 3 === 0 ? 'accepted' : 'rejected')),
      ),
    );
    const final = await new FileChangeStore(root).load('plan-1', 'T1');
    assert.deepEqual(final?.decisions?.['src/a.ts']?.hunks, Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'accepted' : 'rejected')));
    assert.equal(final?.state, 'applied');
  });

  it('two processes deciding different hunks at once both survive', async () => {
    const root = await tmp();
    const n = 30;
    await saveLikeRunPlan(root, sample('T1', n));
    const worker = path.join(root, 'worker.mts');
    const src = path.resolve('src');
    await writeFile(worker, [
      `import { FileChangeStore } from ${JSON.stringify(path.join(src, 'infra/storage/fileChangeStore.ts'))};`,
      `import { decide } from ${JSON.stringify(path.join(src, 'core/changes/decisions.ts'))};`,
      `const [root, parity, n] = process.argv.slice(2);`,
      `const store = new FileChangeStore(root);`,
      `for (let i = Number(parity); i < Number(n); i += 2) {`,
      `  await store.update('plan-1', 'T1', (c) => decide(c, { kind: 'hunk', path: 'src/a.ts', index: i }, 'rejected'));`,
      `}`,
    ].join('\n'));
    const run = (parity: number) => runTsWorker(worker, [root, String(parity), String(n)]);
    assert.deepEqual(await Promise.all([run(0), run(1)]), [0, 0]);
    const final = await new FileChangeStore(root).load('plan-1', 'T1');
    assert.deepEqual(final?.decisions?.['src/a.ts']?.hunks, Array.from({ length: n }, () => 'rejected'));
    assert.equal(final?.state, 'rejected');
  });

  it('takes over a lock left by a crashed writer, and waits out a live one', async () => {
    const root = await tmp();
    const file = await saveLikeRunPlan(root, sample('T1'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    await writeFile(`${file}.lock`, JSON.stringify({ token: 'x', pid: deadPid, host: os.hostname(), at: new Date().toISOString() }));
    const store = new FileChangeStore(root, {}, { lockTimeoutMs: 2_000 });
    const updated = await store.update('plan-1', 'T1', (c) => decide(c, { kind: 'task' }, 'rejected'));
    assert.equal(updated?.state, 'rejected');

    // An unreadable lock is only taken over once it is old.
    await writeFile(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    assert.equal((await store.update('plan-1', 'T1', (c) => c))?.taskId, 'T1');

    // A live holder (this very process) is waited for, then reported as busy.
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, JSON.stringify({ token: 'live', pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
    const impatient = new FileChangeStore(root, {}, { lockTimeoutMs: 100 });
    await assert.rejects(impatient.update('plan-1', 'T1', (c) => c), (e) => isHeliosError(e, 'state_busy'));
    assert.equal(await readFile(`${file}.lock`, 'utf8').then((t) => (JSON.parse(t) as { token: string }).token), 'live', "someone else's live lock is never removed");
  });
});

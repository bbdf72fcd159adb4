import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decide, viewOf } from '../../src/core/changes/decisions';
import { lineHunksOf, mapProposedLine } from '../../src/core/changes/lineHunks';
import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { acceptOnDisk } from '../../src/infra/changes/diskChanges';
import { FileChangeStore } from '../../src/infra/storage/fileChangeStore';
import type { ProposedFileChange } from '../../src/shared/proposedChange';

const A_BASE = 'import x from "x";\r\n\r\nexport function a() {\r\n  return 1;\r\n}\r\n\r\nexport const tail = true;';
const A_PROPOSED = 'import x from "x";\nimport y from "y";\n\nexport function a() {\n  return y(1);\n}\n\nexport const tail = false;';
const B_NEW = 'export const b = 1;\n';

function file(p: string, base: string | undefined, proposed: string): ProposedFileChange {
  const hunks = lineHunksOf(base, proposed);
  return {
    path: p, action: base === undefined ? 'create' : 'replace', baseSha256: base === undefined ? null : sha256Hex(base), content: proposed,
    proposedContent: proposed, proposedSha256: sha256Hex(proposed),
    linesAdded: hunks.reduce((n, h) => n + h.proposedLines, 0), linesRemoved: hunks.reduce((n, h) => n + h.baseLines, 0),
  };
}

/** A workspace with a CRLF file without a final newline, and a stored change to it plus a new file. */
async function setup() {
  const top = await mkdtemp(path.join(os.tmpdir(), 'helios-apply-'));
  const root = path.join(top, 'ws');
  const storage = path.join(top, 'storage');
  await mkdir(path.join(root, 'src'), { recursive: true });
  await writeFile(path.join(root, 'src', 'a.ts'), A_BASE);
  const store = new FileChangeStore(storage);
  await store.save(makeProposedChange({ planId: 'plan-1', taskId: 'T1', model: 'claude-sonnet-5-5', summary: 's', createdAt: '2026-11-24T09:00:00Z' }, [
    file('src/a.ts', A_BASE, A_PROPOSED),
    file('src/lib/b.ts', undefined, B_NEW),
  ]));
  return { top, root, storage, store };
}

const read = (root: string, p: string) => readFile(path.join(root, p), 'utf8');

describe('accepting a change on disk (CLI)', () => {
  it('accepts one hunk, survives a reload, then accepts the rest: CRLF and the missing final newline kept', async () => {
    const { root, storage, store } = await setup();
    assert.equal(lineHunksOf(A_BASE, A_PROPOSED).length, 3);
    const first = await acceptOnDisk(root, store, 'plan-1', 'T1', { kind: 'hunk', path: 'src/a.ts', index: 1 });
    assert.equal(first.ok, true);
    assert.equal(await read(root, 'src/a.ts'), 'import x from "x";\r\n\r\nexport function a() {\r\n  return y(1);\r\n}\r\n\r\nexport const tail = true;');

    // A new store instance (a reload) sees the decision and maps a finding on the proposed line 5.
    const reloaded = await new FileChangeStore(storage).load('plan-1', 'T1');
    assert.equal(reloaded?.state, 'proposed');
    assert.ok(reloaded);
    const view = viewOf(reloaded, 'src/a.ts');
    assert.ok(view);
    assert.deepEqual(view.decisions, ['pending', 'accepted', 'pending']);
    assert.equal(mapProposedLine(view.hunks, view.decisions, 5), 4, 'return y(1) is line 4 of the real file');
    assert.equal(mapProposedLine(view.hunks, view.decisions, 2), undefined, 'the import is still pending');

    await new FileChangeStore(storage).update('plan-1', 'T1', (c) => decide(c, { kind: 'hunk', path: 'src/a.ts', index: 0 }, 'rejected'));
    const rest = await acceptOnDisk(root, new FileChangeStore(storage), 'plan-1', 'T1');
    assert.equal(rest.ok, true);
    assert.equal(await read(root, 'src/a.ts'), 'import x from "x";\r\n\r\nexport function a() {\r\n  return y(1);\r\n}\r\n\r\nexport const tail = false;');
    assert.equal(await read(root, 'src/lib/b.ts'), B_NEW);
    assert.equal((await store.load('plan-1', 'T1'))?.state, 'applied');
  });

  it('a file edited after the task read it: nothing of the task written, the conflict stored', async () => {
    const { root, store } = await setup();
    const edited = A_BASE.replace('return 1', 'return 2');
    await writeFile(path.join(root, 'src', 'a.ts'), edited);
    const plan = await acceptOnDisk(root, store, 'plan-1', 'T1');
    assert.equal(plan.ok, false);
    const conflict = plan.files.find((f) => f.path === 'src/a.ts')?.conflict;
    assert.deepEqual(conflict && { ...conflict }, { reason: 'changed', base: undefined, current: edited, proposed: A_PROPOSED });
    assert.equal(await read(root, 'src/a.ts'), edited);
    assert.deepEqual((await readdir(path.join(root, 'src'))).sort(), ['a.ts'], 'the new file of the same task was not created');
    const stored = await store.load('plan-1', 'T1');
    assert.equal(stored?.state, 'conflicted');
    assert.equal(stored?.decisions?.['src/a.ts']?.conflict, true);
  });

  it('a path that leaves the workspace through a symlink is refused before anything is written', async () => {
    const { top, root, store } = await setup();
    await mkdir(path.join(top, 'outside'));
    await symlink(path.join(top, 'outside'), path.join(root, 'src', 'lib'));
    await assert.rejects(acceptOnDisk(root, store, 'plan-1', 'T1'), (e) => isHeliosError(e, 'path_outside_workspace') && e.details.path === 'src/lib/b.ts');
    assert.equal(await read(root, 'src/a.ts'), A_BASE);
    assert.deepEqual(await readdir(path.join(top, 'outside')), []);
    assert.equal((await store.load('plan-1', 'T1'))?.state, 'proposed');
  });
});

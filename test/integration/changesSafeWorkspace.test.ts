import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rename, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/core/changes/proposedChange';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { applyToDisk, resolveInside, type DiskWrite } from '../../src/infra/changes/safeWorkspace';

/** A workspace folder and, beside it, a folder that must never be written. */
async function setup() {
  const top = await mkdtemp(path.join(os.tmpdir(), 'helios-changes-'));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside');
  await mkdir(path.join(root, 'src'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(path.join(outside, 'secret.txt'), 'do not touch\n');
  return { top, root, outside };
}

const escapes = (problem: string) => (e: unknown) => isHeliosError(e, 'path_outside_workspace') && e.details.problem === problem;

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('resolveInside', () => {
  it('resolves a plain relative path, normalized, inside the real root', async () => {
    const { root } = await setup();
    assert.equal(await resolveInside(root, './src//a.ts'), path.join(await realpath(root), 'src', 'a.ts'));
    assert.equal(path.basename(await resolveInside(root, 'src/new/deeper/b.ts')), 'b.ts');
  });

  it('refuses `..`, absolute paths and symlinks that lead outside, with a typed problem', async () => {
    const { root, outside } = await setup();
    await assert.rejects(resolveInside(root, '../outside/secret.txt'), escapes('parent'));
    await assert.rejects(resolveInside(root, 'src/../../outside/x'), escapes('parent'));
    await assert.rejects(resolveInside(root, '/etc/passwd'), escapes('absolute'));
    await assert.rejects(resolveInside(root, 'C:\\Windows\\x'), escapes('absolute'));
    await symlink(outside, path.join(root, 'linked'));
    await assert.rejects(resolveInside(root, 'linked/secret.txt'), escapes('symlink'));
    await assert.rejects(resolveInside(root, 'linked/new/file.ts'), escapes('symlink'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'src', 'innocent.ts'));
    await assert.rejects(resolveInside(root, 'src/innocent.ts'), escapes('symlink'));
    await symlink(path.join(outside, 'not-yet.txt'), path.join(root, 'src', 'dangling.ts'));
    await assert.rejects(resolveInside(root, 'src/dangling.ts'), escapes('symlink'));
  });

  it('follows a symlink that stays inside the workspace to the real file', async () => {
    const { root } = await setup();
    await symlink(path.join(root, 'src'), path.join(root, 'alias'));
    assert.equal(await resolveInside(root, 'alias/a.ts'), await resolveInside(root, 'src/a.ts'));
  });
});

describe('applyToDisk', () => {
  const A = 'export const a = 1;\n';

  it('writes every file of the task, creating folders, keeping the file mode', async () => {
    const { root } = await setup();
    await chmod(path.join(root, 'src', 'a.ts'), 0o755);
    await applyToDisk(root, [
      { path: 'src/a.ts', expectedSha256: sha256Hex(A), content: 'export const a = 2;\n' },
      { path: 'src/lib/b.ts', expectedSha256: null, content: 'export const b = 1;\n' },
    ]);
    assert.equal(await readFile(path.join(root, 'src', 'a.ts'), 'utf8'), 'export const a = 2;\n');
    assert.equal(await readFile(path.join(root, 'src', 'lib', 'b.ts'), 'utf8'), 'export const b = 1;\n');
    assert.equal((await stat(path.join(root, 'src', 'a.ts'))).mode & 0o777, 0o755);
    assert.deepEqual(await tree(root), ['src', 'src/a.ts', 'src/lib', 'src/lib/b.ts']);
  });

  it('writes nothing when one path escapes through a symlink, and nothing lands outside', async () => {
    const { root, outside } = await setup();
    await symlink(outside, path.join(root, 'linked'));
    const writes: DiskWrite[] = [
      { path: 'src/a.ts', expectedSha256: sha256Hex(A), content: 'changed\n' },
      { path: 'linked/evil.ts', expectedSha256: null, content: 'evil\n' },
    ];
    await assert.rejects(applyToDisk(root, writes), escapes('symlink'));
    assert.equal(await readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A);
    assert.deepEqual(await tree(outside), ['secret.txt']);
  });

  it('writes nothing when a file changed since it was read, or a created file now exists', async () => {
    const { root } = await setup();
    await assert.rejects(
      applyToDisk(root, [
        { path: 'src/new.ts', expectedSha256: null, content: 'x\n' },
        { path: 'src/a.ts', expectedSha256: sha256Hex('what the task read\n'), content: 'y\n' },
      ]),
      (e) => isHeliosError(e, 'change_conflict') && e.details.path === 'src/a.ts',
    );
    await assert.rejects(applyToDisk(root, [{ path: 'src/a.ts', expectedSha256: null, content: 'x\n' }]), (e) => isHeliosError(e, 'change_conflict'));
    assert.deepEqual(await tree(root), ['src', 'src/a.ts']);
    assert.equal(await readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A);
  });

  it('a failure while staging the second file leaves the first untouched', async () => {
    const { root } = await setup();
    await writeFile(path.join(root, 'notadir'), 'a file\n');
    await assert.rejects(
      applyToDisk(root, [
        { path: 'src/a.ts', expectedSha256: sha256Hex(A), content: 'changed\n' },
        { path: 'notadir/b.ts', expectedSha256: null, content: 'b\n' },
      ]),
      (e) => (e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'EEXIST',
    );
    assert.equal(await readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A);
    assert.deepEqual(await tree(root), ['notadir', 'src', 'src/a.ts']);
  });

  it('a failed rename of the second file restores the first and removes what was created', async () => {
    const { root } = await setup();
    let renames = 0;
    const failSecond = {
      async rename(from: string, to: string) {
        if (++renames === 2) throw Object.assign(new Error('EIO: simulated disk failure'), { code: 'EIO' });
        await rename(from, to);
      },
    };
    await assert.rejects(
      applyToDisk(root, [
        { path: 'src/a.ts', expectedSha256: sha256Hex(A), content: 'changed\n' },
        { path: 'src/lib/deep/b.ts', expectedSha256: null, content: 'b\n' },
      ], failSecond),
      /simulated disk failure/,
    );
    assert.equal(renames, 2);
    assert.equal(await readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A);
    assert.deepEqual(await tree(root), ['src', 'src/a.ts'], 'no temp file and no created folder is left');
  });
});

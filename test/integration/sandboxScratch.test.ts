import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { defaultPolicy } from '../../src/core/verify/sandbox';
import { createVerifier } from '../../src/core/verify/verifyChange';
import { ScratchCopier } from '../../src/infra/sandbox/scratchCopy';
import { shutdownSandboxRuntime, SrtSandbox } from '../../src/infra/sandbox/srtSandbox';
import { UnsandboxedRunner } from '../../src/infra/sandbox/unsandboxedRunner';
import { changeOf, plan, task } from '../fixtures/verify/changeFactory';

/** Scratch copies (what goes in, what stays out) and the limits, against the real runtime. */

let tmp: string;
const copier = (): ScratchCopier => new ScratchCopier({ root: path.join(tmp, 'scratch') });

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-scratch-test-'));
  await fs.mkdir(path.join(tmp, 'scratch'));
});

after(async () => {
  await shutdownSandboxRuntime();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function tree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

describe('scratch copies', () => {
  it('outside git: copies sources, links dependencies read-only, leaves secrets and VCS out', async () => {
    const ws = path.join(tmp, 'plain');
    await tree(ws, { 'src/a.js': 'a', '.env': 'S=1', 'config/.env.local': 'S=2', 'node_modules/dep/index.js': 'dep', '.git-not/x': 'kept', '.hg/store': 'vcs' });
    const copy = await copier().create(ws);
    try {
      assert.equal(await fs.readFile(path.join(copy.dir, 'src/a.js'), 'utf8'), 'a');
      assert.equal(await exists(path.join(copy.dir, '.env')), false);
      assert.equal(await exists(path.join(copy.dir, 'config/.env.local')), false);
      assert.equal(await exists(path.join(copy.dir, '.hg')), false);
      assert.deepEqual([...copy.secretFiles].sort(), [path.join(ws, '.env'), path.join(ws, 'config/.env.local')]);
      assert.equal((await fs.lstat(path.join(copy.dir, 'node_modules'))).isSymbolicLink(), true);

      const run = await new SrtSandbox().run('cat node_modules/dep/index.js; echo x > node_modules/dep/evil.js; echo y > src/b.js', copy.dir, defaultPolicy({ scratchDir: copy.dir, tmpDir: copy.tmpDir, home: tmp }));
      assert.match(run.output, /^dep/);
      assert.equal(await exists(path.join(ws, 'node_modules/dep/evil.js')), false, 'dependencies are read-only');
      assert.ok(run.violations.some((v) => v.startsWith('write_denied ') && v.endsWith('evil.js')), run.violations.join('\n'));
      assert.equal(await fs.readFile(path.join(copy.dir, 'src/b.js'), 'utf8'), 'y\n');
    } finally {
      await copy.dispose();
    }
    assert.equal(await exists(copy.dir), false);
    assert.equal(await fs.readFile(path.join(ws, 'node_modules/dep/index.js'), 'utf8'), 'dep', 'removing the copy keeps the linked folder');
  });

  it('in git: what the user would commit, uncommitted edits included, ignored files out', async () => {
    const ws = path.join(tmp, 'repo');
    await tree(ws, { 'src/a.js': 'committed', '.gitignore': 'build/\n', 'build/out.js': 'ignored' });
    const git = (...args: string[]): void => void execFileSync('git', ['-C', ws, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'c');
    await tree(ws, { 'src/a.js': 'edited', 'src/new.js': 'untracked' });
    const copy = await copier().create(ws);
    try {
      assert.equal(await fs.readFile(path.join(copy.dir, 'src/a.js'), 'utf8'), 'edited');
      assert.equal(await fs.readFile(path.join(copy.dir, 'src/new.js'), 'utf8'), 'untracked');
      assert.equal(await exists(path.join(copy.dir, 'build')), false);
      assert.equal(await exists(path.join(copy.dir, '.git')), false);
    } finally {
      await copy.dispose();
    }
  });

  it('never writes a proposed file through a symlink into the user\'s tree', async () => {
    const ws = path.join(tmp, 'links');
    await tree(ws, { 'node_modules/dep/index.js': 'original' });
    const copy = await copier().create(ws);
    try {
      await assert.rejects(copy.writeFile('node_modules/dep/index.js', 'patched'), (e) => isHeliosError(e, 'path_outside_workspace'));
      assert.equal(await fs.readFile(path.join(ws, 'node_modules/dep/index.js'), 'utf8'), 'original');
    } finally {
      await copy.dispose();
    }
    const change = changeOf([{ path: 'node_modules/dep/index.js', base: 'original', proposed: 'patched' }]);
    const result = await createVerifier({ sandbox: new SrtSandbox(), scratch: copier(), workspaceRoot: () => ws, command: 'true', home: tmp })(plan, task, change, new AbortController().signal);
    assert.equal(result.status, 'error');
    assert.equal(result.reason, 'path_outside_workspace');
    assert.equal(await fs.readFile(path.join(ws, 'node_modules/dep/index.js'), 'utf8'), 'original');
  });
});

describe('limits', () => {
  it('keeps the head and tail of a command that prints megabytes', async () => {
    const dir = await fs.mkdtemp(path.join(tmp, 'out-'));
    const run = await new SrtSandbox().run('echo FIRST; head -c 5000000 /dev/zero | tr "\\0" "x"; echo; echo LAST', dir, { ...defaultPolicy({ scratchDir: dir, tmpDir: dir, home: tmp }), maxOutputBytes: 4096 });
    assert.equal(run.exitCode, 0);
    assert.ok(run.output.startsWith('FIRST'));
    assert.ok(run.output.trimEnd().endsWith('LAST'));
    assert.match(run.output, /bytes trimmed/);
    assert.ok(run.output.length < 4200);
  });

  it('runs unsandboxed only under the explicit opt-in, and marks the result', async () => {
    const ws = path.join(tmp, 'optin');
    await tree(ws, { 'package.json': '{}' });
    const missing = new SrtSandbox({ platform: 'win32' });
    const options = { sandbox: missing, scratch: copier(), workspaceRoot: () => ws, command: 'echo ran-plain', home: tmp, unsandboxed: new UnsandboxedRunner() };
    const refused = await createVerifier(options)(plan, task, changeOf([]), new AbortController().signal);
    assert.equal(refused.status, 'unavailable');
    assert.equal(refused.reason, 'unsupported_platform');
    const allowed = await createVerifier({ ...options, allowUnsandboxed: true })(plan, task, changeOf([]), new AbortController().signal);
    assert.equal(allowed.status, 'passed');
    assert.equal(allowed.reason, 'unsandboxed');
    assert.match(allowed.output, /ran-plain/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { PlanBranch, TaskCommit } from '../../src/core/integration/planBranch';
import { openGitPlanBranch } from '../../src/infra/git/gitPlanBranch';
import { deletePlanBranch, planBranchCleanup } from '../../src/infra/git/planBranchCleanup';
import { safePlanId } from '../../src/infra/git/planBranchRefs';

const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

/** Git as the user runs it in the test repositories (their own identity; no optional index writes). */
function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=User', '-c', 'user.email=user@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd, encoding: 'utf8', env: { ...CLEAN_ENV, GIT_OPTIONAL_LOCKS: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function shFails(cwd: string, ...args: string[]): boolean {
  try {
    sh(cwd, ...args);
    return false;
  } catch {
    return true;
  }
}

async function tempDir(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `helios-git-${name}-`));
}

/** A repository with two committed files; `storage` is outside it, as workspace storage is. */
async function repo(options: { commit?: boolean } = {}) {
  const top = await tempDir('repo');
  const root = path.join(top, 'ws');
  const storage = path.join(top, 'storage');
  await mkdir(root, { recursive: true });
  sh(root, 'init', '--quiet', '--initial-branch=main');
  if (options.commit !== false) {
    await writeFile(path.join(root, 'a.txt'), 'one\ntwo\nthree\n');
    await writeFile(path.join(root, 'b.txt'), 'bee\n');
    sh(root, 'add', '.');
    sh(root, 'commit', '--quiet', '-m', 'initial');
  }
  return { top, root, storage };
}

/** Everything of the user's repository that a plan branch must leave as it was. */
async function userState(root: string) {
  const index = await readFile(path.join(root, '.git', 'index')).catch(() => Buffer.from('no index'));
  return {
    index: index.toString('base64'),
    status: sh(root, 'status', '--porcelain=v1', '--untracked-files=all'),
    stash: sh(root, 'stash', 'list'),
    staged: sh(root, 'ls-files', '--stage'),
    diffCached: sh(root, 'diff', '--cached'),
    diff: sh(root, 'diff'),
    head: shFails(root, 'rev-parse', '--verify', 'HEAD') ? 'unborn' : sh(root, 'rev-parse', 'HEAD'),
    symbolic: sh(root, 'symbolic-ref', 'HEAD'),
    main: shFails(root, 'rev-parse', '--verify', 'refs/heads/main') ? 'none' : sh(root, 'rev-parse', 'refs/heads/main'),
    files: await Promise.all(['a.txt', 'b.txt', 'c.txt'].map((f) => readFile(path.join(root, f), 'utf8').catch(() => '(none)'))),
  };
}

function task(taskId: string, files: Record<string, string>, title = `task ${taskId}`, message = `${taskId} body\nmodel: claude-sonnet`): TaskCommit {
  return { taskId, title, message, files: new Map(Object.entries(files)) };
}

async function open(root: string, storage: string, planId = 'plan-1'): Promise<PlanBranch> {
  const branch = await openGitPlanBranch({ workspaceRoot: root, storageDir: storage, planId });
  assert.ok(branch, 'a git workspace has a plan branch');
  return branch;
}

function gitInfo(branch: PlanBranch) {
  assert.equal(branch.info.kind, 'git');
  if (branch.info.kind !== 'git') throw new Error('unreachable');
  return branch.info;
}

const tipFiles = (root: string, branch: string) => sh(root, 'ls-tree', '-r', '--name-only', branch).split('\n').filter((l) => l !== '');

describe('git plan branch', () => {
  it('starts from a dirty work tree with the uncommitted edits, leaving the user\'s repository byte for byte as it was', async () => {
    const { root, storage } = await repo();
    await writeFile(path.join(root, 'a.txt'), 'one\nTWO (unstaged)\nthree\n');
    await writeFile(path.join(root, 'b.txt'), 'bee (staged)\n');
    sh(root, 'add', 'b.txt');
    await writeFile(path.join(root, 'c.txt'), 'untracked\n');
    execFileSync('git', ['status'], { cwd: root, env: CLEAN_ENV }); // settle the index's stat data first
    const before = await userState(root);

    const plan = await open(root, storage);
    const info = gitInfo(plan);
    assert.equal(info.branch, 'helios/plan-1');
    assert.equal(info.worktree, path.join(storage, 'worktrees', 'plan-1'));
    assert.equal(await readFile(path.join(info.worktree, 'a.txt'), 'utf8'), 'one\nTWO (unstaged)\nthree\n');
    assert.equal(await readFile(path.join(info.worktree, 'b.txt'), 'utf8'), 'bee (staged)\n');
    assert.equal(existsSync(path.join(info.worktree, 'c.txt')), false, 'untracked files are not in the base, as with git stash create');
    assert.equal(sh(root, 'rev-parse', `${info.baseCommit}^`), before.head, 'the base commit sits on the user\'s HEAD');
    assert.deepEqual(await plan.recordedTasks(), []);

    await plan.recordTask(task('T1', { 'a.txt': 'one\ntwo\nthree\nfour\n', 'src/new.ts': 'export const x = 1;\n' }));
    assert.deepEqual(await userState(root), before);
    assert.equal(sh(root, 'show', 'helios/plan-1:src/new.ts'), 'export const x = 1;\n');
    assert.equal(sh(root, 'show', 'helios/plan-1:b.txt'), 'bee (staged)\n');
  });

  it('records each task once, with its subject, body and trailer, and lists them oldest first', async () => {
    const { root, storage } = await repo();
    const plan = await open(root, storage);
    const body = '# Review\napproved by the reviewer\ncost: $0.01';
    await plan.recordTask(task('T2', { 'x.txt': 'x\n' }, 'first', body));
    await plan.recordTask(task('T2', { 'x.txt': 'x changed\n' }, 'first', body));
    await plan.recordTask(task('T1', { 'y.txt': 'y\n' }, 'second'));
    await plan.recordTask(task('T3', { 'x.txt': 'x\n' }, 'no diff'));
    assert.deepEqual(await plan.recordedTasks(), ['T2', 'T1', 'T3']);
    assert.equal(sh(root, 'rev-list', '--count', 'main..helios/plan-1').trim(), '3', 'one commit per task, a no-diff task included');
    assert.equal(sh(root, 'show', 'helios/plan-1:x.txt'), 'x\n', 'the second record of T2 changed nothing');
    assert.equal(sh(root, 'log', '-1', '--format=%B', 'helios/plan-1~2'), `T2: first\n\n${body}\n\nHelios-Task: T2\n\n`);
    assert.equal(sh(root, 'log', '-1', '--format=%an <%ae>', 'helios/plan-1'), 'Helios <helios@localhost>\n');
    assert.equal(sh(root, 'status', '--porcelain'), '', 'the user\'s tree is untouched');
  });

  it('reopens a resumed plan after its worktree folder was deleted, reusing the branch', async () => {
    const { root, storage } = await repo();
    await writeFile(path.join(root, 'a.txt'), 'dirty\n');
    const first = gitInfo(await open(root, storage));
    await (await open(root, storage)).recordTask(task('T1', { 'n.txt': '1\n' }));
    await rm(first.worktree, { recursive: true, force: true });

    const again = await open(root, storage);
    const info = gitInfo(again);
    assert.equal(info.baseCommit, first.baseCommit, 'the same base, not a new stash of the files as they are now');
    assert.equal(info.worktree, first.worktree);
    assert.equal(await readFile(path.join(info.worktree, 'n.txt'), 'utf8'), '1\n');
    assert.deepEqual(await again.recordedTasks(), ['T1']);
    await again.recordTask(task('T2', { 'n.txt': '2\n' }));
    assert.deepEqual(await again.recordedTasks(), ['T1', 'T2']);
    assert.equal(sh(root, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 2);
  });

  it('starts a repository without commits from an empty root commit, leaving HEAD unborn', async () => {
    const { root, storage } = await repo({ commit: false });
    await writeFile(path.join(root, 'a.txt'), 'untracked\n');
    const before = await userState(root);
    const plan = await open(root, storage);
    const info = gitInfo(plan);
    assert.equal(sh(root, 'rev-list', '--count', info.baseCommit).trim(), '1', 'the base is a root commit');
    assert.equal(sh(root, 'ls-tree', info.baseCommit), '', 'with an empty tree');
    await plan.recordTask(task('T1', { 'a.txt': 'from the plan\n' }));
    assert.deepEqual(await plan.recordedTasks(), ['T1']);
    assert.deepEqual(tipFiles(root, info.branch), ['a.txt']);
    assert.deepEqual(await userState(root), before);
    assert.deepEqual(await planBranchCleanup({ workspaceRoot: root, storageDir: storage }), [
      { planId: 'plan-1', branch: 'helios/plan-1', worktree: info.worktree, unmerged: 1, empty: false },
    ]);
  });

  it('is undefined outside a git work tree and when git is missing', async () => {
    const folder = await tempDir('plain');
    const ceiling = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(folder); // in case the temp folder sits inside a repository
    try {
      assert.equal(await openGitPlanBranch({ workspaceRoot: folder, storageDir: path.join(folder, 's'), planId: 'p' }), undefined);
    } finally {
      if (ceiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = ceiling;
    }
    const { root, storage } = await repo();
    assert.equal(await openGitPlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'p', gitPath: path.join(folder, 'no-such-git') }), undefined);
  });

  it('withdraws tasks with one commit that brings the branch to the given files; a withdrawn task can be recorded again', async () => {
    const { root, storage } = await repo();
    const plan = await open(root, storage);
    const info = gitInfo(plan);
    await plan.recordTask(task('T1', { 'a.txt': 'one\ntwo (T1)\nthree\n' }));
    await plan.recordTask(task('T2', { 'new.txt': 'from T2\n' }));
    await plan.recordTask(task('T3', { 'b.txt': 'bee (T3)\n', 'a.txt': 'one\ntwo (T1)\nthree (T3)\n' }));
    assert.deepEqual([...(await plan.changedPaths?.() ?? [])].sort(), ['a.txt', 'b.txt', 'new.txt']);
    // T1 rejected, T2 built on it: the tree says a.txt keeps T3's line only, new.txt goes back to the base (absent).
    await plan.withdrawTasks?.(['T1', 'T2', 'T9'], new Map<string, string | null>([['a.txt', 'one\ntwo\nthree (T3)\n'], ['new.txt', null]]));
    assert.deepEqual(await plan.recordedTasks(), ['T3']);
    assert.deepEqual(tipFiles(root, info.branch), ['a.txt', 'b.txt']);
    assert.equal(sh(root, 'show', `${info.branch}:a.txt`), 'one\ntwo\nthree (T3)\n');
    assert.match(sh(root, 'log', '-1', '--format=%B', info.branch), /^Withdraw T1, T2\n[\s\S]*Helios-Revert: T1\nHelios-Revert: T2\n/);
    const count = sh(root, 'rev-list', '--count', `${info.baseCommit}..${info.branch}`).trim();
    await plan.withdrawTasks?.(['T1'], new Map([['a.txt', 'anything']])); // not recorded any more: nothing to do
    assert.equal(sh(root, 'rev-list', '--count', `${info.baseCommit}..${info.branch}`).trim(), count);
    // Back to the base for a file the base has: its base content, not a deletion.
    await plan.recordTask(task('T4', { 'a.txt': 'changed by T4\n' }));
    await plan.withdrawTasks?.(['T4'], new Map([['a.txt', null]]));
    assert.equal(sh(root, 'show', `${info.branch}:a.txt`), sh(root, 'show', `${info.baseCommit}:a.txt`));
    assert.equal(sh(info.worktree, 'status', '--porcelain'), '', 'the worktree is clean after a withdrawal');

    await plan.recordTask(task('T2', { 'new.txt': 'T2 again\n' }));
    assert.deepEqual(await plan.recordedTasks(), ['T3', 'T2'], 'a withdrawn task can be recorded again');
  });

  it('lists plan branches with their unmerged commits and deletes only merged ones unless forced', async () => {
    const { root, storage } = await repo();
    const busy = await open(root, storage, 'busy');
    await busy.recordTask(task('T1', { 'a.txt': 'busy 1\n' }));
    await busy.recordTask(task('T2', { 'a.txt': 'busy 2\n' }));
    const idle = gitInfo(await open(root, storage, 'idle'));
    const merged = await open(root, storage, 'merged');
    await merged.recordTask(task('T1', { 'm.txt': 'merged\n' }));
    sh(root, 'merge', '--quiet', '--ff-only', 'helios/merged');

    const listed = await planBranchCleanup({ workspaceRoot: root, storageDir: storage });
    assert.deepEqual(listed.map(({ planId, unmerged, empty }) => ({ planId, unmerged, empty })), [
      { planId: 'busy', unmerged: 2, empty: false },
      { planId: 'idle', unmerged: 0, empty: true },
      { planId: 'merged', unmerged: 0, empty: false },
    ]);
    assert.equal(listed[1]?.worktree, idle.worktree);

    await assert.rejects(deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'busy' }), (e: unknown) => isHeliosError(e, 'plan_branch_unmerged') && e.details.unmerged === 2);
    await deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'idle' });
    await deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'merged' });
    assert.equal(existsSync(idle.worktree), false);
    await deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'busy', force: true });
    await deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'never-existed' });
    assert.equal(sh(root, 'branch', '--list', 'helios/*'), '');
    assert.equal(sh(root, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
    assert.ok(shFails(root, 'config', '--get-regexp', '^branch\\.helios/'), 'no branch config left');
    assert.deepEqual(await planBranchCleanup({ workspaceRoot: root, storageDir: storage }), []);
  });

  it('refuses a path that leaves the tree, writing and committing nothing', async () => {
    const { root, storage } = await repo();
    const plan = await open(root, storage);
    const info = gitInfo(plan);
    for (const bad of ['../escape.txt', 'src/../../escape.txt', '/etc/passwd', 'C:\\x.txt', '.git/config', 'sub\\..\\..\\x']) {
      await assert.rejects(plan.recordTask(task('T1', { 'ok.txt': 'fine\n', [bad]: 'bad\n' })), (e: unknown) => isHeliosError(e, 'path_outside_workspace'), bad);
    }
    assert.equal(existsSync(path.join(info.worktree, 'ok.txt')), false);
    assert.equal(existsSync(path.join(path.dirname(info.worktree), 'escape.txt')), false);
    assert.deepEqual(await plan.recordedTasks(), []);
  });

  it('refuses to write through a committed symlink that leads outside the worktree', async () => {
    const { top, root, storage } = await repo();
    const outside = path.join(top, 'outside');
    await mkdir(outside);
    await symlink(outside, path.join(root, 'link'));
    sh(root, 'add', 'link');
    sh(root, 'commit', '--quiet', '-m', 'a link');
    const plan = await open(root, storage);
    await assert.rejects(plan.recordTask(task('T1', { 'link/new/x.txt': 'x\n' })), (e: unknown) => isHeliosError(e, 'path_outside_workspace'));
    assert.equal(existsSync(path.join(outside, 'new')), false);
    await plan.recordTask(task('T2', { link: 'a file now\n' }));
    assert.equal(sh(root, 'show', 'helios/plan-1:link'), 'a file now\n', 'the task\'s file replaces the link');
    assert.deepEqual(await readdir(outside), []);
  });

  it('keeps the worktree out of the user\'s folder when the storage folder is inside it (the CLI\'s .helios)', async () => {
    const { root } = await repo();
    const before = sh(root, 'status', '--porcelain', '--untracked-files=all');
    const storage = path.join(root, '.helios');
    const plan = await open(root, storage);
    const info = gitInfo(plan);
    assert.equal(info.worktree, path.join(await realpath(root), '.git', 'helios', 'worktrees', 'plan-1'));
    await plan.recordTask(task('T1', { 'a.txt': 'changed\n' }));
    assert.equal(sh(root, 'status', '--porcelain', '--untracked-files=all'), before);
    await deletePlanBranch({ workspaceRoot: root, storageDir: storage, planId: 'plan-1', force: true });
    assert.equal(existsSync(info.worktree), false);
  });

  it('names branches git accepts, maps task paths under a workspace subfolder, and stops when aborted', async () => {
    const { root: repoRoot, storage } = await repo();
    for (const id of ['plan 1', 'a/../b', '.hidden', 'x.lock', '-dash', 'ünïcode', '']) {
      const safe = safePlanId(id);
      assert.equal(safePlanId(safe), safe, 'a safe id stays as it is');
      assert.doesNotThrow(() => sh(repoRoot, 'check-ref-format', '--branch', `helios/${safe}`), id);
    }
    assert.notEqual(safePlanId('a b'), safePlanId('a-b'));

    const sub = path.join(repoRoot, 'pkg');
    await mkdir(sub);
    const plan = await open(sub, storage, 'plan 1');
    const info = gitInfo(plan);
    assert.match(info.branch, /^helios\/plan-1-[0-9a-f]{8}$/);
    await plan.recordTask(task('T1', { 'src/a.ts': 'export {};\n' }));
    assert.deepEqual(tipFiles(repoRoot, info.branch), ['a.txt', 'b.txt', 'pkg/src/a.ts']);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(openGitPlanBranch({ workspaceRoot: repoRoot, storageDir: storage, planId: 'p', signal: controller.signal }), (e: unknown) => isHeliosError(e, 'cancelled'));
  });
});

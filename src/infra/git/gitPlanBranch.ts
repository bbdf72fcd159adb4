import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';
import type { PlanBranch, PlanBranchInfo, TaskCommit } from '../../core/integration/planBranch';
import { git, tryGit, type GitOptions } from './gitRunner';
import {
  BASE_TRAILER, REVERT_TRAILER, TASK_TRAILER, branchOf, branchTip, commitsIn, listWorktrees, locateRepository, readBase, recordedIn,
  refOf, safePlanId, worktreeDirFor, writeBase,
} from './planBranchRefs';

/**
 * The git mirror of a plan's integrated tree: branch `helios/<plan>` checked out in a worktree
 * under Helios's storage, one commit per task (`<task>: <title>`, trailer `Helios-Task: <task>`).
 * (When that storage is inside the work tree, the worktree goes under the git folder instead; see
 * `worktreeDirFor`.)
 *
 * The user's branch, HEAD, index, stash list and working tree are never written. The branch's
 * root is the user's files when the run starts: `git stash create` run against a temporary copy of
 * the index (stash create refreshes and may rewrite the index it reads), its tree committed on top
 * of HEAD as one "Helios-Base" commit; a clean tree starts at HEAD itself; a repository without
 * commits gets an empty root commit (made with `commit-tree`, so no `worktree add --orphan`,
 * which needs git 2.42). Untracked files are not in the base, as with `git stash create`; the
 * plan's commits carry every file they touch in full.
 *
 * The worktree belongs to Helios: before each write it is reset to the branch tip, so what a
 * crashed write left behind never leaks into the next commit.
 *
 * `withdrawTasks` adds one commit (trailers `Helios-Revert: <task>`) that brings the branch to the
 * integrated tree without the withdrawn tasks, rather than rebasing: history already shown to the
 * user's tools is never rewritten, and a later task's commit keeps its id. The tree decides what
 * stays (it replays the kept tasks), so the branch and the tree always agree.
 */

const CHECKOUT_TIMEOUT_MS = 300_000;
const ADD_BATCH = 100;
/**
 * A git lock file this old when the branch is opened was left by a git that died: the runner holds
 * the plan's run lock, so no other Helios git is at work on this worktree, and a commit takes ms.
 */
const STALE_LOCK_MS = 250;

export interface OpenGitPlanBranchOptions {
  readonly workspaceRoot: string;
  readonly storageDir: string;
  readonly planId: string;
  readonly gitPath?: string;
  readonly signal?: AbortSignal;
}

/** The plan's branch, created on first use and reused on resume; undefined outside a git work tree. */
export async function openGitPlanBranch(options: OpenGitPlanBranchOptions): Promise<PlanBranch | undefined> {
  const g: GitOptions = { gitPath: options.gitPath ?? 'git', ...(options.signal ? { signal: options.signal } : {}) };
  const repo = await locateRepository(g, options.workspaceRoot);
  if (!repo) return undefined;
  const safeId = safePlanId(options.planId);
  const branch = branchOf(safeId);
  await git(g, ['worktree', 'prune'], { cwd: repo.top });
  let base: string;
  const tip = await branchTip(g, repo.top, branch);
  if (tip === undefined) {
    base = await createBase(g, repo.top, options.planId);
    await git(g, ['branch', '--no-track', branch, base], { cwd: repo.top });
    await writeBase(g, repo.top, branch, base);
  } else {
    base = (await readBase(g, repo.top, branch)) ?? tip;
  }
  const worktree = await ensureWorktree(g, repo.top, branch, await worktreeDirFor(g, repo, options.storageDir, safeId));
  await removeStaleLocks(g, worktree, branch);
  return new GitPlanBranch(g, { kind: 'git', branch, worktree, baseCommit: base }, repo.prefix);
}

/**
 * A git killed mid-commit (a closed terminal, an OOM kill of the process group) leaves
 * `index.lock` / `HEAD.lock` in the plan worktree's git folder and a lock on the branch ref; every
 * later commit would then fail. Only Helios writes these (one runner per plan holds the run lock),
 * so a lock found when the branch is opened is a leftover.
 */
async function removeStaleLocks(g: GitOptions, worktree: string, branch: string): Promise<void> {
  const own = (await git(g, ['rev-parse', '--absolute-git-dir'], { cwd: worktree })).trim();
  const common = path.resolve(worktree, (await git(g, ['rev-parse', '--git-common-dir'], { cwd: worktree })).trim());
  const locks = [path.join(own, 'index.lock'), path.join(own, 'HEAD.lock'), path.join(common, 'refs', 'heads', ...branch.split('/')) + '.lock'];
  for (const lock of locks) {
    const stat = await fs.stat(lock).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS) await fs.rm(lock, { force: true });
  }
}

/** The commit the branch starts from: the user's files now (see the file comment). */
async function createBase(g: GitOptions, top: string, planId: string): Promise<string> {
  const head = await tryGit(g, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: top });
  if (!head.ok) {
    const empty = (await git(g, ['mktree'], { cwd: top, input: '' })).trim();
    return commitTree(g, top, empty, [], `Helios: plan ${oneLine(planId)} starts from an empty repository\n\n${BASE_TRAILER}: ${oneLine(planId)}\n`);
  }
  const headSha = head.stdout.trim();
  const stash = await stashCreate(g, top);
  if (stash === '') return headSha;
  return commitTree(g, top, `${stash}^{tree}`, [headSha], `Helios: uncommitted changes when plan ${oneLine(planId)} started\n\n${BASE_TRAILER}: ${oneLine(planId)}\n`);
}

async function stashCreate(g: GitOptions, top: string): Promise<string> {
  const index = path.resolve(top, (await git(g, ['rev-parse', '--git-path', 'index'], { cwd: top })).trim());
  // Beside the index, as git's own index.lock: invisible to the user's tools, on the same disk.
  const copy = `${index}.helios-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.copyFile(index, copy);
  } catch (error) {
    // No index (a `clone --no-checkout`): nothing uncommitted to keep.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    return (await git(g, ['stash', 'create'], { cwd: top, env: { GIT_INDEX_FILE: copy } })).trim();
  } finally {
    await fs.rm(copy, { force: true });
  }
}

async function commitTree(g: GitOptions, cwd: string, tree: string, parents: readonly string[], message: string): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
  return (await git(g, args, { cwd, input: message })).trim();
}

/** The folder where `branch` is checked out, adding the worktree when it has none. */
async function ensureWorktree(g: GitOptions, top: string, branch: string, dir: string): Promise<string> {
  const registered = (await listWorktrees(g, top)).find((w) => w.branch === branch);
  if (registered && (await exists(registered.path))) return registered.path;
  // A folder git no longer knows as a worktree is a leftover of Helios's own: the branch has its content.
  if (await exists(dir)) await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await git(g, ['worktree', 'add', dir, branch], { cwd: top, timeoutMs: CHECKOUT_TIMEOUT_MS });
  return dir;
}

class GitPlanBranch implements PlanBranch {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly g: GitOptions,
    readonly info: Extract<PlanBranchInfo, { kind: 'git' }>,
    private readonly prefix: string,
  ) {}

  recordedTasks(): Promise<readonly string[]> {
    return this.serially(async () => recordedIn(await this.commits()));
  }

  recordTask(commit: TaskCommit): Promise<void> {
    return this.serially(async () => {
      // Every path is checked before anything is written.
      const files = [...commit.files].map(([p, content]) => ({ rel: this.prefix + checkedPath(p), content }));
      if (recordedIn(await this.commits()).includes(commit.taskId)) return;
      const cwd = this.info.worktree;
      await this.resetWorktree();
      const root = await fs.realpath(cwd);
      for (const f of files) {
        const target = await writableTarget(root, f.rel);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, f.content);
      }
      for (let i = 0; i < files.length; i += ADD_BATCH) {
        await git(this.g, ['add', '--force', '--', ...files.slice(i, i + ADD_BATCH).map((f) => f.rel)], { cwd });
      }
      const body = commit.message.trim();
      const message = `${oneLine(commit.taskId)}: ${oneLine(commit.title)}\n\n${body === '' ? '' : `${body}\n\n`}${TASK_TRAILER}: ${oneLine(commit.taskId)}\n`;
      await this.commit(message);
    });
  }

  withdrawTasks(taskIds: readonly string[], files: ReadonlyMap<string, string | null>): Promise<void> {
    return this.serially(async () => {
      const recorded = recordedIn(await this.commits());
      const ids = taskIds.filter((id) => recorded.includes(id));
      if (ids.length === 0) return;
      const entries = [...files].map(([p, content]) => ({ rel: this.prefix + checkedPath(p), content }));
      const cwd = this.info.worktree;
      await this.resetWorktree();
      const root = await fs.realpath(cwd);
      const restore: string[] = [];
      for (const f of entries) {
        if (f.content === null) {
          restore.push(f.rel);
          continue;
        }
        const target = await writableTarget(root, f.rel);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, f.content);
      }
      // Back to the base: the file as the base commit has it, or gone when the base has none.
      for (let i = 0; i < restore.length; i += ADD_BATCH) {
        const batch = restore.slice(i, i + ADD_BATCH);
        const inBase = new Set((await git(this.g, ['ls-tree', '-r', '-z', '--name-only', this.info.baseCommit, '--', ...batch], { cwd })).split('\0').filter((p) => p !== ''));
        const present = batch.filter((p) => inBase.has(p));
        const absent = batch.filter((p) => !inBase.has(p));
        if (present.length > 0) await git(this.g, ['checkout', this.info.baseCommit, '--', ...present], { cwd });
        if (absent.length > 0) await git(this.g, ['rm', '--quiet', '--force', '--ignore-unmatch', '--cached', '--', ...absent], { cwd });
        for (const p of absent) await fs.rm(path.join(root, ...p.split('/')), { force: true });
      }
      const written = entries.filter((f) => f.content !== null).map((f) => f.rel);
      for (let i = 0; i < written.length; i += ADD_BATCH) {
        await git(this.g, ['add', '--force', '--', ...written.slice(i, i + ADD_BATCH)], { cwd });
      }
      const subject = ids.length === 1 ? `Withdraw ${oneLine(ids[0]!)}` : `Withdraw ${ids.map(oneLine).join(', ')}`;
      const trailers = ids.map((id) => `${REVERT_TRAILER}: ${oneLine(id)}`).join('\n');
      await this.commit(`${subject}\n\nRejected in Helios, or built on a rejected task: taken off the plan.\n\n${trailers}\n`);
    });
  }

  changedPaths(): Promise<readonly string[]> {
    return this.serially(async () => {
      const out = await git(this.g, ['diff', '--name-only', '--no-renames', '-z', this.info.baseCommit, refOf(this.info.branch), '--'], { cwd: this.info.worktree });
      return out.split('\0').filter((p) => p !== '' && p.startsWith(this.prefix)).map((p) => p.slice(this.prefix.length));
    });
  }

  private commits() {
    return commitsIn(this.g, this.info.worktree, [`${this.info.baseCommit}..${refOf(this.info.branch)}`]);
  }

  /** The worktree exactly at the branch tip, on the branch (someone may have checked out another commit there). */
  private async resetWorktree(): Promise<void> {
    const cwd = this.info.worktree;
    const head = await tryGit(this.g, ['symbolic-ref', '--quiet', 'HEAD'], { cwd });
    if (!head.ok || head.stdout.trim() !== refOf(this.info.branch)) {
      await git(this.g, ['checkout', '--force', '--quiet', this.info.branch], { cwd, timeoutMs: CHECKOUT_TIMEOUT_MS });
    }
    await git(this.g, ['reset', '--hard', '--quiet', 'HEAD'], { cwd, timeoutMs: CHECKOUT_TIMEOUT_MS });
  }

  private async commit(message: string): Promise<void> {
    await git(this.g, ['commit', '--quiet', '--allow-empty', '--no-verify', '--cleanup=whitespace', '-F', '-'], { cwd: this.info.worktree, input: message });
  }

  private serially<T>(body: () => Promise<T>): Promise<T> {
    const next = this.queue.then(body, body);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * A task path as a relative POSIX path inside the tree; an absolute path, a `..` segment or a
 * path into `.git` is `path_outside_workspace`.
 */
export function checkedPath(p: string): string {
  const normal = p.replace(/\\/g, '/');
  const segments = normal.split('/').filter((s) => s !== '' && s !== '.');
  const refused = normal === '' || normal.includes('\0') || path.posix.isAbsolute(normal) || path.win32.isAbsolute(p) || /^[A-Za-z]:/.test(normal)
    || segments.length === 0 || segments.some((s) => s === '..' || s.toLowerCase() === '.git');
  if (refused) throw new HeliosError('path_outside_workspace', `refused to write ${JSON.stringify(p)} into the plan branch`, { path: p });
  return segments.join('/');
}

/** The file to write for `rel`, refusing a path that a symlink in the worktree leads outside it. */
async function writableTarget(root: string, rel: string): Promise<string> {
  let current = root;
  const segments = rel.split('/');
  for (const [i, segment] of segments.entries()) {
    current = path.join(current, segment);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat) break;
    if (!stat.isSymbolicLink()) continue;
    // The last segment: the task's file replaces the link instead of writing through it.
    if (i === segments.length - 1) {
      await fs.rm(current);
      break;
    }
    const real = await fs.realpath(current);
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new HeliosError('path_outside_workspace', `${rel} leads outside the plan's worktree through a symlink`, { path: rel });
    }
  }
  return path.join(root, ...segments);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { git, tryGit, type GitOptions } from './gitRunner';

/**
 * Names and history of plan branches, read-only: the branch name for a plan id, where its base is
 * kept, which worktree has it checked out, and which tasks its commits record.
 *
 * The base (the commit the branch started from) is kept in the repository's config as
 * `branch.helios/<id>.heliosBase`, so `git branch -D` removes it with the branch. Without it (the
 * config was edited by hand) the base is found by walking back from the tip past Helios's own
 * commits, which works as long as nobody committed on the branch by hand.
 */

export const BRANCH_PREFIX = 'helios/';
export const TASK_TRAILER = 'Helios-Task';
export const REVERT_TRAILER = 'Helios-Revert';
export const BASE_TRAILER = 'Helios-Base';

/**
 * A plan id as a ref component `git check-ref-format --branch` accepts: ASCII letters, digits,
 * `.`, `_` and `-`, no `..`, no leading `.`/`-`, no trailing `.` or `.lock`. An id that had to
 * change gets a short hash of the original, so two ids never share a branch; a safe id is
 * returned unchanged (the function is idempotent, so a name listed by cleanup maps back to itself).
 */
export function safePlanId(planId: string): string {
  let safe = planId.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[.-]+/, '').replace(/(\.lock)+$/i, '').replace(/\.+$/, '');
  if (safe === planId && safe !== '') return safe;
  if (safe === '') safe = 'plan';
  return `${safe}-${createHash('sha256').update(planId).digest('hex').slice(0, 8)}`;
}

export const branchOf = (safeId: string): string => `${BRANCH_PREFIX}${safeId}`;
export const refOf = (branch: string): string => `refs/heads/${branch}`;
const baseKey = (branch: string): string => `branch.${branch}.heliosBase`;

export interface HeliosTrailers {
  readonly task?: string;
  /** Tasks this commit takes off the branch (`Helios-Revert`, one line each). */
  readonly reverts?: readonly string[];
  readonly base?: boolean;
}

/** Helios's trailers from a commit message: the lines of its last paragraph. */
export function trailersOf(message: string): HeliosTrailers {
  const paragraphs = message.replace(/\r\n/g, '\n').trim().split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return {};
  let task: string | undefined;
  const reverts: string[] = [];
  let base = false;
  for (const line of (paragraphs[paragraphs.length - 1] ?? '').split('\n')) {
    const m = /^(Helios-Task|Helios-Revert|Helios-Base):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) continue;
    if (m[1] === TASK_TRAILER) task = m[2];
    else if (m[1] === REVERT_TRAILER && m[2]) reverts.push(m[2]);
    else base = true;
  }
  return { ...(task ? { task } : {}), ...(reverts.length > 0 ? { reverts } : {}), ...(base ? { base } : {}) };
}

export interface LoggedCommit {
  readonly sha: string;
  readonly subject: string;
  readonly trailers: HeliosTrailers;
}

/** Commits in `range` (git revision arguments), oldest first. */
export async function commitsIn(options: GitOptions, cwd: string, range: readonly string[]): Promise<LoggedCommit[]> {
  const out = await git(options, ['log', '-z', '--reverse', '--topo-order', '--format=%H%n%B', ...range, '--'], { cwd });
  return out.split('\0').filter((r) => r.trim() !== '').map((record) => {
    const newline = record.indexOf('\n');
    const sha = (newline < 0 ? record : record.slice(0, newline)).trim();
    const message = newline < 0 ? '' : record.slice(newline + 1);
    return { sha, subject: message.split('\n', 1)[0] ?? '', trailers: trailersOf(message) };
  });
}

/** Task ids the commits record, oldest first: a task whose commit was reverted is not listed. */
export function recordedIn(commits: readonly LoggedCommit[]): string[] {
  const tasks: string[] = [];
  for (const c of commits) {
    if (c.trailers.task !== undefined && !tasks.includes(c.trailers.task)) tasks.push(c.trailers.task);
    for (const id of c.trailers.reverts ?? []) {
      const i = tasks.indexOf(id);
      if (i >= 0) tasks.splice(i, 1);
    }
  }
  return tasks;
}

export async function branchTip(options: GitOptions, cwd: string, branch: string): Promise<string | undefined> {
  const r = await tryGit(options, ['rev-parse', '--verify', '--quiet', `${refOf(branch)}^{commit}`], { cwd });
  return r.ok ? r.stdout.trim() : undefined;
}

export async function writeBase(options: GitOptions, cwd: string, branch: string, base: string): Promise<void> {
  await git(options, ['config', baseKey(branch), base], { cwd });
}

/** The commit the branch started from: the stored one, else the first commit back that Helios did not make. */
export async function readBase(options: GitOptions, cwd: string, branch: string): Promise<string | undefined> {
  const stored = await tryGit(options, ['config', '--get', baseKey(branch)], { cwd });
  if (stored.ok && stored.stdout.trim() !== '') {
    const check = await tryGit(options, ['rev-parse', '--verify', '--quiet', `${stored.stdout.trim()}^{commit}`], { cwd });
    if (check.ok) return check.stdout.trim();
  }
  const tip = await branchTip(options, cwd, branch);
  if (tip === undefined) return undefined;
  const out = await git(options, ['log', '-z', '--first-parent', '--max-count=5000', '--format=%H%n%B', tip, '--'], { cwd });
  let last = tip;
  for (const record of out.split('\0').filter((r) => r.trim() !== '')) {
    const newline = record.indexOf('\n');
    const sha = (newline < 0 ? record : record.slice(0, newline)).trim();
    const t = trailersOf(newline < 0 ? '' : record.slice(newline + 1));
    if (t.base || (t.task === undefined && t.reverts === undefined)) return sha;
    last = sha;
  }
  return last;
}

export interface WorktreeEntry {
  readonly path: string;
  readonly branch?: string;
}

/** `git worktree list --porcelain`, with each entry's branch as a short name. */
export async function listWorktrees(options: GitOptions, cwd: string): Promise<WorktreeEntry[]> {
  const out = await git(options, ['worktree', 'list', '--porcelain', '-z'], { cwd }).catch(async () =>
    // `-z` needs git 2.36; older versions print one field a line.
    (await git(options, ['worktree', 'list', '--porcelain'], { cwd })).replace(/\n/g, '\0'),
  );
  const entries: WorktreeEntry[] = [];
  let current: { path: string; branch?: string } | undefined;
  for (const field of out.split('\0')) {
    if (field.startsWith('worktree ')) {
      if (current) entries.push(current);
      current = { path: field.slice('worktree '.length) };
    } else if (field.startsWith('branch refs/heads/') && current) {
      current.branch = field.slice('branch refs/heads/'.length);
    }
  }
  if (current) entries.push(current);
  return entries;
}

/**
 * Commits on the branch that the user's HEAD does not have, Helios's base commit excluded (it is
 * the user's own files, not a task's work). Without a HEAD (no commit yet) every commit past the
 * base counts.
 */
export async function unmergedCount(options: GitOptions, cwd: string, branch: string, base: string | undefined): Promise<number> {
  const head = await tryGit(options, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd });
  const args = ['rev-list', '--count', refOf(branch), ...(head.ok ? ['^HEAD'] : []), ...(base ? [`^${base}`] : []), '--'];
  return Number((await git(options, args, { cwd })).trim());
}

export interface Repository {
  /** The work tree's top folder. */
  readonly top: string;
  /** The workspace folder relative to `top` ('' or ending in '/'): where task paths start. */
  readonly prefix: string;
}

/** The git work tree holding `folder`; undefined when there is none or git is missing. */
export async function locateRepository(g: GitOptions, folder: string): Promise<Repository | undefined> {
  const r = await tryGit(g, ['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix'], { cwd: folder });
  if (!r.ok) return undefined;
  const [inside, top, prefix] = r.stdout.split(/\r?\n/);
  if (inside !== 'true' || !top) return undefined;
  return { top: path.resolve(top), prefix: prefix ?? '' };
}

/**
 * The folder for a plan's worktree: `<storageDir>/worktrees/<id>`, unless the storage folder is
 * inside the work tree (the CLI's `.helios/`), where a second checkout would be picked up by the
 * user's own tools (compilers, test runners, search); then under the repository's git folder.
 */
export async function worktreeDirFor(g: GitOptions, repo: Repository, storageDir: string, safeId: string): Promise<string> {
  const top = await realpathOrSelf(repo.top);
  const storage = await realpathOrSelf(path.resolve(storageDir));
  const rel = path.relative(top, storage);
  const insideWorkTree = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  if (!insideWorkTree) return path.join(storageDir, 'worktrees', safeId);
  const common = path.resolve(repo.top, (await git(g, ['rev-parse', '--git-common-dir'], { cwd: repo.top })).trim());
  return path.join(common, 'helios', 'worktrees', safeId);
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended. */
async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(await realpathOrSelf(parent), path.basename(p));
  }
}

import { promises as fs } from 'node:fs';
import { HeliosError } from '../../core/errors/heliosError';
import { git, type GitOptions } from './gitRunner';
import { BRANCH_PREFIX, branchOf, branchTip, listWorktrees, locateRepository, readBase, safePlanId, unmergedCount, worktreeDirFor } from './planBranchRefs';

/**
 * Listing and deleting plan branches, for a "clean up plan branches" command. A branch with work
 * the user's HEAD does not have (`unmerged` > 0) is only deleted when forced: it may be the only
 * copy of a plan the user has not accepted yet.
 */

export interface PlanBranchCleanupOptions {
  readonly workspaceRoot: string;
  readonly storageDir: string;
  readonly gitPath?: string;
  readonly signal?: AbortSignal;
}

export interface PlanBranchSummary {
  /** The branch name after `helios/` (the plan id as made safe for git). */
  readonly planId: string;
  readonly branch: string;
  /** Where the branch is checked out, when a worktree has it. */
  readonly worktree?: string;
  /** Task commits (and reverts) the user's HEAD does not have. */
  readonly unmerged: number;
  /** No commit beyond the branch's base. */
  readonly empty: boolean;
}

/** Every `helios/*` branch of the workspace's repository; none outside a git work tree. */
export async function planBranchCleanup(options: PlanBranchCleanupOptions): Promise<PlanBranchSummary[]> {
  const g = gitOptions(options);
  const repo = await locateRepository(g, options.workspaceRoot);
  if (!repo) return [];
  const refs = (await git(g, ['for-each-ref', '--format=%(refname)', `refs/heads/${BRANCH_PREFIX}`], { cwd: repo.top }))
    .split(/\r?\n/).filter((r) => r !== '');
  const worktrees = await listWorktrees(g, repo.top);
  const summaries: PlanBranchSummary[] = [];
  for (const ref of refs) {
    const branch = ref.slice('refs/heads/'.length);
    const base = await readBase(g, repo.top, branch);
    const beyondBase = base === undefined ? 0 : Number((await git(g, ['rev-list', '--count', `${base}..${ref}`, '--'], { cwd: repo.top })).trim());
    const checkedOut = worktrees.find((w) => w.branch === branch)?.path;
    summaries.push({
      planId: branch.slice(BRANCH_PREFIX.length),
      branch,
      ...(checkedOut !== undefined && (await exists(checkedOut)) ? { worktree: checkedOut } : {}),
      unmerged: await unmergedCount(g, repo.top, branch, base),
      empty: beyondBase === 0,
    });
  }
  return summaries;
}

/**
 * Removes a plan's worktree and branch. Refused with `plan_branch_unmerged` while the branch has
 * commits the user's HEAD does not have, unless `force`. A plan without a branch is not an error.
 */
export async function deletePlanBranch(options: PlanBranchCleanupOptions & { readonly planId: string; readonly force?: boolean }): Promise<void> {
  const g = gitOptions(options);
  const repo = await locateRepository(g, options.workspaceRoot);
  if (!repo) return;
  const top = repo.top;
  // The id as Helios names branches, or as cleanup listed a branch someone else named.
  let branch = branchOf(safePlanId(options.planId));
  let tip = await branchTip(g, top, branch);
  if (tip === undefined && (await branchTip(g, top, branchOf(options.planId))) !== undefined) {
    branch = branchOf(options.planId);
    tip = await branchTip(g, top, branch);
  }
  if (tip !== undefined && options.force !== true) {
    const unmerged = await unmergedCount(g, top, branch, await readBase(g, top, branch));
    if (unmerged > 0) {
      throw new HeliosError('plan_branch_unmerged', `${branch} has ${unmerged} commit(s) that HEAD does not have`, { planId: options.planId, branch, unmerged });
    }
  }
  for (const w of (await listWorktrees(g, top)).filter((e) => e.branch === branch)) {
    if (await exists(w.path)) await git(g, ['worktree', 'remove', '--force', w.path], { cwd: top });
  }
  // A folder of Helios's own that git no longer lists as a worktree.
  await fs.rm(await worktreeDirFor(g, repo, options.storageDir, safePlanId(options.planId)), { recursive: true, force: true });
  await git(g, ['worktree', 'prune'], { cwd: top });
  if (tip !== undefined) await git(g, ['branch', '-D', branch], { cwd: top });
}

function gitOptions(options: { readonly gitPath?: string; readonly signal?: AbortSignal }): GitOptions {
  return { gitPath: options.gitPath ?? 'git', ...(options.signal ? { signal: options.signal } : {}) };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

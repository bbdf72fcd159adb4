/**
 * Where a plan's integrated tree is mirrored for the user's own tools: in a git workspace a real
 * branch `helios/<plan-id>` in a worktree under Helios's storage (one commit per task); elsewhere
 * nothing beyond the stored tree. The integrated tree (`PlanTree`) is the source of truth; the
 * mirror is brought up to date from it, so a crash between the two is repaired on the next open.
 */

/** One integrated task as the mirror records it. */
export interface TaskCommit {
  readonly taskId: string;
  readonly title: string;
  /** The commit message body: task id and title, model, cost, review verdict. */
  readonly message: string;
  /** Every file this task left in the plan's tree (path → full content after the task). */
  readonly files: ReadonlyMap<string, string>;
}

export type PlanBranchInfo =
  | { readonly kind: 'git'; readonly branch: string; readonly worktree: string; readonly baseCommit: string }
  | { readonly kind: 'storage'; readonly dir: string };

export interface PlanBranch {
  readonly info: PlanBranchInfo;
  /** Task ids already recorded, oldest first. */
  recordedTasks(): Promise<readonly string[]>;
  /** Records one task; a task already recorded is left as it is (idempotent by task id). */
  recordTask(commit: TaskCommit): Promise<void>;
  /**
   * Takes tasks off the branch (the user rejected one; its dependants go with it): one commit that
   * brings the given files to the tree's content (null = back to the plan's base) and names the
   * tasks it withdraws. Tasks not recorded are ignored; nothing is committed when none is.
   */
  withdrawTasks?(taskIds: readonly string[], files: ReadonlyMap<string, string | null>): Promise<void>;
  /** Workspace paths the branch changed since its base. */
  changedPaths?(): Promise<readonly string[]>;
}

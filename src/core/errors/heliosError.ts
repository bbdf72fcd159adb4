/**
 * Typed errors with a machine-readable reason. Core never builds user-facing sentences: the
 * extension maps `reason` (plus `details`) to a localized message, the CLI to English.
 */
export type HeliosErrorReason =
  | 'prd_empty'
  | 'prd_not_text'
  | 'prd_too_large'
  | 'plan_invalid'
  | 'model_output_invalid'
  | 'model_output_truncated'
  | 'model_refused'
  | 'provider_auth'
  | 'provider_rate_limited'
  | 'provider_overloaded'
  | 'provider_unavailable'
  | 'provider_bad_request'
  | 'provider_timeout'
  | 'cancelled'
  /** A call's process could not be stopped: what it spent is unknown, so its reservation stays charged. */
  | 'usage_unknown'
  | 'state_corrupt'
  | 'no_plan'
  | 'no_api_key'
  | 'no_workspace'
  | 'no_prd'
  | 'finding_not_found'
  | 'finding_not_applicable'
  // Proposed changes (#6): a decision on a file or hunk the change does not have; a workspace file
  // changed since it was read; a path that leaves the workspace folder; a store file another
  // window holds locked for longer than a decision takes.
  | 'change_target_invalid'
  | 'change_conflict'
  | 'path_outside_workspace'
  | 'state_busy'
  // Plan integration (#17): a task's edits still overlap the plan's tree after its one rebase;
  // git refused a plan-branch operation; a plan branch with unaccepted commits was to be deleted.
  | 'integration_conflict'
  | 'git_failed'
  | 'plan_branch_unmerged'
  // Faults (#18): the disk is full; a state path cannot be written (permissions, a file where a
  // folder should be, a read-only disk); another process runs the plan; the PRD changed since
  // its stored plan was made.
  | 'disk_full'
  | 'state_unwritable'
  | 'plan_running'
  | 'prd_changed'
  // Security (#19): the workspace is in Restricted Mode (not trusted), and what was asked runs
  // agents or processes on its code; `details.feature` says which.
  | 'workspace_untrusted';

export class HeliosError extends Error {
  constructor(
    readonly reason: HeliosErrorReason,
    /** A developer-facing description for logs; never shown raw to users. */
    message: string,
    readonly details: Readonly<Record<string, string | number | readonly string[]>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HeliosError';
  }
}

export function isHeliosError(e: unknown, reason?: HeliosErrorReason): e is HeliosError {
  return e instanceof HeliosError && (reason === undefined || e.reason === reason);
}

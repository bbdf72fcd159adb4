/**
 * The result of running the workspace's verify command against a proposed change, in a sandboxed
 * scratch copy of the workspace. Never run outside the sandbox unless the user allowed it.
 */

/**
 * passed / failed: the command ran (in the sandbox) and exited 0 / non-zero or timed out.
 * unavailable: no usable sandbox on this machine (`reason` says what is missing); nothing ran.
 * skipped: no verify command for this workspace. error: Helios could not set up the run.
 */
export type VerificationStatus = 'passed' | 'failed' | 'unavailable' | 'skipped' | 'error';

export interface VerificationResult {
  readonly status: VerificationStatus;
  readonly command?: string;
  readonly exitCode?: number | null;
  /** Failing tests, when the output says how many (node:test, jest/vitest, mocha, pytest, cargo, go). */
  readonly failedTests?: number;
  /** The command's output, trimmed to its head and tail. */
  readonly output: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** What the sandbox stopped: writes outside the scratch copy, denied reads, network. */
  readonly violations: readonly string[];
  /** Why it is unavailable or errored, machine-readable (e.g. `bubblewrap_missing`). */
  readonly reason?: string;
}

/**
 * The Reviewer's findings on a proposed change, and what the user did with them. Line numbers
 * refer to the *proposed* content of the file (1-based, inclusive); once hunks are applied the
 * extension maps them onto the real file.
 */

export type ReviewVerdict = 'approve' | 'request_changes';

export type FindingSeverity = 'blocker' | 'major' | 'minor' | 'nit';

export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['blocker', 'major', 'minor', 'nit'];

/** open: shown as an unresolved thread. resolved: the user resolved it. applied: its suggestion was applied. */
export type FindingStatus = 'open' | 'resolved' | 'applied';

export interface FindingReply {
  readonly author: 'user' | 'reviewer';
  readonly body: string;
  readonly at: string;
}

export interface ReviewFinding {
  /** Stable within the change: `f1`, `f2`, … */
  readonly id: string;
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly severity: FindingSeverity;
  readonly message: string;
  /** Replacement text for lines startLine..endLine, when the Reviewer has a concrete fix. */
  readonly replacement?: string;
  readonly status: FindingStatus;
  readonly replies: readonly FindingReply[];
}

export interface ReviewRecord {
  readonly verdict: ReviewVerdict;
  readonly summary: string;
  readonly findings: readonly ReviewFinding[];
  /** The model that reviewed, as the provider reported it. */
  readonly model: string;
  readonly reviewedAt: string;
  /** Tokens and dollars of every review call of this change (all rounds). */
  readonly costUsd: number;
  readonly tokens: number;
}

/** What the DAG node and the run state show of a task's review. */
export interface TaskReviewSummary {
  readonly verdict: ReviewVerdict;
  readonly blockers: number;
  readonly findings: number;
  /** Coder → Reviewer rounds (1 = no rework). */
  readonly rounds: number;
  /** What the review calls cost (the rework's Coder calls are in the task's own cost). */
  readonly costUsd: number;
}

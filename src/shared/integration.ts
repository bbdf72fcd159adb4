import type { TaskReviewSummary } from './review';
import type { TokenUsage } from './usage';
import type { VerificationStatus } from './verification';

/**
 * How a task's change reached the plan's integrated tree (`helios run --json`, the DAG panel):
 *  - integrated: its files had not moved since the task read them (fast-forward);
 *  - merged: a sibling changed the same files meanwhile, on other lines; merged line by line;
 *  - rebased: its edits overlapped a sibling's, so it was re-run once on the merged tree;
 *  - conflicted: it still overlapped after the rebase; nothing was merged, both versions are kept;
 *  - stale: it was built on a change the user rejected.
 */
export type IntegrationStatus = 'integrated' | 'merged' | 'rebased' | 'conflicted' | 'stale';

/** One file that could not be merged: the overlapping regions between the tree and the proposal. */
export interface IntegrationOverlap {
  readonly path: string;
  readonly conflicts: number;
}

/** What a finished task cost and how it ended: kept with its integration, so a resume never re-runs it. */
export interface StoredTaskOutcome {
  readonly model: string;
  readonly reasonCode: string;
  readonly reason: string;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly calls: number;
  readonly review?: TaskReviewSummary;
  readonly verification?: { readonly status: VerificationStatus; readonly failedTests?: number };
  /** Extra cost of the rebase (the re-run), included in `costUsd`. */
  readonly rebaseCostUsd?: number;
}


/** A task's integration as the run state and the DAG panel show it. */
export interface TaskIntegration {
  readonly status: IntegrationStatus;
  /** The extra cost of the rebase's re-run, when there was one. */
  readonly rebaseCostUsd?: number;
}

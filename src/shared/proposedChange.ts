/**
 * A task's proposed change: what the Coder wants to do to the workspace, never applied by itself.
 * Stored in workspace storage (`changes/<plan>/<task>.json`); the user accepts or rejects it per
 * task, per file or per hunk, and only then is anything written.
 */
import type { IntegrationOverlap, IntegrationStatus, StoredTaskOutcome } from './integration';
import type { ReviewRecord } from './review';
import type { VerificationResult } from './verification';

export type FileAction = 'create' | 'replace' | 'edit';

/** A search-and-replace hunk: `search` must occur exactly once in the base file. */
export interface EditHunk {
  readonly search: string;
  readonly replace: string;
}

export interface ProposedFileChange {
  /** Workspace-relative, forward slashes, no `..`. */
  readonly path: string;
  readonly action: FileAction;
  /** SHA-256 (hex) of the file as the Coder read it; null for `create`. Apply refuses a file that changed since. */
  readonly baseSha256: string | null;
  /**
   * The file as the Coder read it (absent for `create`): the hunks' base. Kept because after a
   * partial accept the original text is no longer on disk, and hunk indices are computed from it.
   */
  readonly baseContent?: string;
  /** The full new content, for `create` and `replace`. */
  readonly content?: string;
  /** For `edit`. */
  readonly hunks?: readonly EditHunk[];
  /** The file after the change, computed from the base. */
  readonly proposedContent: string;
  readonly proposedSha256: string;
  /** Line counts of a line diff between base and proposed content. */
  readonly linesAdded: number;
  readonly linesRemoved: number;
}

/**
 * proposed: waiting for the user (and the Reviewer). accepted: the user said yes, the edit is being
 * applied. applied: written and saved. rejected: discarded. conflicted: a target file changed
 * since the Coder read it; nothing was written, the user chooses (three-way).
 * A change that is partly decided (some files or hunks) stays `proposed` until every part is.
 */
export type ProposedChangeState = 'proposed' | 'accepted' | 'rejected' | 'conflicted' | 'applied';

/** The user's decision on one hunk or file. */
export type Decision = 'pending' | 'accepted' | 'rejected';

/**
 * One hunk of the line diff base → proposed (jsdiff, no context lines). Line numbers are 1-based;
 * `baseStart` is where the hunk starts in the base file (for a pure insertion: the line it goes
 * before), `proposedStart` the same in the proposed content.
 */
export interface LineHunk {
  readonly baseStart: number;
  readonly baseLines: number;
  readonly proposedStart: number;
  readonly proposedLines: number;
  /** The base lines it removes and the proposed lines it adds, without line ends. */
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/** Per file: the user's decisions so far. Absent = everything pending. */
export interface FileDecisions {
  /** One entry per `LineHunk` of the file, in order. */
  readonly hunks: readonly Decision[];
  /** SHA-256 of the workspace file after the last partial apply: the new base for conflict checks. */
  readonly appliedSha256?: string;
  /** Set when the file changed since it was read (or since the last partial apply). */
  readonly conflict?: boolean;
}

export interface ProposedChange {
  readonly version: 1;
  readonly planId: string;
  readonly taskId: string;
  readonly state: ProposedChangeState;
  readonly createdAt: string;
  /** The model that wrote it, as the provider reported it. */
  readonly model: string;
  /** The Coder's one-line summary of the change. */
  readonly summary: string;
  readonly files: readonly ProposedFileChange[];
  /** Keyed by file path; absent until the user decides something. */
  readonly decisions?: Readonly<Record<string, FileDecisions>>;
  /** The Reviewer's last review of this change, when review ran. */
  readonly review?: ReviewRecord;
  /** Coder → Reviewer rounds this change went through (1 = reviewed once, no rework). */
  readonly reviewRounds?: number;
  /** The last run of the verify command against this change, when verification is on. */
  readonly verification?: VerificationResult;
  /**
   * The cache key of the Coder answer this change came from. Accepting the change trusts that
   * answer for the semantic cache (L3) — in a later window too, since the key is stored here.
   */
  readonly cacheKey?: string;
  /**
   * How the change reached the plan's integrated tree (absent: stored before integration existed,
   * or not integrated yet). A `conflicted` change was not merged; `overlaps` says where.
   */
  readonly integration?: {
    readonly status: IntegrationStatus;
    readonly overlaps?: readonly IntegrationOverlap[];
    /** The Coder runs it took: 2 after a rebase. */
    readonly runs?: number;
    /** What the rebase's re-run cost. */
    readonly rebaseCostUsd?: number;
  };
  /** What the task cost and how it ended (model, usage, review): a resume restores it instead of re-running. */
  readonly outcome?: StoredTaskOutcome;
}

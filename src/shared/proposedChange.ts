/**
 * A task's proposed change: what the Coder wants to do to the workspace, never applied by itself.
 * Stored with the plan; the review and apply flow (a later issue) adds the other states.
 */

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

export type ProposedChangeState = 'proposed';

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
}

/**
 * The typed protocol between the DAG panel (webview) and the extension host. Both sides import
 * this file; the host validates every incoming message (extension/dagPanel/dagPanelMessages.ts).
 */
import type { ReviewVerdict } from '../review';
import type { TaskStatus, TaskType } from '../taskGraph';
import type { VerificationStatus } from '../verification';
import type { IntegrationStatus } from '../integration';

export interface DagNodeView {
  readonly id: string;
  readonly title: string;
  /** Shown in the details pane when the node is selected. */
  readonly description: string;
  readonly taskType: TaskType;
  readonly status: TaskStatus;
  readonly priority: number;
  readonly estimatedTokens: number;
  readonly dependsOn: readonly string[];
  readonly files: readonly string[];
  /** Present once the task has run (or is running): the router's choice and what it cost. */
  readonly run?: DagNodeRun;
}

export interface DagNodeRun {
  readonly model?: string;
  /** Why the router chose the model, in the UI language (the host localizes the reason code). */
  readonly reason?: string;
  readonly tokens: number;
  readonly costUsd: number;
  readonly attempts: number;
  /** Why the task failed, or which task's failure skipped it, in the UI language. */
  readonly error?: string;
  /** The verify command's outcome on the change (sandboxed), when verification ran. */
  readonly verification?: { readonly status: VerificationStatus; readonly failedTests?: number };
  /** The Reviewer's verdict and how many Coder → Reviewer rounds it took. */
  readonly review?: { readonly verdict: ReviewVerdict; readonly findings: number; readonly rounds: number };
  /** How the change reached the plan's integrated tree; a rebase's extra cost is shown on the node. */
  readonly integration?: { readonly status: IntegrationStatus; readonly rebaseCostUsd?: number };
  /** What earlier runs of a re-run task cost (included in `costUsd`). */
  readonly earlierCostUsd?: number;
}

export interface DagSnapshot {
  readonly planId: string;
  readonly prdPath: string;
  /** The model that planned the graph, shown on every node. */
  readonly plannedBy: string;
  readonly provider: string;
  readonly createdAt: string;
  readonly totalTokens: number;
  readonly costUsd: number;
  readonly nodes: readonly DagNodeView[];
  /** The plan is running but the budget holds it back: what the header says, never a silent wait. */
  readonly budget?: { readonly state: 'throttled' | 'paused'; readonly resetsAt: string };
}

/** Strings the panel shows, localized by the host (the webview has no l10n of its own). */
export interface DagPanelStrings {
  readonly empty: string;
  readonly plannedBy: string;
  readonly tasks: string;
  readonly tokens: string;
  readonly fitToView: string;
  readonly dependsOn: string;
  readonly files: string;
  /** Short check labels on a node: verification and review. `{0}` = failing tests. */
  readonly checks: {
    readonly verified: string;
    readonly verifyFailed: string;
    readonly verifyFailedTests: string;
    readonly notVerified: string;
    readonly approved: string;
    readonly changesRequested: string;
    /** Integration: `{0}` = the rebase's extra cost. */
    readonly merged?: string;
    readonly rebased?: string;
    readonly conflicted?: string;
    readonly stale?: string;
    /** A re-run task: `{0}` = what its earlier runs cost. */
    readonly rerun?: string;
  };
  /** The header while the budget holds the run back; `{0}` = the window's reset time. */
  readonly budgetPaused?: string;
  readonly budgetThrottled?: string;
  /** Status names for the legend, node tooltips and the details pane. */
  readonly statuses: Readonly<Record<TaskStatus, string>>;
  /** Task type names for the nodes and the details pane; a type not listed shows its key. */
  readonly taskTypes: Readonly<Record<TaskType, string>>;
  /** `{0}` = model calls made for the task, when more than one. */
  readonly attempts: string;
  /** `{0}` = the task's priority, 1 (highest) … 5. */
  readonly priority: string;
}

export type HostToDagPanel =
  | { readonly type: 'snapshot'; readonly snapshot: DagSnapshot | null; readonly strings: DagPanelStrings };

export type DagPanelToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'openFile'; readonly path: string };

/** What the panel persists through `vscode.setState` (view state only; the host owns the data). */
export interface DagPanelViewState {
  readonly zoom: number;
  readonly panX: number;
  readonly panY: number;
  readonly selectedId?: string;
}

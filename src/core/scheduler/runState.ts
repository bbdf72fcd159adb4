import type { TaskStatus } from '../../shared/taskGraph';
import type { TaskReviewSummary } from '../../shared/review';
import type { TokenUsage } from '../../shared/usage';
import type { VerificationStatus } from '../../shared/verification';
import type { TaskIntegration } from '../../shared/integration';

/** What the scheduler knows about one task of one plan; persisted on every transition. */
export interface TaskRun {
  readonly status: TaskStatus;
  /** Model calls made for this task (an escalation makes it 2). */
  readonly attempts: number;
  readonly model?: string;
  /** The router's one-line reason, machine-readable code plus English text for logs/CLI. */
  readonly reasonCode?: string;
  readonly reason?: string;
  readonly error?: { readonly reason: string; readonly message: string };
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly usage?: TokenUsage;
  readonly costUsd?: number;
  /** What earlier runs of the task cost (a re-run after its base was rejected); included in `costUsd` once it finishes. */
  readonly earlierCostUsd?: number;
  /** Which dependency failed, when this task was skipped because of it. */
  readonly blockedBy?: string;
  /** The Reviewer's verdict on the task's change, when review ran. */
  readonly review?: TaskReviewSummary;
  /** The verify command's outcome on the task's final change, when verification is on. */
  readonly verification?: { readonly status: VerificationStatus; readonly failedTests?: number };
  /** How the task's change reached the plan's integrated tree. */
  readonly integration?: TaskIntegration;
}

export interface PlanRun {
  readonly planId: string;
  readonly state: 'running' | 'paused' | 'cancelled' | 'done';
  readonly tasks: Readonly<Record<string, TaskRun>>;
  readonly updatedAt: string;
}

/** Where run state lives: workspace storage in the extension, a folder for the CLI, memory in tests. */
export interface RunStore {
  load(planId: string): Promise<PlanRun | undefined>;
  save(run: PlanRun): Promise<void>;
}

/**
 * A stored run after a restart: finished tasks stay finished (never re-run, never re-charged);
 * tasks that were running when the process died go back to the queue.
 */
export function resumeRun(run: PlanRun): PlanRun {
  const tasks: Record<string, TaskRun> = {};
  for (const [id, t] of Object.entries(run.tasks)) {
    tasks[id] = t.status === 'running' ? { ...t, status: 'pending', startedAt: undefined } : t;
  }
  return { ...run, state: run.state === 'done' || run.state === 'cancelled' ? run.state : 'running', tasks };
}

import type { TokenUsage } from './usage';

/** The plan the Architect produces: a DAG of tasks. Validated in core/plan. */

export const TASK_TYPES = [
  'architectural_reasoning',
  'high_level_planning',
  'code_generation',
  'boilerplate_generation',
  'refactoring',
  'unit_test',
  'integration_test',
  'code_review',
  'documentation',
  'bug_fix',
] as const;

export type TaskType = (typeof TASK_TYPES)[number];

export type TaskStatus = 'pending' | 'ready' | 'running' | 'done' | 'failed' | 'skipped';

export interface Task {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly taskType: TaskType;
  readonly dependsOn: readonly string[];
  /** Workspace-relative paths the task is expected to touch. */
  readonly files: readonly string[];
  /** 1 (highest) … 5 (lowest). */
  readonly priority: number;
  readonly estimatedTokens: number;
}

export interface TaskGraph {
  readonly tasks: readonly Task[];
}

/** A stored plan: the graph plus where it came from and what producing it cost. */
export interface Plan {
  readonly version: 1;
  readonly id: string;
  readonly createdAt: string;
  /** Workspace-relative path of the PRD. */
  readonly prdPath: string;
  readonly prdSha256: string;
  /** The model that planned it, as the provider reported it. */
  readonly plannedBy: string;
  readonly provider: string;
  readonly graph: TaskGraph;
  readonly status: Readonly<Record<string, TaskStatus>>;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  /** How many repair round trips the Architect needed (0 or 1). */
  readonly repairs: number;
}

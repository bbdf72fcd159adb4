/** What the Agent Diffs tree shows, derived from stored changes. Pure: no `vscode`, so node tests it. */
import type { ProposedChange, ProposedFileChange } from '../../shared/proposedChange';
import type { ReviewVerdict } from '../../shared/review';
import type { VerificationStatus } from '../../shared/verification';
import { codeRunningFiles, fileCodeRunningReason, type CodeRunningReason } from '../../core/security/codeRunningFiles';

/** One file's state for the user: what is left to decide. */
export type FileViewState = 'pending' | 'partial' | 'accepted' | 'rejected' | 'conflict';

export interface ChangeEntry {
  readonly change: ProposedChange;
  /** The task's title from the plan, when the plan is still there. */
  readonly taskTitle?: string;
  /** The PRD the plan came from, to group tasks. */
  readonly planLabel: string;
  /** What the task cost (Coder, Reviewer and rework), from the run state. */
  readonly costUsd?: number;
}

export interface TaskRow {
  readonly planId: string;
  readonly taskId: string;
  readonly title: string;
  readonly model: string;
  readonly costUsd?: number;
  readonly linesAdded: number;
  readonly linesRemoved: number;
  readonly verdict?: ReviewVerdict;
  readonly blockers: number;
  readonly findings: number;
  readonly verification?: VerificationStatus;
  readonly failedTests?: number;
  readonly state: ProposedChange['state'];
  /** Whether something is still undecided (the accept / reject actions apply). */
  readonly pending: boolean;
  readonly conflict: boolean;
  /** Files of the change that run code on the user's machine (see `FileRow.codeRunning`). */
  readonly codeRunningFiles: number;
  /** Built on a change the user rejected and taken off the plan: it can be re-run or rejected, not accepted. */
  readonly stale: boolean;
  readonly files: readonly FileRow[];
}

export interface FileRow {
  readonly planId: string;
  readonly taskId: string;
  readonly path: string;
  readonly action: ProposedFileChange['action'];
  readonly linesAdded: number;
  readonly linesRemoved: number;
  readonly state: FileViewState;
  /** Open findings on this file. */
  readonly findings: number;
  /** Set when the file runs code on the user's machine (tasks, settings, CI, hooks, scripts): flagged, never auto-accepted. */
  readonly codeRunning?: CodeRunningReason;
}

export interface PlanGroup {
  readonly planId: string;
  readonly label: string;
  readonly tasks: readonly TaskRow[];
}

export function fileState(change: ProposedChange, path: string): FileViewState {
  if (change.state === 'rejected') return 'rejected';
  const d = change.decisions?.[path];
  if (d?.conflict) return 'conflict';
  if (!d || d.hunks.length === 0) return change.state === 'applied' || change.state === 'accepted' ? 'accepted' : 'pending';
  if (d.hunks.every((h) => h === 'accepted')) return 'accepted';
  if (d.hunks.every((h) => h === 'rejected')) return 'rejected';
  if (d.hunks.every((h) => h !== 'pending')) return 'accepted';
  return d.hunks.some((h) => h !== 'pending') ? 'partial' : 'pending';
}

export function taskRow(entry: ChangeEntry): TaskRow {
  const { change } = entry;
  const files = change.files.map((f): FileRow => ({
    planId: change.planId, taskId: change.taskId, path: f.path, action: f.action,
    linesAdded: f.linesAdded, linesRemoved: f.linesRemoved,
    state: fileState(change, f.path),
    findings: change.review?.findings.filter((x) => x.path === f.path && x.status === 'open').length ?? 0,
    ...withCodeRunning(fileCodeRunningReason(f)),
  }));
  const review = change.review;
  return {
    planId: change.planId, taskId: change.taskId, title: entry.taskTitle ?? change.summary, model: change.model,
    ...(entry.costUsd !== undefined ? { costUsd: entry.costUsd } : {}),
    linesAdded: files.reduce((n, f) => n + f.linesAdded, 0),
    linesRemoved: files.reduce((n, f) => n + f.linesRemoved, 0),
    ...(review ? { verdict: review.verdict } : {}),
    blockers: review?.findings.filter((f) => f.severity === 'blocker' && f.status === 'open').length ?? 0,
    findings: review?.findings.filter((f) => f.status === 'open').length ?? 0,
    ...(change.verification ? { verification: change.verification.status } : {}),
    ...(change.verification?.failedTests !== undefined ? { failedTests: change.verification.failedTests } : {}),
    state: change.state,
    pending: change.state === 'proposed' || change.state === 'conflicted',
    conflict: change.state === 'conflicted' || files.some((f) => f.state === 'conflict'),
    codeRunningFiles: files.filter((f) => f.codeRunning).length,
    stale: change.state === 'proposed' && change.integration?.status === 'stale',
    files,
  };
}

/** Plans in the order their changes arrived; tasks by id within a plan; decided tasks after pending ones. */
export function groupChanges(entries: readonly ChangeEntry[]): PlanGroup[] {
  const groups = new Map<string, { label: string; tasks: TaskRow[] }>();
  for (const entry of entries) {
    const group = groups.get(entry.change.planId) ?? { label: entry.planLabel, tasks: [] };
    group.tasks.push(taskRow(entry));
    groups.set(entry.change.planId, group);
  }
  return [...groups].map(([planId, g]) => ({
    planId,
    label: g.label,
    tasks: g.tasks.sort((a, b) => Number(b.pending) - Number(a.pending) || a.taskId.localeCompare(b.taskId, 'en', { numeric: true })),
  }));
}

/** The tree item's `contextValue`: flags the `when` clauses in package.json match on. */
export function taskContext(row: TaskRow): string {
  return ['helios.task', row.stale ? 'stale' : row.pending ? 'pending' : 'decided', row.conflict ? 'conflict' : ''].filter(Boolean).join(' ');
}

export function fileContext(row: FileRow): string {
  return ['helios.file', row.state === 'pending' || row.state === 'partial' ? 'pending' : 'decided', row.state === 'conflict' ? 'conflict' : ''].filter(Boolean).join(' ');
}

function withCodeRunning(reason: CodeRunningReason | undefined): { codeRunning?: CodeRunningReason } {
  return reason ? { codeRunning: reason } : {};
}

/**
 * Why `helios.review.autoAcceptApproved` must not apply a change by itself, or undefined when it
 * may: only changes the Reviewer approved, whose verification did not fail, and that touch no file
 * which runs code on the user's machine — those always wait for the user's own accept.
 */
export function autoAcceptBlocker(change: ProposedChange): 'not_approved' | 'verify_failed' | 'code_running' | undefined {
  if (change.review?.verdict !== 'approve') return 'not_approved';
  if (change.verification?.status === 'failed') return 'verify_failed';
  if (codeRunningFiles(change).length > 0) return 'code_running';
  return undefined;
}

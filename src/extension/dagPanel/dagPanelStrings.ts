import * as vscode from 'vscode';
import { HeliosError, type HeliosErrorReason } from '../../core/errors/heliosError';
import type { DagPanelStrings } from '../../shared/protocol/dagPanel';
import type { TaskStatus } from '../../shared/taskGraph';
import { describeError } from '../errorMessages';
import { routeReasonText, skippedText, taskErrorText, taskTypeLabels } from './dagText';
import type { DagRunText } from './dagSnapshot';

/** The panel's strings in the UI language; the webview has no l10n of its own. */
export function dagPanelStrings(): DagPanelStrings {
  return {
    empty: vscode.l10n.t('No plan yet. Run "Helios: Decompose PRD" to turn a PRD into a task graph.'),
    plannedBy: vscode.l10n.t('planned by'),
    tasks: vscode.l10n.t('tasks'),
    tokens: vscode.l10n.t('tokens'),
    fitToView: vscode.l10n.t('Fit to view'),
    dependsOn: vscode.l10n.t('Depends on'),
    files: vscode.l10n.t('Files'),
    checks: {
      verified: vscode.l10n.t('verified'),
      verifyFailed: vscode.l10n.t('verify failed'),
      verifyFailedTests: vscode.l10n.t('failed: {0} tests'),
      notVerified: vscode.l10n.t('not verified (no sandbox available)'),
      approved: vscode.l10n.t('approved'),
      changesRequested: vscode.l10n.t('changes requested'),
      merged: vscode.l10n.t('merged'),
      rebased: vscode.l10n.t('rebased (+{0})'),
      conflicted: vscode.l10n.t('conflict: overlaps another task'),
      stale: vscode.l10n.t('stale: based on a rejected change'),
      rerun: vscode.l10n.t('re-run (earlier {0})'),
    },
    budgetPaused: vscode.l10n.t('Paused by the budget: the window is at its cap. Calls go on when it resets at {0}.'),
    budgetThrottled: vscode.l10n.t('Throttled by the budget: Opus work goes to Sonnet until the window resets at {0}.'),
    statuses: taskStatusLabels(),
    taskTypes: taskTypeLabels(vscode.l10n.t),
    attempts: vscode.l10n.t('{0} attempts'),
    priority: vscode.l10n.t('priority {0}'),
  };
}

/** Task status names in the UI language: the panel's legend and details, and quick picks of tasks. */
export function taskStatusLabels(): Readonly<Record<TaskStatus, string>> {
  return {
    pending: vscode.l10n.t('Pending'),
    ready: vscode.l10n.t('Ready'),
    running: vscode.l10n.t('Running'),
    done: vscode.l10n.t('Done'),
    failed: vscode.l10n.t('Failed'),
    skipped: vscode.l10n.t('Skipped'),
  };
}

/** The run's route reasons and errors in the UI language, for `buildDagSnapshot`. */
export function dagRunText(): DagRunText {
  const t = vscode.l10n.t;
  return {
    routeReason: (route) => routeReasonText(route, t),
    taskError: (reason, details) => taskErrorText(reason, t, (r) =>
      // describeError's switch is exhaustive over the known reasons; an unknown one falls through to undefined.
      (describeError(new HeliosError(r as HeliosErrorReason, r, details as HeliosError['details'])) as ReturnType<typeof describeError> | undefined)?.message),
    skipped: (blockedBy) => skippedText(blockedBy, t),
  };
}

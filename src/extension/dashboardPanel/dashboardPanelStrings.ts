import * as vscode from 'vscode';
import type { DashboardPanelStrings } from '../../shared/protocol/dashboardPanel';

/**
 * The panel's strings in the UI language; the webview has no l10n of its own. `{0}`… are left
 * for the page to fill (l10n.t leaves placeholders alone when called without arguments).
 */
export function dashboardPanelStrings(): DashboardPanelStrings {
  return {
    title: vscode.l10n.t('Helios Dashboard'),
    unavailable: vscode.l10n.t('The metrics could not be read. The Helios log has the details.'),
    updatedAt: vscode.l10n.t('Updated {0}'),
    kpiTitles: {
      window: vscode.l10n.t('Tokens in the 5-hour window'),
      cost: vscode.l10n.t('Cost per project'),
      latency: vscode.l10n.t('Average task latency'),
      cache: vscode.l10n.t('Cache hit rate'),
      opus: vscode.l10n.t('Opus vs Sonnet'),
      agents: vscode.l10n.t('Agent success and failure'),
    },
    target: vscode.l10n.t('Target {0}'),
    noTarget: vscode.l10n.t('No target'),
    met: vscode.l10n.t('met'),
    notMet: vscode.l10n.t('not met'),
    unknown: vscode.l10n.t('no data yet'),
    windowSummary: vscode.l10n.t('{0} tokens, {1} of the window used'),
    governorStates: {
      ok: vscode.l10n.t('OK'),
      throttled: vscode.l10n.t('Throttled'),
      paused: vscode.l10n.t('Paused'),
    },
    costSummary: vscode.l10n.t('{0} this month, {1} projected for the month'),
    projectionNote: vscode.l10n.t('Projected from {0} per day over the last {1} days'),
    colProject: vscode.l10n.t('Project'),
    colCost: vscode.l10n.t('Cost'),
    noCost: vscode.l10n.t('No project has spent anything this month.'),
    latencySummary: vscode.l10n.t('{0} per task on average'),
    colAgent: vscode.l10n.t('Agent'),
    colLatency: vscode.l10n.t('Average latency'),
    noTasks: vscode.l10n.t('No task has run yet'),
    cacheSummary: vscode.l10n.t('L2 and L3 together: {0} of {1} lookups hit'),
    noCache: vscode.l10n.t('No cache yet: nothing has been looked up'),
    noL2L3: vscode.l10n.t('No L2 or L3 lookups yet'),
    colLayer: vscode.l10n.t('Layer'),
    colHitRate: vscode.l10n.t('Hit rate'),
    colLookups: vscode.l10n.t('Lookups'),
    opusSummary: vscode.l10n.t('Opus {0}, Sonnet {1}, other {2} of the window\'s tokens'),
    families: { opus: 'Opus', sonnet: 'Sonnet', other: vscode.l10n.t('Other') },
    noTokens: vscode.l10n.t('No tokens in this window yet'),
    agentsSummary: vscode.l10n.t('{0} of {1} tasks succeeded'),
    colSuccess: vscode.l10n.t('Succeeded'),
    colFailure: vscode.l10n.t('Failed'),
    colSkipped: vscode.l10n.t('Skipped'),
    colRate: vscode.l10n.t('Success rate'),
    agents: {
      architect: vscode.l10n.t('Architect'),
      coder: vscode.l10n.t('Coder'),
      reviewer: vscode.l10n.t('Reviewer'),
      tester: vscode.l10n.t('Tester'),
      analysis: vscode.l10n.t('Analysis'),
      other: vscode.l10n.t('Other'),
    },
    seconds: vscode.l10n.t('{0} s'),
    minutesSeconds: vscode.l10n.t('{0} min {1} s'),
  };
}

import * as vscode from 'vscode';
import { totalTokens } from '../../shared/usage';
import { COMMANDS, type CommandId } from '../constants';
import { DagPanel } from '../dagPanel/dagPanel';
import { showError } from '../errorMessages';
import type { HeliosContext } from '../heliosContext';
import { runCancelRun, runPauseRun, runResumeRun, runRunPlan, runTaskAction } from './runPlan';
import { offer } from './nextStep';
import { runShowBudget } from './showBudget';
import { runClearCache, runShowCacheStats } from './cache';
import { runShowDashboard } from '../dashboardPanel/dashboardPanelDeps';
import { runClearApiKey, runSetApiKey } from './apiKey';
import { runDecompose } from './decomposePrd';
import { dagPanelDeps, runShowPlan } from './showPlan';
import { runUnsandboxedVerification } from '../security/unsandboxedConsent';
import { COMMANDS_NEEDING_TRUST, requireTrust } from '../security/workspaceTrust';
import { localeDecimal, localeInteger } from '../../shared/numberFormat';

type Handler = (ctx: HeliosContext, ...args: unknown[]) => Promise<void> | void;

/**
 * Every contributed command is registered here, always: when something is missing it says why
 * (no folder, no plan, no key, Restricted Mode) through the one error adapter instead of failing
 * silently.
 */
const HANDLERS: Record<CommandId, Handler> = {
  [COMMANDS.decomposePrd]: async (ctx, arg) => {
    const plan = await runDecompose(ctx, arg);
    if (!plan) return;
    ctx.contextKeys?.soon();
    DagPanel.show(dagPanelDeps(ctx));
    void offer(vscode.window.showInformationMessage,
      vscode.l10n.t('Plan ready: {0} tasks by {1} · {2} tokens · ${3}', plan.graph.tasks.length, plan.plannedBy,
        localeInteger(totalTokens(plan.usage), vscode.env.language), localeDecimal(plan.costUsd, 4, vscode.env.language)),
      [{ title: vscode.l10n.t('Run Plan'), command: COMMANDS.runPlan }, { title: vscode.l10n.t('Show Plan'), command: COMMANDS.showPlan }],
    );
  },
  [COMMANDS.showPlan]: (ctx) => runShowPlan(ctx),
  [COMMANDS.runPlan]: (ctx) => runRunPlan(ctx),
  [COMMANDS.pauseRun]: (ctx) => runPauseRun(ctx),
  [COMMANDS.resumeRun]: (ctx) => runResumeRun(ctx),
  [COMMANDS.cancelRun]: (ctx) => runCancelRun(ctx),
  [COMMANDS.pauseTask]: (ctx) => runTaskAction(ctx, 'pause'),
  [COMMANDS.resumeTask]: (ctx) => runTaskAction(ctx, 'resume'),
  [COMMANDS.cancelTask]: (ctx) => runTaskAction(ctx, 'cancel'),
  [COMMANDS.showBudget]: (ctx) => runShowBudget(ctx),
  [COMMANDS.showDashboard]: (ctx) => runShowDashboard(ctx, ctx.metrics),
  [COMMANDS.pause]: (ctx) => {
    ctx.governor.setPaused(true);
    void offer(vscode.window.showInformationMessage, vscode.l10n.t('Helios is paused: no new model call starts until you resume. Calls in flight finish.'),
      [{ title: vscode.l10n.t('Resume'), command: COMMANDS.resume }]);
  },
  [COMMANDS.resume]: (ctx) => {
    if (!ctx.governor.manuallyPaused) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Helios is not paused: model calls start as the budget allows.'));
      return;
    }
    ctx.governor.setPaused(false);
    void vscode.window.showInformationMessage(vscode.l10n.t('Helios resumed.'));
  },
  [COMMANDS.openBudgetSettings]: async () => {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'helios.budget');
  },
  [COMMANDS.setApiKey]: (ctx) => runSetApiKey(ctx),
  [COMMANDS.rotateApiKey]: (ctx) => runSetApiKey(ctx, true),
  [COMMANDS.clearApiKey]: (ctx) => runClearApiKey(ctx),
  [COMMANDS.showLog]: (ctx) => ctx.log.show(),
  [COMMANDS.showAgentDiffs]: async () => {
    await vscode.commands.executeCommand('helios.agentDiffs.focus');
  },
  [COMMANDS.showCacheStats]: (ctx) => runShowCacheStats(ctx),
  [COMMANDS.clearCache]: (ctx) => runClearCache(ctx),
  [COMMANDS.unsandboxedVerification]: (ctx) => runUnsandboxedVerification(ctx.unsandboxed, ctx.settings().verifyCommand, ctx.log),
};

export function registerCommands(ctx: HeliosContext): void {
  for (const [id, handler] of Object.entries(HANDLERS)) {
    ctx.extension.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          const feature = COMMANDS_NEEDING_TRUST[id as CommandId];
          if (feature) requireTrust(feature);
          await handler(ctx, ...args);
        } catch (error) {
          await showError(error, ctx.log);
        }
      }),
    );
  }
}

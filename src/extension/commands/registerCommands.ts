import * as vscode from 'vscode';
import { totalTokens } from '../../shared/usage';
import { COMMANDS, type CommandId } from '../constants';
import { DagPanel } from '../dagPanel/dagPanel';
import { showError } from '../errorMessages';
import { readCurrentWindow, type HeliosContext } from '../heliosContext';
import { runClearApiKey, runSetApiKey } from './apiKey';
import { runDecompose } from './decomposePrd';
import { dagPanelDeps, runShowPlan } from './showPlan';

type Handler = (ctx: HeliosContext, ...args: unknown[]) => Promise<void>;

/**
 * Every contributed command is registered here, always: when something is missing it says why
 * (no folder, no plan, no key) through the one error adapter instead of failing silently.
 */
const HANDLERS: Record<CommandId, Handler> = {
  [COMMANDS.decomposePrd]: async (ctx, arg) => {
    const plan = await runDecompose(ctx, arg);
    if (!plan) return;
    DagPanel.show(dagPanelDeps(ctx));
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Plan ready: {0} tasks by {1} · {2} tokens · ${3}', plan.graph.tasks.length, plan.plannedBy,
        totalTokens(plan.usage).toLocaleString('en-US'), plan.costUsd.toFixed(4)),
    );
  },
  [COMMANDS.showPlan]: (ctx) => runShowPlan(ctx),
  [COMMANDS.showBudget]: async (ctx) => {
    const window = await readCurrentWindow(ctx.ledger, ctx.log);
    const message = window
      ? vscode.l10n.t('Current 5-hour window: {0} tokens in {1} calls, ${2}; resets at {3}.',
        window.tokens.toLocaleString('en-US'), window.calls, window.costUsd.toFixed(4), window.end.toLocaleTimeString())
      : vscode.l10n.t('No Helios calls in the current 5-hour window.');
    void vscode.window.showInformationMessage(message);
  },
  [COMMANDS.setApiKey]: (ctx) => runSetApiKey(ctx),
  [COMMANDS.rotateApiKey]: (ctx) => runSetApiKey(ctx, true),
  [COMMANDS.clearApiKey]: (ctx) => runClearApiKey(ctx),
  [COMMANDS.showLog]: (ctx) => {
    ctx.log.show();
    return Promise.resolve();
  },
};

export function registerCommands(ctx: HeliosContext): void {
  for (const [id, handler] of Object.entries(HANDLERS)) {
    ctx.extension.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await handler(ctx, ...args);
        } catch (error) {
          await showError(error, ctx.log);
        }
      }),
    );
  }
}

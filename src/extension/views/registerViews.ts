import * as vscode from 'vscode';
import { showError } from '../errorMessages';
import { VIEW_COMMANDS, WALKTHROUGH_KEYS } from '../constants';
import type { HeliosContext } from '../heliosContext';
import { BUDGET_VIEW_ID, BudgetView } from './budgetView';
import { choosePayment } from './choosePayment';
import { PLANS_VIEW_ID, PlansView } from './plansView';
import { openSamplePrd } from './samplePrd';
import { WalkthroughKeys, type DecisionSource } from './walkthroughKeys';

/** What the views follow besides the runner and the governor. */
export interface ViewSources {
  readonly decisions?: DecisionSource;
  /** A plan was saved in this window (Decompose). */
  readonly planSaved?: vscode.Event<unknown>;
}

/**
 * The Helios container's own views (Plans, Budget; Agent Diffs and the dependency graph register
 * themselves), the walkthrough's context keys and the two commands the walkthrough starts with.
 * The caller owns the returned Disposable. Nothing is read on the activation path: the first read
 * of the stored plans runs after activation.
 */
export function registerViews(ctx: HeliosContext, sources: ViewSources = {}): vscode.Disposable {
  const plans = new PlansView(ctx, ctx.extension.storageUri, sources.planSaved);
  const budget = new BudgetView(ctx);
  const keys = new WalkthroughKeys(ctx, plans.onDidLoad, sources.decisions);
  const run = (body: () => Promise<unknown>) => async () => {
    try {
      await body();
    } catch (error) {
      await showError(error, ctx.log);
    }
  };
  const firstRead = setTimeout(() => plans.refresh(), 0);
  return vscode.Disposable.from(
    plans, budget, keys, { dispose: () => clearTimeout(firstRead) },
    vscode.window.createTreeView(PLANS_VIEW_ID, { treeDataProvider: plans, showCollapseAll: true }),
    vscode.window.createTreeView(BUDGET_VIEW_ID, { treeDataProvider: budget }),
    vscode.commands.registerCommand(VIEW_COMMANDS.openSamplePrd, run(async () => {
      await openSamplePrd(ctx.extension.extensionUri, ctx.log);
      keys.set(WALKTHROUGH_KEYS.hasPrd);
    })),
    vscode.commands.registerCommand(VIEW_COMMANDS.choosePayment, run(async () => {
      if (await choosePayment(ctx.providers.mode())) await keys.paymentChosen();
    })),
  );
}

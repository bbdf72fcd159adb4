import { BudgetPanel, type BudgetPanelDeps } from '../budgetPanel/budgetPanel';
import { budgetPanelStrings } from '../budgetPanel/budgetPanelStrings';
import { COMMANDS } from '../constants';
import type { HeliosContext } from '../heliosContext';

/** What the budget panel needs; every snapshot re-reads the shared ledger first. */
export function budgetPanelDeps(ctx: HeliosContext): BudgetPanelDeps {
  return {
    extensionUri: ctx.extension.extensionUri,
    log: ctx.log,
    strings: budgetPanelStrings,
    getSnapshot: async () => {
      await ctx.governor.refresh();
      return ctx.budgetSnapshot();
    },
    commands: { pause: COMMANDS.pause, resume: COMMANDS.resume, openSettings: COMMANDS.openBudgetSettings, showLog: COMMANDS.showLog },
  };
}

/** Helios: Show Budget. */
export function runShowBudget(ctx: HeliosContext): void {
  BudgetPanel.show(budgetPanelDeps(ctx));
}

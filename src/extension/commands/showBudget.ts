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
    // No ledger read here: a refresh announces a change, which updates the panel, which would read again.
    getSnapshot: () => Promise.resolve(ctx.budgetSnapshot()),
    commands: { pause: COMMANDS.pause, resume: COMMANDS.resume, openSettings: COMMANDS.openBudgetSettings, showLog: COMMANDS.showLog },
  };
}

/** Helios: Show Budget. */
export async function runShowBudget(ctx: HeliosContext): Promise<void> {
  await ctx.governor.refresh();
  BudgetPanel.show(budgetPanelDeps(ctx));
}

import * as vscode from 'vscode';
import { formatUnits } from '../statusBar/budgetPresentation';
import type { HeliosContext } from '../heliosContext';

/** Helios: Show Budget. */
export async function runShowBudget(ctx: HeliosContext): Promise<void> {
  await ctx.governor.refresh();
  const s = ctx.budgetSnapshot();
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Budget: {0} of {1} used ({2}), {3} calls in flight.', formatUnits(s.used, s.unit), formatUnits(s.cap, s.unit), s.state, s.inFlight),
  );
}

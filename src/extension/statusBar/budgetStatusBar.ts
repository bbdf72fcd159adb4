import * as vscode from 'vscode';
import type { UsageWindow } from '../../core/usage/usageLedger';
import { COMMANDS, STATUS_ITEM_ID } from '../constants';
import { presentBudget } from './budgetPresentation';

/** The budget meter: one status item rendered from the current window and the active provider. */
export class BudgetStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Helios Budget');
    this.item.command = COMMANDS.showBudget;
  }

  render(window: UsageWindow | undefined, provider: 'anthropic' | 'simulator'): void {
    const view = presentBudget({
      window, provider, now: new Date(), t: vscode.l10n.t,
      showBudgetCommand: COMMANDS.showBudget, setKeyCommand: COMMANDS.setApiKey,
    });
    this.item.text = view.text;
    this.item.accessibilityInformation = { label: view.ariaLabel };
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.isTrusted = { enabledCommands: [COMMANDS.showBudget, COMMANDS.setApiKey] };
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

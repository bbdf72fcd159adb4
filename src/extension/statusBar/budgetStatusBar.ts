import * as vscode from 'vscode';
import type { BudgetSnapshot } from '../../shared/budget';
import { COMMANDS, STATUS_ITEM_ID } from '../constants';
import { presentBudget } from './budgetPresentation';

const METER_COMMANDS = {
  showBudget: COMMANDS.showBudget,
  pause: COMMANDS.pause,
  resume: COMMANDS.resume,
  settings: COMMANDS.openBudgetSettings,
  setApiKey: COMMANDS.setApiKey,
};

/** The budget meter: one status item, a pure rendering of the governor's snapshot. */
export class BudgetStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 100);
    this.item.name = vscode.l10n.t('Helios Budget');
    this.item.command = COMMANDS.showBudget;
  }

  /** `customEndpoint`: the Anthropic endpoint in use when it is not the official one. */
  render(snapshot: BudgetSnapshot, provider: 'anthropic' | 'simulator' | 'claude-code', customEndpoint?: string): void {
    const view = presentBudget({
      snapshot, provider, t: vscode.l10n.t, commands: METER_COMMANDS, locale: vscode.env.language,
      ...(customEndpoint ? { customEndpoint } : {}),
      time: (iso) => new Date(iso).toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' }),
    });
    this.item.text = view.text;
    this.item.accessibilityInformation = { label: view.ariaLabel };
    this.item.backgroundColor = view.severity === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: Object.values(METER_COMMANDS) };
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

import * as vscode from 'vscode';
import { budgetPanelStrings } from '../budgetPanel/budgetPanelStrings';
import { COMMANDS } from '../constants';
import type { HeliosContext } from '../heliosContext';
import { budgetRows, type BudgetRow } from './budgetTreeModel';

export const BUDGET_VIEW_ID = 'helios.budget';

function icon(row: BudgetRow): vscode.ThemeIcon {
  const color = row.severity === 'error' ? new vscode.ThemeColor('list.errorForeground')
    : row.severity === 'warning' ? new vscode.ThemeColor('list.warningForeground') : undefined;
  return new vscode.ThemeIcon(row.icon, color);
}

/**
 * The Budget view: the gauge, the reset time and the usage, from the same snapshot as the status-bar
 * meter; redrawn whenever the governor announces a change. Every row opens the budget panel.
 */
export class BudgetView implements vscode.TreeDataProvider<BudgetRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BudgetRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly unsubscribe: () => void;

  constructor(private readonly ctx: HeliosContext) {
    this.unsubscribe = ctx.governor.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(row: BudgetRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    if (row.description) item.description = row.description;
    item.accessibilityInformation = { label: row.description ? `${row.label}, ${row.description}` : row.label };
    if (row.tooltip) item.tooltip = row.tooltip;
    item.iconPath = icon(row);
    item.contextValue = `helios.budget.${row.id}`;
    item.command = { command: COMMANDS.showBudget, title: vscode.l10n.t('Show Budget') };
    return item;
  }

  getChildren(row?: BudgetRow): BudgetRow[] {
    if (row) return [];
    const strings = budgetPanelStrings();
    return budgetRows({
      snapshot: this.ctx.budgetSnapshot(),
      t: vscode.l10n.t,
      locale: vscode.env.language,
      time: (iso) => new Date(iso).toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' }),
      states: strings.states,
      stateDetails: strings.stateDetails,
    });
  }

  dispose(): void {
    this.unsubscribe();
    this.changed.dispose();
  }
}
